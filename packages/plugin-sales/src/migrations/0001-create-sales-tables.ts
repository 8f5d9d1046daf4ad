import type { MigrationDefinition } from '@botloom/core';

// Tables of the seed's sales and diagnostics parts, prefixed with the plugin id as core asks:
// sales_scripts, sales_script_versions, sales_script_triggers, sales_client_conversations,
// sales_conversation_messages, sales_stage_transitions, sales_diagnostic_results,
// sales_journey_progress. Message text and analysis summaries are encrypted (`*_enc`).
const UP = `
CREATE TABLE sales_scripts (
  id SERIAL PRIMARY KEY,
  slug VARCHAR(63) NOT NULL UNIQUE,
  name VARCHAR(200) NOT NULL,
  draft JSONB,
  draft_updated_at TIMESTAMPTZ,
  draft_updated_by VARCHAR(200),
  published_version INTEGER,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_by VARCHAR(200) NOT NULL
);
CREATE TABLE sales_script_versions (
  id SERIAL PRIMARY KEY,
  script_id INTEGER NOT NULL REFERENCES sales_scripts(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  definition JSONB NOT NULL,
  author VARCHAR(200) NOT NULL,
  changelog VARCHAR(2000) NOT NULL DEFAULT '',
  republished_from INTEGER,
  published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (script_id, number)
);
CREATE TABLE sales_script_triggers (
  id SERIAL PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES sales_script_versions(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  event VARCHAR(20) NOT NULL,
  action VARCHAR(20) NOT NULL,
  spec JSONB NOT NULL
);
CREATE INDEX sales_script_triggers_version ON sales_script_triggers (version_id);
CREATE TABLE sales_client_conversations (
  id UUID PRIMARY KEY,
  script_id INTEGER NOT NULL REFERENCES sales_scripts(id),
  script_version INTEGER NOT NULL,
  user_id BIGINT NOT NULL,
  chat_id BIGINT NOT NULL,
  locale VARCHAR(10) NOT NULL,
  stage VARCHAR(63) NOT NULL,
  stage_entered_at TIMESTAMPTZ NOT NULL,
  stage_turns INTEGER NOT NULL DEFAULT 0,
  line_cursor INTEGER NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  last_strategy VARCHAR(10),
  taken_over_by VARCHAR(200),
  end_reason VARCHAR(40),
  education_status VARCHAR(20),
  last_client_at TIMESTAMPTZ,
  follow_up_stage VARCHAR(63),
  started_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  ended_at TIMESTAMPTZ
);
CREATE INDEX sales_conversations_user ON sales_client_conversations (user_id, status);
CREATE INDEX sales_conversations_status ON sales_client_conversations (status, updated_at);
CREATE TABLE sales_conversation_messages (
  id SERIAL PRIMARY KEY,
  conversation_id UUID NOT NULL REFERENCES sales_client_conversations(id) ON DELETE CASCADE,
  author VARCHAR(10) NOT NULL,
  text_enc TEXT,
  text_length INTEGER NOT NULL,
  stage VARCHAR(63) NOT NULL,
  script_version INTEGER NOT NULL,
  strategy VARCHAR(10),
  script_fit_score REAL,
  intent VARCHAR(40),
  sentiment VARCHAR(10),
  tone VARCHAR(20),
  consent BOOLEAN,
  analysis_source VARCHAR(10),
  analysis_enc TEXT,
  analysis_status VARCHAR(10),
  tokens INTEGER NOT NULL DEFAULT 0,
  latency_ms INTEGER NOT NULL DEFAULT 0,
  operator VARCHAR(200),
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sales_messages_conversation ON sales_conversation_messages (conversation_id, id);
CREATE TABLE sales_stage_transitions (
  id SERIAL PRIMARY KEY,
  conversation_id UUID NOT NULL REFERENCES sales_client_conversations(id) ON DELETE CASCADE,
  message_id INTEGER REFERENCES sales_conversation_messages(id) ON DELETE SET NULL,
  from_stage VARCHAR(63),
  to_stage VARCHAR(63) NOT NULL,
  applied BOOLEAN NOT NULL,
  reason VARCHAR(500) NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sales_transitions_conversation ON sales_stage_transitions (conversation_id, id);
CREATE TABLE sales_diagnostic_results (
  id SERIAL PRIMARY KEY,
  conversation_id UUID NOT NULL REFERENCES sales_client_conversations(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL,
  questionnaire_id VARCHAR(63) NOT NULL,
  question_id VARCHAR(63) NOT NULL,
  answer_enc TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  UNIQUE (conversation_id, questionnaire_id, question_id)
);
CREATE INDEX sales_diagnostics_user ON sales_diagnostic_results (user_id);
CREATE TABLE sales_journey_progress (
  id SERIAL PRIMARY KEY,
  conversation_id UUID NOT NULL REFERENCES sales_client_conversations(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL,
  script_id INTEGER NOT NULL,
  stage VARCHAR(63) NOT NULL,
  entered_at TIMESTAMPTZ NOT NULL,
  left_at TIMESTAMPTZ
);
CREATE INDEX sales_journey_user ON sales_journey_progress (user_id);
CREATE INDEX sales_journey_script ON sales_journey_progress (script_id, stage);
`;

const DOWN = `
DROP TABLE IF EXISTS sales_journey_progress, sales_diagnostic_results, sales_stage_transitions,
  sales_conversation_messages, sales_client_conversations, sales_script_triggers,
  sales_script_versions, sales_scripts;
`;

export const createSalesTables: MigrationDefinition = {
  name: '0001-create-sales-tables',
  async up({ sequelize, transaction }) {
    await sequelize.query(UP, { transaction });
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(DOWN, { transaction });
  },
};

export const salesMigrations: MigrationDefinition[] = [createSalesTables];
