-- Up Migration

-- Players with demo-seedable logins; staff (dealers, pit bosses) and services are configured.
CREATE TABLE players (
  id text PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  display_name text NOT NULL,
  currency char(3) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT players_username_format CHECK (username ~ '^[a-z0-9_.-]{3,32}$')
);

-- One row per round. Its state only ever moves by one conditional UPDATE (`WHERE state = <from>`),
-- so two nodes that both believe they own a table can never both move the same round.
CREATE TABLE rounds (
  id text PRIMARY KEY,
  table_id text NOT NULL,
  number bigint NOT NULL,
  game text NOT NULL,
  currency char(3) NOT NULL,
  state text NOT NULL,
  opens_at_studio_ms bigint NOT NULL,
  closes_at_studio_ms bigint,
  -- Server time after which no late bet (however long the player's measured delay) is taken.
  last_acceptance_ms bigint,
  result jsonb,
  result_source text,
  void_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rounds_state_known CHECK (state IN
    ('IDLE', 'BETTING_OPEN', 'BETTING_CLOSED', 'RESULT_PENDING', 'RESULT_CONFIRMED', 'SETTLED', 'VOIDED')),
  CONSTRAINT rounds_game_known CHECK (game IN ('roulette', 'baccarat')),
  CONSTRAINT rounds_number_per_table UNIQUE (table_id, number)
);

-- At most one round in play per table.
CREATE UNIQUE INDEX rounds_one_live_per_table ON rounds (table_id) WHERE state NOT IN ('SETTLED', 'VOIDED');

-- The append-only, hash-chained round log: every transition of every round of a table, each entry
-- hashing the previous one. Its per-table seq is also the sequence number of realtime events.
CREATE TABLE round_log (
  table_id text NOT NULL,
  seq bigint NOT NULL,
  round_id text NOT NULL REFERENCES rounds (id),
  event text NOT NULL,
  entry jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (table_id, seq),
  CONSTRAINT round_log_hash_sha256 CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$')
);

CREATE TRIGGER round_log_append_only BEFORE UPDATE OR DELETE ON round_log
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
CREATE TRIGGER round_log_no_truncate BEFORE TRUNCATE ON round_log
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();

-- A bet and its money are written by the same statement (see BetIntake): the row exists iff the
-- player → escrow transfer `bet:<id>` committed.
CREATE TABLE bets (
  -- <player id>:<client bet id>: a client's ids are its own.
  id text PRIMARY KEY,
  round_id text NOT NULL REFERENCES rounds (id),
  table_id text NOT NULL,
  player_id text NOT NULL REFERENCES players (id),
  spec jsonb NOT NULL,
  stake bigint NOT NULL,
  currency char(3) NOT NULL,
  body_hash text NOT NULL,
  frame_studio_ms bigint,
  received_at_ms bigint NOT NULL,
  window_basis text NOT NULL,
  status text NOT NULL DEFAULT 'placed',
  payout bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  settled_at timestamptz,
  CONSTRAINT bets_stake_positive CHECK (stake > 0 AND stake <= 9007199254740991),
  CONSTRAINT bets_status_known CHECK (status IN ('placed', 'cancelled', 'won', 'lost', 'push', 'refunded')),
  CONSTRAINT bets_window_basis_known CHECK (window_basis IN ('video', 'server-clock'))
);

CREATE INDEX bets_round_idx ON bets (round_id);
CREATE INDEX bets_player_idx ON bets (player_id, created_at DESC);

-- Down Migration

DROP TABLE bets;
DROP TABLE round_log;
DROP TABLE rounds;
DROP TABLE players;
