-- Up Migration

-- Table chat. Messages are kept (moderation, disputes); the id orders them as stored. A sender's
-- retry with the same client id is the same message.
CREATE TABLE chat_messages (
  id bigserial PRIMARY KEY,
  table_id text NOT NULL,
  author_id text NOT NULL,
  author_role text NOT NULL,
  display_name text NOT NULL,
  client_message_id text NOT NULL,
  text text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT chat_messages_role_known CHECK (author_role IN ('player', 'dealer', 'pitboss')),
  CONSTRAINT chat_messages_text_length CHECK (char_length(text) BETWEEN 1 AND 200),
  CONSTRAINT chat_messages_client_id_once UNIQUE (author_id, client_message_id)
);

CREATE INDEX chat_messages_table_idx ON chat_messages (table_id, id DESC);

-- A pit boss's mutes, kept with who set and who lifted them: the active one is the latest row not
-- lifted and not over.
CREATE TABLE chat_mutes (
  id bigserial PRIMARY KEY,
  table_id text NOT NULL,
  player_id text NOT NULL,
  muted_until timestamptz NOT NULL,
  reason text NOT NULL,
  muted_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  lifted_by text,
  lifted_at timestamptz,
  CONSTRAINT chat_mutes_lift_whole CHECK ((lifted_by IS NULL) = (lifted_at IS NULL))
);

CREATE INDEX chat_mutes_active_idx ON chat_mutes (table_id, player_id) WHERE lifted_at IS NULL;

-- Down Migration

DROP TABLE chat_mutes;
DROP TABLE chat_messages;
