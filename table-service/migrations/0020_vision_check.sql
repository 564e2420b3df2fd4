-- Up Migration

-- Vision cross-check. A round of a vision-checked table (fixed when it opens) is confirmed by a
-- reading that agrees with the dealer's result; a disagreement, a low-confidence reading or no
-- reading in time holds it in RESULT_PENDING for the pit boss, with an alert.
ALTER TABLE rounds
  ADD COLUMN vision_check boolean NOT NULL DEFAULT false,
  -- Studio time of the frame where the result happened, when the dealer gave it.
  ADD COLUMN result_studio_ms bigint,
  -- Server wall clock when the result was entered: the vision timeout runs from here.
  ADD COLUMN result_at_ms bigint,
  ADD COLUMN confirmed_by text,
  ADD COLUMN confirmed_reading_id text,
  ADD COLUMN hold_reason text,
  ADD COLUMN hold_alert_id text,
  ADD COLUMN held_at_ms bigint,
  ADD CONSTRAINT rounds_hold_reason_known CHECK (hold_reason IN ('disagreement', 'low_confidence', 'no_reading')),
  ADD CONSTRAINT rounds_hold_whole CHECK ((hold_reason IS NULL) = (hold_alert_id IS NULL) AND (hold_reason IS NULL) = (held_at_ms IS NULL));

-- Pending rounds waiting on vision, for the table owner's timeout check.
CREATE INDEX rounds_vision_pending_idx ON rounds (table_id) WHERE state = 'RESULT_PENDING' AND vision_check;

-- Every reading the vision worker sent, kept whether or not it was attributed to a round (an audit
-- of what vision saw). The id is the worker's: a retry with the same body is the same reading.
CREATE TABLE vision_readings (
  id text PRIMARY KEY,
  table_id text NOT NULL,
  -- The round whose betting had closed by the reading's frame and that was waiting for its result;
  -- null: nothing to check it against (an old frame, the previous round's ball or cards).
  round_id text REFERENCES rounds (id),
  studio_ms bigint NOT NULL,
  received_at_ms bigint NOT NULL,
  confidence double precision NOT NULL,
  result jsonb NOT NULL,
  body_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT vision_readings_confidence_range CHECK (confidence >= 0 AND confidence <= 1)
);

CREATE INDEX vision_readings_round_idx ON vision_readings (round_id, studio_ms) WHERE round_id IS NOT NULL;

-- What pit bosses must look at. Resolved when the pit boss sets the result or voids the round.
CREATE TABLE alerts (
  id text PRIMARY KEY,
  table_id text NOT NULL,
  round_id text REFERENCES rounds (id),
  kind text NOT NULL,
  message text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by text,
  resolution text,
  CONSTRAINT alerts_resolution_whole CHECK ((resolved_at IS NULL) = (resolved_by IS NULL))
);

-- A round is held at most once (the hold is only ever set on an unheld round, under its row lock).
CREATE UNIQUE INDEX alerts_one_hold_per_round ON alerts (round_id) WHERE kind = 'round_held';
CREATE INDEX alerts_open_idx ON alerts (created_at) WHERE resolved_at IS NULL;

-- Down Migration

DROP TABLE alerts;
DROP TABLE vision_readings;
DROP INDEX rounds_vision_pending_idx;
ALTER TABLE rounds
  DROP CONSTRAINT rounds_hold_whole,
  DROP CONSTRAINT rounds_hold_reason_known,
  DROP COLUMN held_at_ms,
  DROP COLUMN hold_alert_id,
  DROP COLUMN hold_reason,
  DROP COLUMN confirmed_reading_id,
  DROP COLUMN confirmed_by,
  DROP COLUMN result_at_ms,
  DROP COLUMN result_studio_ms,
  DROP COLUMN vision_check;
