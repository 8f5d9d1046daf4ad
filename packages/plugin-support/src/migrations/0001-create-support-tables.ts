import type { MigrationDefinition } from '@botloom/core';
import { encryptMessageText } from './0002-encrypt-message-text.js';

export const createSupportTables: MigrationDefinition = {
  name: '0001-create-support-tables',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `
      CREATE TABLE support_knowledge_items (
        id UUID PRIMARY KEY,
        title TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('file', 'admin')),
        file_path TEXT,
        content TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        chunk_count INTEGER NOT NULL DEFAULT 0,
        indexed_hash TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX support_knowledge_items_file ON support_knowledge_items (file_path) WHERE file_path IS NOT NULL;

      CREATE TABLE support_managers (
        user_id BIGINT PRIMARY KEY,
        name TEXT NOT NULL,
        added_by BIGINT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );

      CREATE TABLE support_tickets (
        id SERIAL PRIMARY KEY,
        customer_id BIGINT NOT NULL,
        customer_chat_id BIGINT NOT NULL,
        customer_name TEXT NOT NULL,
        customer_username TEXT,
        customer_language TEXT,
        status TEXT NOT NULL CHECK (status IN ('ai', 'waiting_manager', 'with_manager', 'closed')),
        channel TEXT NOT NULL DEFAULT 'bot' CHECK (channel IN ('bot', 'webapp')),
        topic_chat_id BIGINT,
        topic_thread_id INTEGER,
        manager_id BIGINT,
        opened_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        handoff_at TIMESTAMPTZ,
        first_response_at TIMESTAMPTZ,
        closed_at TIMESTAMPTZ,
        closed_by TEXT CHECK (closed_by IN ('customer', 'manager', 'system')),
        rating SMALLINT CHECK (rating BETWEEN 1 AND 5),
        rated_at TIMESTAMPTZ,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX support_tickets_one_open ON support_tickets (customer_id) WHERE status <> 'closed';
      CREATE UNIQUE INDEX support_tickets_topic ON support_tickets (topic_chat_id, topic_thread_id) WHERE topic_thread_id IS NOT NULL;
      CREATE INDEX support_tickets_opened ON support_tickets (opened_at DESC);
      CREATE INDEX support_tickets_customer ON support_tickets (customer_id, opened_at DESC);

      CREATE TABLE support_ticket_events (
        id BIGSERIAL PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
        from_status TEXT,
        to_status TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX support_ticket_events_ticket ON support_ticket_events (ticket_id, id);

      CREATE TABLE support_messages (
        id BIGSERIAL PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
        author TEXT NOT NULL CHECK (author IN ('customer', 'ai', 'manager', 'system')),
        author_id BIGINT,
        author_name TEXT,
        channel TEXT NOT NULL CHECK (channel IN ('bot', 'webapp', 'topic', 'system')),
        text TEXT NOT NULL DEFAULT '',
        file_id TEXT,
        file_name TEXT,
        file_type TEXT,
        file_size INTEGER,
        knowledge JSONB,
        confidence REAL,
        offer BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX support_messages_ticket ON support_messages (ticket_id, id);
      `,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      'DROP TABLE IF EXISTS support_messages, support_ticket_events, support_tickets, support_managers, support_knowledge_items',
      { transaction },
    );
  },
};

export const supportMigrations: MigrationDefinition[] = [createSupportTables, encryptMessageText];
