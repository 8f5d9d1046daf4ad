import type { MigrationDefinition } from '@botloom/core';

/**
 * Education groups (the seed's "Script #2") and what is said in them.
 *
 * `education_groups`: one row per group the plugin runs a scenario in: pool groups the operator
 * registered (`source = 'pool'`, free until offered), and groups a client created through the
 * request_chat button (`source = 'client'`; the row exists from the moment the button is sent,
 * with `chat_id` null until the client shares the group). `status` walks
 * free → invited → active → finished, or awaiting_chat → active → finished; `unusable` when
 * Telegram says the group is gone or the bot lost its rights.
 *
 * `group_messages`: every message in a running group, the text encrypted with core's crypto,
 * with the analysis and who the plugin let answer.
 */
export const educationGroupsMigration: MigrationDefinition = {
  name: '0002-education-groups',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `
      CREATE TABLE education_groups (
        id SERIAL PRIMARY KEY,
        chat_id BIGINT UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL CHECK (source IN ('pool', 'client')),
        status TEXT NOT NULL CHECK (status IN ('free', 'invited', 'awaiting_chat', 'active', 'finished', 'unusable')),
        client_user_id BIGINT,
        client_chat_id BIGINT,
        conversation_id TEXT,
        script_id TEXT,
        script_version INTEGER,
        locale TEXT NOT NULL DEFAULT 'en',
        invite_link TEXT,
        stage_index INTEGER NOT NULL DEFAULT 0,
        stage_attempts INTEGER NOT NULL DEFAULT 0,
        problem TEXT,
        invited_at TIMESTAMPTZ,
        joined_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CHECK (source = 'client' OR chat_id IS NOT NULL)
      );
      CREATE INDEX education_groups_free ON education_groups (id) WHERE status = 'free';
      CREATE UNIQUE INDEX education_groups_invite ON education_groups (invite_link) WHERE invite_link IS NOT NULL;
      CREATE INDEX education_groups_client ON education_groups (client_user_id, status);

      CREATE TABLE group_messages (
        id BIGSERIAL PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES education_groups (id) ON DELETE CASCADE,
        message_id INTEGER,
        author TEXT NOT NULL CHECK (author IN ('client', 'member', 'bot', 'assistant')),
        author_id BIGINT,
        stage_id TEXT,
        text_enc TEXT NOT NULL,
        analysis JSONB,
        responder TEXT CHECK (responder IN ('bot', 'assistant', 'nobody')),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX group_messages_group ON group_messages (group_id, id);
      `,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query('DROP TABLE IF EXISTS group_messages; DROP TABLE IF EXISTS education_groups;', {
      transaction,
    });
  },
};
