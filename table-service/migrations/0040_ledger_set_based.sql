-- Up Migration

-- The ledger and the bet intake, set-based (issue 16). Measured with `npm run bench:bets-place`
-- (1,000 bets per call, Debian's PostgreSQL 15, 2-core VM, pg_stat_statements with track = all),
-- the old bets_place spent ~104 µs of its backend a bet, of which 42 µs was ledger_apply's
-- single-row INSERT of each transfer (an executor start and four index inserts per statement),
-- ~25 µs its item loop (nine `->>` lookups and a jsonb result per item), 16 µs the bets' INSERT.
--
-- Now ~76 µs a bet (same bench; transfers' INSERT 24, bets' 16, wallet UPDATE 6.5, the item loop
-- ~10). Every per-row step of a statement goes over arrays with unnest, never a subscript per row:
-- a subscript of an array handed to a query walks it from the start (text elements), so a
-- 76,000-transfer settlement took 110 s that way; with unnest it is linear.
-- - `ledger_apply_core` works on arrays: the checks run item by item in memory against the locked
--   balances (as before), and every transfer that passed is inserted by one INSERT … SELECT;
-- - a transfer id seen before is found by one join, before the items are checked: a replay (same
--   body hash) or a conflict, as before. Two copies of one id in a call: the first that commits
--   wins, the later ones replay or conflict with it, as before;
-- - an id inserted by another transaction after that join (only a conflicting body can: the same
--   body has the same accounts, which this call holds) makes the INSERT skip it; the call then
--   raises 40001, which changes nothing, and table-service runs it again (Database.query), when the
--   join sees it;
-- - `ledger_apply(jsonb, boolean)` keeps its contract (same results, same errors) on top of it;
-- - `bets_place(jsonb)` takes the bets alone (each with its transfer's id, accounts and body hash)
--   and answers only what the intake reads. The two-argument `bets_place` of 0030 stays for nodes
--   of the previous release during a rolling upgrade (it calls ledger_apply, whose contract holds).

CREATE FUNCTION ledger_apply_core(
  p_ids text[], p_from text[], p_to text[], p_amount bigint[], p_currency text[], p_kind text[],
  p_round text[], p_bet text[], p_hash text[], p_atomic boolean,
  OUT o_status text[], OUT o_code text[], OUT o_message text[], OUT o_from_balance bigint[],
  OUT o_to_balance bigint[])
LANGUAGE plpgsql AS $$
DECLARE
  n integer := coalesce(array_length(p_ids, 1), 0);
  acc_ids text[];
  acc_kinds text[];
  acc_currencies text[];
  acc_closed boolean[];
  acc_opening bigint[];
  acc_balances bigint[];
  acc_index jsonb;
  -- Per item: the body hash of the transfer already under its id before this call, or null; and
  -- whether its id occurs more than once in this call.
  prior_hash text[];
  dup boolean[];
  -- id -> position of the item of this call that committed it (ids that occur more than once only).
  committed_at jsonb := '{}';
  f integer;
  t integer;
  p integer;
  v_id text;
  v_amount bigint;
  v_code text;
  v_message text;
  n_ok integer := 0;
  inserted integer;
BEGIN
  o_status := array_fill(NULL::text, ARRAY[n]);
  o_code := array_fill(NULL::text, ARRAY[n]);
  o_message := array_fill(NULL::text, ARRAY[n]);
  o_from_balance := array_fill(NULL::bigint, ARRAY[n]);
  o_to_balance := array_fill(NULL::bigint, ARRAY[n]);
  IF n = 0 THEN
    RETURN;
  END IF;

  -- Every account the call touches, locked in one global order (id, C collation) and read once.
  SELECT array_agg(DISTINCT x.id) INTO acc_ids FROM unnest(p_from || p_to) AS x(id) WHERE x.id IS NOT NULL;
  WITH locked AS (
    SELECT id, kind, currency::text AS currency, closed_at IS NOT NULL AS is_closed, balance
      FROM accounts
     WHERE id = ANY (acc_ids)
     ORDER BY id COLLATE "C"
       FOR NO KEY UPDATE
  )
  SELECT array_agg(l.id), array_agg(l.kind), array_agg(l.currency), array_agg(l.is_closed), array_agg(l.balance)
    INTO acc_ids, acc_kinds, acc_currencies, acc_closed, acc_opening
    FROM locked l;
  acc_balances := acc_opening;
  SELECT coalesce(jsonb_object_agg(u.id, u.pos), '{}') INTO acc_index
    FROM unnest(acc_ids) WITH ORDINALITY AS u(id, pos);

  SELECT array_agg(pr.body_hash ORDER BY u.ord), array_agg(u.copies > 1 ORDER BY u.ord)
    INTO prior_hash, dup
    FROM (SELECT x.id, x.ord, count(*) OVER (PARTITION BY x.id) AS copies
            FROM unnest(p_ids) WITH ORDINALITY AS x(id, ord)) u
    LEFT JOIN transfers pr ON pr.id = u.id;

  FOR i IN 1 .. n LOOP
    v_id := p_ids[i];
    v_amount := p_amount[i];
    v_code := NULL;
    IF prior_hash[i] IS NOT NULL THEN
      -- An id seen before answers as a replay (same body) or a conflict, whatever the checks say:
      -- a retry of a committed bet is not refused because the wallet has since been spent.
      IF prior_hash[i] = p_hash[i] THEN
        o_status[i] := 'replayed';
      ELSE
        v_code := 'LEDGER_IDEMPOTENCY_CONFLICT';
        v_message := format('transfer %s already exists with a different body', v_id);
      END IF;
    ELSIF dup[i] AND committed_at ? v_id THEN
      p := (committed_at ->> v_id)::integer;
      IF p_hash[p] = p_hash[i] THEN
        o_status[i] := 'replayed';
      ELSE
        v_code := 'LEDGER_IDEMPOTENCY_CONFLICT';
        v_message := format('transfer %s already exists with a different body', v_id);
      END IF;
    ELSE
      f := (acc_index ->> p_from[i])::integer;
      t := (acc_index ->> p_to[i])::integer;
      IF v_id IS NULL OR p_from[i] IS NULL OR p_to[i] IS NULL OR v_amount IS NULL OR p_currency[i] IS NULL
          OR p_kind[i] IS NULL OR p_hash[i] IS NULL THEN
        v_code := 'BAD_REQUEST';
        v_message := 'transfer is missing a field';
      ELSIF v_amount <= 0 OR v_amount > 9007199254740991 OR p_from[i] = p_to[i] OR length(v_id) > 200
          OR p_kind[i] !~ '^[a-z][a-z_]{0,31}$' OR p_hash[i] !~ '^[0-9a-f]{64}$' THEN
        v_code := 'BAD_REQUEST';
        v_message := format('transfer %s is malformed', v_id);
      ELSIF f IS NULL THEN
        v_code := 'LEDGER_ACCOUNT_NOT_FOUND';
        v_message := format('account %s does not exist', p_from[i]);
      ELSIF t IS NULL THEN
        v_code := 'LEDGER_ACCOUNT_NOT_FOUND';
        v_message := format('account %s does not exist', p_to[i]);
      ELSIF acc_currencies[f] <> p_currency[i] OR acc_currencies[t] <> p_currency[i] THEN
        v_code := 'LEDGER_CURRENCY_MISMATCH';
        v_message := format('transfer in %s between accounts in %s and %s', p_currency[i], acc_currencies[f],
          acc_currencies[t]);
      ELSIF acc_closed[t] THEN
        v_code := 'LEDGER_ACCOUNT_CLOSED';
        v_message := format('account %s is closed', p_to[i]);
      ELSIF acc_kinds[f] = 'player_wallet' AND acc_balances[f] < v_amount THEN
        v_code := 'WALLET_INSUFFICIENT_FUNDS';
        v_message := 'insufficient funds';
      ELSIF acc_kinds[f] = 'round_escrow' AND acc_balances[f] < v_amount THEN
        v_code := 'LEDGER_INSUFFICIENT_FUNDS';
        v_message := format('escrow %s holds %s, cannot pay %s', p_from[i], acc_balances[f], v_amount);
      ELSIF acc_balances[f] - v_amount < -9007199254740991 OR acc_balances[t] > 9007199254740991 - v_amount THEN
        v_code := 'BAD_REQUEST';
        v_message := 'balance would leave the exact integer range';
      ELSE
        acc_balances[f] := acc_balances[f] - v_amount;
        acc_balances[t] := acc_balances[t] + v_amount;
        o_status[i] := 'committed';
        o_from_balance[i] := acc_balances[f];
        o_to_balance[i] := acc_balances[t];
        n_ok := n_ok + 1;
        IF dup[i] THEN
          committed_at := committed_at || jsonb_build_object(v_id, i);
        END IF;
      END IF;
    END IF;

    IF v_code IS NOT NULL THEN
      IF p_atomic THEN
        RAISE EXCEPTION USING ERRCODE = 'LD001', MESSAGE = v_message,
          DETAIL = jsonb_build_object('index', i - 1, 'code', v_code)::text;
      END IF;
      o_status[i] := 'failed';
      o_code[i] := v_code;
      o_message[i] := v_message;
    END IF;
  END LOOP;

  IF n_ok > 0 THEN
    INSERT INTO transfers (id, from_account, to_account, amount, currency, kind, round_id, bet_id, body_hash)
    SELECT x.id, x.from_account, x.to_account, x.amount, x.currency, x.kind, x.round_id, x.bet_id, x.body_hash
      FROM unnest(p_ids, p_from, p_to, p_amount, p_currency, p_kind, p_round, p_bet, p_hash, o_status)
           AS x(id, from_account, to_account, amount, currency, kind, round_id, bet_id, body_hash, status)
     WHERE x.status = 'committed'
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted <> n_ok THEN
      RAISE EXCEPTION USING ERRCODE = '40001',
        MESSAGE = 'ledger: a transfer id was taken by a concurrent transaction; run the call again';
    END IF;
    UPDATE accounts a SET balance = a.balance + (d.closing - d.opening)
      FROM unnest(acc_ids, acc_opening, acc_balances) AS d(id, opening, closing)
     WHERE a.id = d.id AND d.closing <> d.opening;
  END IF;
END
$$;

-- The contract of 0001's ledger_apply, unchanged: one result per item, in order.
CREATE OR REPLACE FUNCTION ledger_apply(p_items jsonb, p_atomic boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
  froms text[];
  tos text[];
  amounts bigint[];
  currencies text[];
  kinds text[];
  round_ids text[];
  bet_ids text[];
  hashes text[];
  c record;
  results jsonb;
BEGIN
  SELECT array_agg(x.id ORDER BY x.ord), array_agg(x.from_account ORDER BY x.ord),
         array_agg(x.to_account ORDER BY x.ord), array_agg(x.amount ORDER BY x.ord),
         array_agg(x.currency ORDER BY x.ord), array_agg(x.kind ORDER BY x.ord),
         array_agg(x.round_id ORDER BY x.ord), array_agg(x.bet_id ORDER BY x.ord),
         array_agg(x.body_hash ORDER BY x.ord)
    INTO ids, froms, tos, amounts, currencies, kinds, round_ids, bet_ids, hashes
    FROM ROWS FROM (jsonb_to_recordset(p_items) AS (id text, "from" text, "to" text, amount bigint, currency text,
           kind text, "roundId" text, "betId" text, "bodyHash" text))
         WITH ORDINALITY AS x(id, from_account, to_account, amount, currency, kind, round_id, bet_id, body_hash, ord);
  IF ids IS NULL THEN
    RETURN '[]'::jsonb;
  END IF;
  SELECT * INTO c FROM ledger_apply_core(ids, froms, tos, amounts, currencies, kinds, round_ids, bet_ids, hashes,
    p_atomic);
  -- unnest, never a subscript per row in SQL: a subscript of an array handed to a query walks it from
  -- the start (varlena elements), which made a 76,000-transfer settlement take 110 s.
  SELECT jsonb_agg(
           CASE u.status
             WHEN 'failed' THEN jsonb_build_object('status', 'failed', 'code', u.code, 'message', u.message)
             ELSE
               jsonb_build_object('status', u.status, 'transfer', jsonb_build_object(
                 'id', tr.id, 'from', tr.from_account, 'to', tr.to_account, 'amount', tr.amount,
                 'currency', tr.currency, 'kind', tr.kind, 'roundId', tr.round_id, 'betId', tr.bet_id,
                 'seq', tr.seq, 'createdAt', tr.created_at))
               || CASE WHEN u.status = 'committed'
                    THEN jsonb_build_object('fromBalance', u.from_balance, 'toBalance', u.to_balance)
                    ELSE '{}'::jsonb END
           END ORDER BY u.ord)
    INTO results
    FROM unnest(ids, c.o_status, c.o_code, c.o_message, c.o_from_balance, c.o_to_balance) WITH ORDINALITY
           AS u(id, status, code, message, from_balance, to_balance, ord)
    LEFT JOIN transfers tr ON u.status <> 'failed' AND tr.id = u.id;
  RETURN results;
END
$$;

-- Places a batch of bets in one round trip (BetIntake), as 0030's bets_place did, in sets:
-- 1. the rounds, FOR SHARE, in id order (rounds before accounts, everywhere);
-- 2. the window of each bet (bet_window_refusal) as it stands under that lock;
-- 3. the escrows of the bets left, FOR NO KEY UPDATE, in id order: this serialises the batches of a
--    round whichever node sends them ('escrow:…' sorts before 'wallet:…', so ledger_apply_core,
--    which locks escrows and wallets together in id order, keeps the global order);
-- 4. the per-player cap per round against the stakes placed so far (a fresh snapshot: every batch
--    that held the escrow before has committed), bet by bet in batch order; a bet whose id is taken
--    (a retry, or a second copy in the batch) skips it and is answered by the ledger (replay or
--    conflict);
-- 5. the transfers of the rest (ledger_apply_core, each bet on its own), then the rows of the bets
--    whose transfer committed: the row exists iff the transfer does;
-- 6. per bet, in order: {status: committed, fromBalance} | {status: replayed, bet} |
--    {status: failed, code, message[, bet]}, with `bet` the row already under the id for a replay
--    or a window refusal (a retry of a bet taken earlier), so the intake needs no lookup per bet.
CREATE FUNCTION bets_place(p_bets jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  b_id text[];
  b_round text[];
  b_table text[];
  b_player text[];
  b_spec jsonb[];
  b_stake bigint[];
  b_currency text[];
  b_hash text[];
  b_frame bigint[];
  b_received bigint[];
  b_basis text[];
  b_allowance integer[];
  b_cap bigint[];
  b_transfer text[];
  b_wallet text[];
  b_escrow text[];
  b_transfer_hash text[];
  refusal text[];
  capped text[];
  pass integer[];
  taken boolean[];
  pair_of integer[];
  -- Per pair: the stakes it has placed, then as the batch adds to them.
  running bigint[];
  k integer;
  n_pass integer;
  n_l integer := 0;
  -- Per bet: whether it goes to the ledger (passed the window and the cap).
  to_ledger boolean[];
  -- The transfers of those bets, in order, and the ledger's answer for each, side by side.
  t_id text[];
  t_wallet text[];
  t_escrow text[];
  t_stake bigint[];
  t_currency text[];
  t_round text[];
  t_bet text[];
  t_hash text[];
  -- Position in the batch of each of those bets (ids may repeat in a batch: positions do not).
  t_pos integer[];
  l_status text[] := ARRAY[]::text[];
  l_code text[];
  l_message text[];
  l_balance bigint[];
  n_committed integer;
  inserted integer;
  results jsonb;
BEGIN
  SELECT array_agg(x.id ORDER BY x.ord), array_agg(x.round_id ORDER BY x.ord), array_agg(x.table_id ORDER BY x.ord),
         array_agg(x.player_id ORDER BY x.ord), array_agg(x.spec ORDER BY x.ord), array_agg(x.stake ORDER BY x.ord),
         array_agg(x.currency ORDER BY x.ord), array_agg(x.body_hash ORDER BY x.ord),
         array_agg(x.frame_studio_ms ORDER BY x.ord), array_agg(x.received_at_ms ORDER BY x.ord),
         array_agg(x.window_basis ORDER BY x.ord), array_agg(x.allowance_ms ORDER BY x.ord),
         array_agg(x.max_player_stake ORDER BY x.ord), array_agg(x.transfer_id ORDER BY x.ord),
         array_agg(x.wallet ORDER BY x.ord), array_agg(x.escrow ORDER BY x.ord),
         array_agg(x.transfer_hash ORDER BY x.ord)
    INTO b_id, b_round, b_table, b_player, b_spec, b_stake, b_currency, b_hash, b_frame, b_received, b_basis,
         b_allowance, b_cap, b_transfer, b_wallet, b_escrow, b_transfer_hash
    FROM ROWS FROM (jsonb_to_recordset(p_bets) AS (id text, round_id text, table_id text, player_id text, spec jsonb,
           stake bigint, currency text, body_hash text, frame_studio_ms bigint, received_at_ms bigint,
           window_basis text, allowance_ms integer, max_player_stake bigint, transfer_id text, wallet text,
           escrow text, transfer_hash text))
         WITH ORDINALITY AS x(id, round_id, table_id, player_id, spec, stake, currency, body_hash, frame_studio_ms,
           received_at_ms, window_basis, allowance_ms, max_player_stake, transfer_id, wallet, escrow, transfer_hash,
           ord);
  IF b_id IS NULL THEN
    RETURN '[]'::jsonb;
  END IF;
  capped := array_fill(NULL::text, ARRAY[array_length(b_id, 1)]);
  to_ledger := array_fill(false, ARRAY[array_length(b_id, 1)]);

  WITH r AS (
    SELECT id, state, closes_at_studio_ms, reveals_at_studio_ms, min_viewer_delay_ms
      FROM rounds
     WHERE id = ANY (ARRAY(SELECT DISTINCT unnest(b_round)))
     ORDER BY id COLLATE "C"
       FOR SHARE
  )
  SELECT array_agg(
           CASE
             WHEN r.id IS NULL THEN 'ROUND_NOT_FOUND'
             WHEN r.state NOT IN ('BETTING_OPEN', 'BETTING_CLOSED') THEN 'ROUND_CLOSED'
             ELSE bet_window_refusal(u.frame, u.received, u.allowance, r.closes_at_studio_ms,
                    r.reveals_at_studio_ms, r.min_viewer_delay_ms)
           END ORDER BY u.i)
    INTO refusal
    FROM unnest(b_round, b_frame, b_received, b_allowance) WITH ORDINALITY AS u(round_id, frame, received, allowance, i)
    LEFT JOIN r ON r.id = u.round_id;

  -- The escrows of the bets the window let through, then (a new snapshot: every batch that held
  -- them before has committed, a batch of this node's still in flight included) which of those
  -- bets' ids are taken: a retry of a bet in the batch just before is answered as that bet, not
  -- judged again against the cap as a new one.
  PERFORM 1 FROM accounts
    WHERE id = ANY (ARRAY(SELECT DISTINCT u.escrow FROM unnest(b_escrow, refusal) AS u(escrow, refusal)
                           WHERE u.refusal IS NULL))
    ORDER BY id COLLATE "C"
      FOR NO KEY UPDATE;

  SELECT array_agg(u.i ORDER BY u.i), array_agg(u.copy > 1 OR x.id IS NOT NULL ORDER BY u.i)
    INTO pass, taken
    FROM (SELECT g.i, g.id, row_number() OVER (PARTITION BY g.id ORDER BY g.i) AS copy
            FROM unnest(b_id, refusal) WITH ORDINALITY AS g(id, refusal, i)
           WHERE g.refusal IS NULL) u
    LEFT JOIN bets x ON x.id = u.id;
  n_pass := coalesce(array_length(pass, 1), 0);

  IF n_pass > 0 THEN
    -- Each passing bet's (round, player) pair, numbered; the stakes each pair has placed so far, by
    -- number (one indexed scan per pair). Numbered rather than joined back: a join of two sets whose
    -- sizes the planner cannot know (unnest) became a nested loop, 1,000 × 1,000 comparisons a batch.
    WITH p AS MATERIALIZED (
      SELECT u.round_id, u.player_id, u.i, dense_rank() OVER (ORDER BY u.round_id, u.player_id)::integer AS k
        FROM unnest(b_round, b_player, refusal) WITH ORDINALITY AS u(round_id, player_id, refusal, i)
       WHERE u.refusal IS NULL
    )
    SELECT (SELECT array_agg(p.k ORDER BY p.i) FROM p),
           (SELECT array_agg(t.total ORDER BY t.k)
              FROM (SELECT d.k,
                           (SELECT coalesce(sum(bt.stake), 0)
                              FROM bets bt
                             WHERE bt.round_id = d.round_id AND bt.player_id = d.player_id
                               AND bt.status = 'placed')::bigint AS total
                      FROM (SELECT DISTINCT p.k, p.round_id, p.player_id FROM p) d) t)
      INTO pair_of, running;

    FOR j IN 1 .. n_pass LOOP
      k := pair_of[j];
      IF NOT taken[j] AND b_cap[pass[j]] IS NOT NULL AND running[k] + b_stake[pass[j]] > b_cap[pass[j]] THEN
        capped[pass[j]] := format('at most %s per player per round; %s already staked', b_cap[pass[j]], running[k]);
      ELSE
        IF NOT taken[j] THEN
          running[k] := running[k] + b_stake[pass[j]];
        END IF;
        n_l := n_l + 1;
        to_ledger[pass[j]] := true;
      END IF;
    END LOOP;
  END IF;

  IF n_l > 0 THEN
    SELECT array_agg(x.transfer_id ORDER BY x.i), array_agg(x.wallet ORDER BY x.i), array_agg(x.escrow ORDER BY x.i),
           array_agg(x.stake ORDER BY x.i), array_agg(x.currency ORDER BY x.i), array_agg(x.round_id ORDER BY x.i),
           array_agg(x.id ORDER BY x.i), array_agg(x.transfer_hash ORDER BY x.i), array_agg(x.i::integer ORDER BY x.i)
      INTO t_id, t_wallet, t_escrow, t_stake, t_currency, t_round, t_bet, t_hash, t_pos
      FROM unnest(b_transfer, b_wallet, b_escrow, b_stake, b_currency, b_round, b_id, b_transfer_hash, to_ledger)
           WITH ORDINALITY AS x(transfer_id, wallet, escrow, stake, currency, round_id, id, transfer_hash, to_ledger, i)
     WHERE x.to_ledger;
    SELECT o_status, o_code, o_message, o_from_balance INTO l_status, l_code, l_message, l_balance
      FROM ledger_apply_core(t_id, t_wallet, t_escrow, t_stake, t_currency, array_fill('bet'::text, ARRAY[n_l]),
        t_round, t_bet, t_hash, false);

    INSERT INTO bets (id, round_id, table_id, player_id, spec, stake, currency, body_hash, frame_studio_ms,
                      received_at_ms, window_basis, allowance_ms)
    SELECT x.id, x.round_id, x.table_id, x.player_id, x.spec, x.stake, x.currency, x.body_hash, x.frame, x.received,
           x.basis, x.allowance
      FROM unnest(b_id, b_round, b_table, b_player, b_spec, b_stake, b_currency, b_hash, b_frame, b_received, b_basis,
                  b_allowance) WITH ORDINALITY
           AS x(id, round_id, table_id, player_id, spec, stake, currency, body_hash, frame, received, basis, allowance, i)
      JOIN unnest(t_pos, l_status) AS s(i, status) ON s.i = x.i AND s.status = 'committed'
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    SELECT count(*) INTO n_committed FROM unnest(l_status) AS s(v) WHERE s.v = 'committed';
    IF inserted <> n_committed THEN
      RAISE EXCEPTION USING ERRCODE = '40001',
        MESSAGE = 'bets: a bet id was taken by a concurrent transaction; run the call again';
    END IF;
  END IF;

  SELECT jsonb_agg(
           CASE
             WHEN g.refusal IS NOT NULL THEN
               jsonb_build_object('status', 'failed', 'code', 'TABLE_BETTING_CLOSED', 'message', g.refusal)
               || coalesce((SELECT jsonb_build_object('bet', jsonb_build_object('id', bt.id, 'round_id', bt.round_id,
                      'table_id', bt.table_id, 'player_id', bt.player_id, 'spec', bt.spec, 'stake', bt.stake,
                      'currency', bt.currency, 'body_hash', bt.body_hash, 'window_basis', bt.window_basis,
                      'status', bt.status))
                    FROM bets bt WHERE bt.id = g.id), '{}'::jsonb)
             WHEN g.capped IS NOT NULL THEN
               jsonb_build_object('status', 'failed', 'code', 'BET_TABLE_LIMIT', 'message', g.capped)
             WHEN l.st = 'committed' THEN
               jsonb_build_object('status', 'committed', 'fromBalance', l.from_balance)
             WHEN l.st = 'replayed' THEN
               jsonb_build_object('status', 'replayed')
               || coalesce((SELECT jsonb_build_object('bet', jsonb_build_object('id', bt.id, 'round_id', bt.round_id,
                      'table_id', bt.table_id, 'player_id', bt.player_id, 'spec', bt.spec, 'stake', bt.stake,
                      'currency', bt.currency, 'body_hash', bt.body_hash, 'window_basis', bt.window_basis,
                      'status', bt.status))
                    FROM bets bt WHERE bt.id = g.id), '{}'::jsonb)
             ELSE
               jsonb_build_object('status', 'failed', 'code', l.code, 'message', l.message)
           END ORDER BY g.i)
    INTO results
    FROM unnest(b_id, refusal, capped) WITH ORDINALITY AS g(id, refusal, capped, i)
    LEFT JOIN unnest(t_pos, l_status, l_code, l_message, l_balance) AS l(i, st, code, message, from_balance)
      ON l.i = g.i;
  RETURN results;
END
$$;

-- Down Migration

-- ledger_apply keeps the new body: its contract is 0001's, and 0030's bets_place calls it.
DROP FUNCTION bets_place(jsonb);
