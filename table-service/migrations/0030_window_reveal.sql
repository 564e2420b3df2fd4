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


-- The per-player cap per round is judged in the batch's own statement too. Seeding a running total per
-- (round, player) pair with a SELECT the first time a node saw the pair cost one extra round trip and
-- transaction per bet when every player bets once a round (measured: 2,960 transactions for 2,000
-- bets), which broke group commit, and held the cap per node only.
--
-- (round_id, player_id) serves both the cap's lookups and everything bets_round_idx served (its
-- prefix), so the bet insert keeps the same number of indexes.
CREATE INDEX bets_round_player_idx ON bets (round_id, player_id);
DROP INDEX bets_round_idx;

-- Places a batch of bets in one round trip (BetIntake):
-- 1. the rounds the bets are for, FOR SHARE, in one order (id, C collation): rounds before accounts,
--    everywhere, is the lock order that keeps bets, cancels, closes and settlements from deadlocking;
-- 2. the window (bet_window_refusal), as it stands under that lock;
-- 3. the escrow accounts of the bets left, FOR NO KEY UPDATE, in id order. Every bet of a round
--    credits that round's escrow, so this serialises every batch of a round, whichever node sends
--    it; escrow ids ('escrow:…') sort before wallets ('wallet:…'), so ledger_apply, which locks all
--    the accounts in id order, takes them in the same global order;
-- 4. the stakes already placed by each (round, player) pair of the batch, read now (a new snapshot:
--    every batch that held the escrow before has committed), and the cap (`max_player_stake` of
--    each bet, the table's) checked bet by bet in batch order: a bet that would take its player's
--    total on the round past the cap fails with BET_TABLE_LIMIT. Exact across nodes. A bet whose id
--    is already taken (a retry, or a second copy in the batch) is left to ledger_apply, which
--    answers it as a replay or a conflict. A bet of the batch later refused by ledger_apply (funds)
--    still counted against the cap of the bets after it in the same batch: refusals err on the
--    side of the cap, as in-flight reservations did;
-- 5. ledger_apply (each bet on its own) and the rows of those whose transfer committed;
-- 6. for the bets not committed that may be a retry of one taken earlier (a replay, or a window
--    refusal), the row already there, as `bet`: the intake answers them without a lookup per bet.
-- Returns one result per bet, in order, as ledger_apply does.
CREATE FUNCTION bets_place(p_transfers jsonb, p_bets jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  n integer := jsonb_array_length(p_bets);
  rounds_by_id jsonb;
  r jsonb;
  b jsonb;
  refusal text;
  -- Subscript assignment, not `||`: an expanded array is changed in place, `||` copies it each time.
  passed integer[] := ARRAY[]::integer[];
  n_passed integer := 0;
  -- Per bet of `passed`, side by side: its pair's number, whether its id is taken, the pair's placed total.
  pair_of integer[];
  id_taken boolean[];
  placed_before bigint[];
  running bigint[];
  v_cap bigint;
  v_stake bigint;
  k integer;
  positions integer[] := ARRAY[]::integer[];
  n_positions integer := 0;
  to_apply jsonb;
  applied jsonb;
  prior record;
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
      n_passed := n_passed + 1;
      passed[n_passed] := i + 1;
    END IF;
  END LOOP;

  IF n_passed > 0 THEN
    PERFORM 1 FROM accounts
      WHERE id = ANY (ARRAY(SELECT DISTINCT p_transfers -> (p.pos - 1) ->> 'to' FROM unnest(passed) AS p(pos)))
      ORDER BY id COLLATE "C"
        FOR NO KEY UPDATE;

    -- One indexed scan per (round, player) pair of the batch: its placed total and the ids it has.
    WITH batch AS (
      SELECT p.ord, e ->> 'id' AS id, e ->> 'round_id' AS round_id, e ->> 'player_id' AS player_id,
             row_number() OVER (PARTITION BY e ->> 'id' ORDER BY p.ord) > 1 AS repeated
        FROM unnest(passed) WITH ORDINALITY AS p(pos, ord), LATERAL (SELECT p_bets -> (p.pos - 1)) AS x(e)
    ), pairs AS (
      SELECT round_id, player_id, row_number() OVER ()::integer AS k
        FROM (SELECT DISTINCT round_id, player_id FROM batch) d
    ), placed AS (
      SELECT pr.k, pr.round_id, pr.player_id, s.total, s.ids
        FROM pairs pr,
             LATERAL (SELECT coalesce(sum(bt.stake) FILTER (WHERE bt.status = 'placed'), 0)::bigint AS total,
                             coalesce(array_agg(bt.id), ARRAY[]::text[]) AS ids
                        FROM bets bt
                       WHERE bt.round_id = pr.round_id AND bt.player_id = pr.player_id) s
    )
    SELECT array_agg(pl.k ORDER BY bt.ord), array_agg(bt.repeated OR bt.id = ANY (pl.ids) ORDER BY bt.ord),
           array_agg(pl.total ORDER BY bt.ord), max(pl.k)
      INTO pair_of, id_taken, placed_before, k
      FROM batch bt JOIN placed pl ON pl.round_id = bt.round_id AND pl.player_id = bt.player_id;
    running := array_fill(NULL::bigint, ARRAY[k]);

    FOR j IN 1 .. n_passed LOOP
      b := p_bets -> (passed[j] - 1);
      k := pair_of[j];
      IF running[k] IS NULL THEN
        running[k] := placed_before[j];
      END IF;
      v_cap := (b ->> 'max_player_stake')::bigint;
      v_stake := (b ->> 'stake')::bigint;
      IF id_taken[j] THEN
        n_positions := n_positions + 1;
        positions[n_positions] := passed[j];
      ELSIF v_cap IS NOT NULL AND running[k] + v_stake > v_cap THEN
        results[passed[j]] := jsonb_build_object('status', 'failed', 'code', 'BET_TABLE_LIMIT',
          'message', format('at most %s per player per round; %s already staked', v_cap, running[k]));
      ELSE
        running[k] := running[k] + v_stake;
        n_positions := n_positions + 1;
        positions[n_positions] := passed[j];
      END IF;
    END LOOP;
  END IF;

  IF n_positions > 0 THEN
    SELECT jsonb_agg(p_transfers -> (p.pos - 1) ORDER BY p.k) INTO to_apply
      FROM unnest(positions) WITH ORDINALITY AS p(pos, k);
    applied := ledger_apply(to_apply, false);
    FOR j IN 1 .. n_positions LOOP
      results[positions[j]] := applied -> (j - 1);
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

  FOR prior IN
    SELECT p.pos, bt.id, bt.round_id, bt.table_id, bt.player_id, bt.spec, bt.stake, bt.currency, bt.body_hash,
           bt.window_basis, bt.status
      FROM generate_subscripts(results, 1) AS p(pos)
      JOIN bets bt ON bt.id = p_bets -> (p.pos - 1) ->> 'id'
     WHERE results[p.pos] ->> 'status' = 'replayed'
        OR results[p.pos] ->> 'code' = 'TABLE_BETTING_CLOSED'
  LOOP
    results[prior.pos] := results[prior.pos] || jsonb_build_object('bet', jsonb_build_object(
      'id', prior.id, 'round_id', prior.round_id, 'table_id', prior.table_id, 'player_id', prior.player_id,
      'spec', prior.spec, 'stake', prior.stake, 'currency', prior.currency, 'body_hash', prior.body_hash,
      'window_basis', prior.window_basis, 'status', prior.status));
  END LOOP;
  RETURN to_jsonb(results);
END
$$;

-- Down Migration

DROP FUNCTION bets_place(jsonb, jsonb);
CREATE INDEX bets_round_idx ON bets (round_id);
DROP INDEX bets_round_player_idx;
DROP FUNCTION bet_window_refusal(bigint, bigint, integer, bigint, bigint, integer);
ALTER TABLE bets DROP COLUMN refund_reason, DROP COLUMN allowance_ms;
ALTER TABLE rounds DROP COLUMN min_viewer_delay_ms, DROP COLUMN reveal_after_close_ms, DROP COLUMN reveals_at_studio_ms;
