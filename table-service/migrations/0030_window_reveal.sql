-- Up Migration

-- The betting window no one can stretch (BettingWindow.ts). A round knows when anything of its
-- outcome was first shown (the reveal), the least delay any viewer can have, and each bet the late
-- time its player was allowed; the close and every report of the reveal judge the bets taken so far
-- again and refund, in their own transaction, those that arrived too late.
ALTER TABLE rounds
  -- Studio time of the first event that shows anything of the outcome: at the close, the game's
  -- procedure (close + reveal_after_close_ms); lowered by an earlier report (dealer, vision).
  ADD COLUMN reveals_at_studio_ms bigint,
  ADD COLUMN reveal_after_close_ms integer NOT NULL DEFAULT 0,
  ADD COLUMN min_viewer_delay_ms integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT rounds_reveal_after_close_not_negative CHECK (reveal_after_close_ms >= 0),
  ADD CONSTRAINT rounds_min_viewer_delay_not_negative CHECK (min_viewer_delay_ms >= 0);

ALTER TABLE bets
  -- How long after the close this bet could still arrive: the player's server-measured delay plus
  -- slack, capped; null when the server clock decided (nothing after the close).
  ADD COLUMN allowance_ms integer,
  -- Why a refunded bet was refunded: 'void' (the round was voided) or a window refusal (the close
  -- or the reveal found it late).
  ADD COLUMN refund_reason text,
  ADD CONSTRAINT bets_allowance_not_negative CHECK (allowance_ms >= 0);

-- The window's rules 1-3 (BettingWindow.ts windowRefusal, word for word): the refusal, or null.
CREATE FUNCTION bet_window_refusal(p_frame bigint, p_received bigint, p_allowance integer, p_close bigint,
                                   p_reveal bigint, p_min_viewer_delay integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_close IS NOT NULL AND p_frame IS NOT NULL AND p_frame >= p_close THEN 'FRAME_AT_OR_AFTER_CLOSE'
    WHEN p_close IS NOT NULL AND p_allowance IS NULL AND p_received >= p_close THEN 'CLOSED_BY_SERVER_CLOCK'
    WHEN p_close IS NOT NULL AND p_allowance IS NOT NULL AND p_received > p_close + p_allowance
      THEN 'ARRIVED_AFTER_DELAY'
    WHEN p_reveal IS NOT NULL AND p_received > p_reveal + p_min_viewer_delay THEN 'ARRIVED_AFTER_REVEAL'
  END
$$;

-- Places a batch of bets in one round trip (BetIntake). Locks first the rounds the bets are for, in
-- one order (id, C collation) and FOR SHARE: batches never wait for each other there, and a close,
-- a reveal, a cancel or a settlement (which lock the round first too, then accounts) either sees
-- the batch committed or is seen by it, with the window as it is at that moment, never a stale one.
-- Rounds before accounts, everywhere: that one order is what keeps bets, cancels and closes from
-- deadlocking. Bets the window refuses are answered as failed; the others go to ledger_apply (each
-- on its own) and the rows of those whose transfer committed are inserted. Returns one result per
-- bet, in order, as ledger_apply does.
CREATE FUNCTION bets_place(p_transfers jsonb, p_bets jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  n integer := jsonb_array_length(p_bets);
  rounds_by_id jsonb;
  r jsonb;
  b jsonb;
  refusal text;
  to_apply jsonb;
  positions integer[] := ARRAY[]::integer[];
  applied jsonb;
  results jsonb[];
BEGIN
  SELECT jsonb_object_agg(l.id, jsonb_build_object('state', l.state, 'close', l.closes_at_studio_ms,
           'reveal', l.reveals_at_studio_ms, 'minDelay', l.min_viewer_delay_ms))
    INTO rounds_by_id
    FROM (SELECT id, state, closes_at_studio_ms, reveals_at_studio_ms, min_viewer_delay_ms
            FROM rounds
           WHERE id IN (SELECT DISTINCT e ->> 'round_id' FROM jsonb_array_elements(p_bets) e)
           ORDER BY id COLLATE "C"
             FOR SHARE) l;
  results := array_fill(NULL::jsonb, ARRAY[n]);
  FOR i IN 0 .. n - 1 LOOP
    b := p_bets -> i;
    r := rounds_by_id -> (b ->> 'round_id');
    IF r IS NULL THEN
      refusal := 'ROUND_NOT_FOUND';
    ELSIF r ->> 'state' NOT IN ('BETTING_OPEN', 'BETTING_CLOSED') THEN
      refusal := 'ROUND_CLOSED';
    ELSE
      refusal := bet_window_refusal((b ->> 'frame_studio_ms')::bigint, (b ->> 'received_at_ms')::bigint,
        (b ->> 'allowance_ms')::integer, (r ->> 'close')::bigint, (r ->> 'reveal')::bigint,
        (r ->> 'minDelay')::integer);
    END IF;
    IF refusal IS NOT NULL THEN
      results[i + 1] := jsonb_build_object('status', 'failed', 'code', 'TABLE_BETTING_CLOSED', 'message', refusal);
    ELSE
      positions := positions || (i + 1);
    END IF;
  END LOOP;

  IF array_length(positions, 1) > 0 THEN
    SELECT jsonb_agg(p_transfers -> (p.pos - 1) ORDER BY p.k) INTO to_apply
      FROM unnest(positions) WITH ORDINALITY AS p(pos, k);
    applied := ledger_apply(to_apply, false);
    FOR k IN 1 .. array_length(positions, 1) LOOP
      results[positions[k]] := applied -> (k - 1);
    END LOOP;
    INSERT INTO bets (id, round_id, table_id, player_id, spec, stake, currency, body_hash, frame_studio_ms,
                      received_at_ms, window_basis, allowance_ms)
    SELECT x.id, x.round_id, x.table_id, x.player_id, x.spec, x.stake, x.currency, x.body_hash, x.frame_studio_ms,
           x.received_at_ms, x.window_basis, x.allowance_ms
      FROM unnest(positions) AS p(pos),
           LATERAL jsonb_to_record(p_bets -> (p.pos - 1)) AS x(id text, round_id text, table_id text,
             player_id text, spec jsonb, stake bigint, currency text, body_hash text, frame_studio_ms bigint,
             received_at_ms bigint, window_basis text, allowance_ms integer)
     WHERE results[p.pos] ->> 'status' = 'committed'
    ON CONFLICT (id) DO NOTHING;
  END IF;
  RETURN to_jsonb(results);
END
$$;

-- Down Migration

DROP FUNCTION bets_place(jsonb, jsonb);
DROP FUNCTION bet_window_refusal(bigint, bigint, integer, bigint, bigint, integer);
ALTER TABLE bets DROP COLUMN refund_reason, DROP COLUMN allowance_ms;
ALTER TABLE rounds DROP COLUMN min_viewer_delay_ms, DROP COLUMN reveal_after_close_ms, DROP COLUMN reveals_at_studio_ms;
