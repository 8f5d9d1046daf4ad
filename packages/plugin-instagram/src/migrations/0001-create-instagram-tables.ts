import type { MigrationDefinition } from '@botloom/core';
import { outboxSendIntent } from './0002-outbox-send-intent.js';
import { addBehaviourCluster } from './0003-add-behaviour-cluster.js';
import { conversationHandoffReason } from './0004-conversation-handoff-reason.js';

/**
 * Every table of the plugin. User text (message content, summaries, raw webhook bodies,
 * outgoing texts) and the access token are stored encrypted with core Crypto; the search
 * vectors hold stemmed words (see the README's "Data and privacy").
 */
export const createInstagramTables: MigrationDefinition = {
  name: '0001-create-instagram-tables',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `
      CREATE TABLE instagram_credentials (
        name TEXT PRIMARY KEY,
        value_encrypted TEXT NOT NULL,
        updated_by TEXT,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );

      CREATE TABLE instagram_deliveries (
        id BIGSERIAL PRIMARY KEY,
        body_sha256 TEXT NOT NULL UNIQUE,
        body_encrypted TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'bad')),
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        processed_at TIMESTAMPTZ
      );
      CREATE INDEX instagram_deliveries_pending ON instagram_deliveries (received_at) WHERE status = 'pending';

      CREATE TABLE instagram_events (
        id BIGSERIAL PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        delivery_id BIGINT NOT NULL REFERENCES instagram_deliveries (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        igsid TEXT,
        mid TEXT,
        standby BOOLEAN NOT NULL DEFAULT false,
        status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'handled')),
        detail JSONB NOT NULL DEFAULT '{}'::jsonb,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        handled_at TIMESTAMPTZ
      );
      CREATE INDEX instagram_events_kind ON instagram_events (kind, received_at DESC);

      CREATE TABLE instagram_users (
        id SERIAL PRIMARY KEY,
        igsid TEXT NOT NULL UNIQUE,
        username TEXT,
        profile_data JSONB NOT NULL DEFAULT '{}'::jsonb,
        preferences JSONB NOT NULL DEFAULT '{}'::jsonb,
        segment TEXT,
        tags TEXT[] NOT NULL DEFAULT '{}',
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_seen_at TIMESTAMPTZ
      );

      CREATE TABLE instagram_conversations (
        id UUID PRIMARY KEY,
        thread_id TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES instagram_users (id) ON DELETE CASCADE,
        context JSONB NOT NULL DEFAULT '{}'::jsonb,
        summary_encrypted TEXT,
        sentiment TEXT,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'handoff', 'closed')),
        standby BOOLEAN NOT NULL DEFAULT false,
        tags TEXT[] NOT NULL DEFAULT '{}',
        message_count INTEGER NOT NULL DEFAULT 0,
        last_user_message_at TIMESTAMPTZ,
        last_reply_at TIMESTAMPTZ,
        handed_off_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX instagram_conversations_updated ON instagram_conversations (updated_at DESC);

      CREATE TABLE instagram_messages (
        id UUID PRIMARY KEY,
        conversation_id UUID NOT NULL REFERENCES instagram_conversations (id) ON DELETE CASCADE,
        mid TEXT UNIQUE,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        sender_type TEXT NOT NULL CHECK (sender_type IN ('user', 'bot', 'human', 'echo')),
        content_encrypted TEXT,
        search_vector TSVECTOR,
        ai_confidence REAL,
        sentiment TEXT,
        intent TEXT,
        analysis_source TEXT,
        metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
        deleted_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX instagram_messages_conversation ON instagram_messages (conversation_id, created_at DESC);
      CREATE INDEX instagram_messages_search ON instagram_messages USING GIN (search_vector);

      CREATE TABLE instagram_rules (
        id UUID PRIMARY KEY,
        name TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 100,
        enabled BOOLEAN NOT NULL DEFAULT true,
        conditions JSONB NOT NULL,
        action JSONB NOT NULL,
        cooldown_seconds INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );

      CREATE TABLE instagram_decisions (
        id BIGSERIAL PRIMARY KEY,
        conversation_id UUID NOT NULL REFERENCES instagram_conversations (id) ON DELETE CASCADE,
        message_id UUID REFERENCES instagram_messages (id) ON DELETE CASCADE,
        rule_id UUID REFERENCES instagram_rules (id) ON DELETE SET NULL,
        rule_name TEXT,
        action TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX instagram_decisions_message ON instagram_decisions (message_id);
      CREATE INDEX instagram_decisions_rule ON instagram_decisions (conversation_id, rule_id, created_at DESC);

      CREATE TABLE instagram_outbox (
        id UUID PRIMARY KEY,
        conversation_id UUID NOT NULL REFERENCES instagram_conversations (id) ON DELETE CASCADE,
        recipient TEXT NOT NULL,
        author TEXT NOT NULL CHECK (author IN ('bot', 'human')),
        author_name TEXT,
        text_encrypted TEXT,
        attachment JSONB,
        reply_key TEXT UNIQUE,
        source TEXT NOT NULL DEFAULT 'auto',
        rule_id UUID,
        plan_id UUID,
        experiment_id UUID,
        variant TEXT,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'refused', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        parts_sent INTEGER NOT NULL DEFAULT 0,
        messaging_type TEXT,
        tag TEXT,
        error_code TEXT,
        error_message TEXT,
        message_ids TEXT[] NOT NULL DEFAULT '{}',
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        sent_at TIMESTAMPTZ
      );
      CREATE INDEX instagram_outbox_conversation ON instagram_outbox (conversation_id, created_at DESC);
      CREATE INDEX instagram_outbox_status ON instagram_outbox (status, created_at);

      CREATE TABLE instagram_agent_plans (
        id UUID PRIMARY KEY,
        name TEXT NOT NULL,
        goal TEXT NOT NULL,
        constraints JSONB NOT NULL DEFAULT '[]'::jsonb,
        steps JSONB NOT NULL DEFAULT '[]'::jsonb,
        status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'running', 'done', 'cancelled', 'failed')),
        progress REAL NOT NULL DEFAULT 0,
        report JSONB NOT NULL DEFAULT '{}'::jsonb,
        created_by TEXT,
        approved_by TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );

      CREATE TABLE instagram_experiments (
        id UUID PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopped')),
        metric TEXT NOT NULL CHECK (metric IN ('conversion', 'reply', 'positive_sentiment')),
        kind TEXT NOT NULL CHECK (kind IN ('template', 'prompt')),
        variants JSONB NOT NULL,
        min_sample INTEGER NOT NULL DEFAULT 100,
        winner TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        stopped_at TIMESTAMPTZ
      );

      CREATE TABLE instagram_experiment_assignments (
        experiment_id UUID NOT NULL REFERENCES instagram_experiments (id) ON DELETE CASCADE,
        igsid TEXT NOT NULL,
        variant TEXT NOT NULL,
        exposed_at TIMESTAMPTZ,
        success_at TIMESTAMPTZ,
        PRIMARY KEY (experiment_id, igsid)
      );

      CREATE TABLE instagram_conversions (
        id BIGSERIAL PRIMARY KEY,
        conversation_id UUID NOT NULL REFERENCES instagram_conversations (id) ON DELETE CASCADE,
        igsid TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      `,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      `DROP TABLE IF EXISTS instagram_conversions, instagram_experiment_assignments, instagram_experiments,
         instagram_agent_plans, instagram_outbox, instagram_decisions, instagram_rules, instagram_messages,
         instagram_conversations, instagram_users, instagram_events, instagram_deliveries, instagram_credentials`,
      { transaction },
    );
  },
};

export const instagramMigrations: MigrationDefinition[] = [
  createInstagramTables,
  outboxSendIntent,
  addBehaviourCluster,
  conversationHandoffReason,
];
