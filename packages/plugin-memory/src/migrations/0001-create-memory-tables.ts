import type { MigrationDefinition } from '@botloom/core';

/**
 * Tables of the memory plugin. Every column that can hold what a user wrote (messages,
 * titles, summaries, facts, custom instructions) is ciphertext from core Crypto.
 */
export const createMemoryTables: MigrationDefinition = {
  name: '0001-create-memory-tables',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `
      CREATE TABLE memory_profiles (
        user_id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('coder', 'product_manager', 'assistant', 'custom')),
        custom_instruction_enc TEXT,
        answer_language TEXT NOT NULL DEFAULT 'auto' CHECK (answer_language IN ('auto', 'en', 'ru')),
        answer_length TEXT NOT NULL DEFAULT 'normal' CHECK (answer_length IN ('short', 'normal', 'detailed')),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE TABLE memory_sessions (
        id UUID PRIMARY KEY,
        user_id TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
        summary_status TEXT NOT NULL DEFAULT 'none' CHECK (summary_status IN ('none', 'pending', 'running', 'done', 'empty')),
        summary_claimed_at TIMESTAMPTZ,
        end_reason TEXT CHECK (end_reason IN ('command', 'idle', 'replaced')),
        title_enc TEXT,
        summary_enc TEXT,
        message_count INTEGER NOT NULL DEFAULT 0,
        idle_job_id TEXT,
        started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_activity_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        ended_at TIMESTAMPTZ
      );
      CREATE UNIQUE INDEX memory_sessions_one_active ON memory_sessions (user_id) WHERE status = 'active';
      CREATE INDEX memory_sessions_user_started ON memory_sessions (user_id, started_at DESC);
      CREATE TABLE memory_messages (
        id BIGSERIAL PRIMARY KEY,
        session_id UUID NOT NULL REFERENCES memory_sessions (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content_enc TEXT NOT NULL,
        chars INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX memory_messages_session ON memory_messages (session_id, id);
      CREATE INDEX memory_messages_user ON memory_messages (user_id);
      CREATE TABLE memory_items (
        id UUID PRIMARY KEY,
        user_id TEXT NOT NULL,
        session_id UUID REFERENCES memory_sessions (id) ON DELETE SET NULL,
        kind TEXT NOT NULL CHECK (kind IN ('summary', 'fact')),
        content_enc TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX memory_items_user ON memory_items (user_id, created_at DESC);
      `,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      'DROP TABLE IF EXISTS memory_items; DROP TABLE IF EXISTS memory_messages; DROP TABLE IF EXISTS memory_sessions; DROP TABLE IF EXISTS memory_profiles;',
      { transaction },
    );
  },
};

export const memoryMigrations: MigrationDefinition[] = [createMemoryTables];
