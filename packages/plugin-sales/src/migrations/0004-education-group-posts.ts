import type { MigrationDefinition } from '@botloom/core';

/**
 * Education groups that survive crashes and retries.
 *
 * `group_messages`: a client's or member's message is stored once per (group, Telegram id), so an
 * update the inbox retries is handled once (the bot's own rows may have no id).
 *
 * `education_group_posts`: Script #2's posts in a group, planned in order before anything is
 * sent. Each is delivered by a durable job; `status` walks pending → sending → sent (or failed
 * after its tries, or unconfirmed when an instance died while sending it: never sent twice).
 */
export const educationGroupPostsMigration: MigrationDefinition = {
  name: '0004-education-group-posts',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `
      CREATE UNIQUE INDEX group_messages_incoming ON group_messages (group_id, message_id)
        WHERE author IN ('client', 'member') AND message_id IS NOT NULL;

      CREATE TABLE education_group_posts (
        id BIGSERIAL PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES education_groups (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        stage_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('bot', 'assistant')),
        payload JSONB NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unconfirmed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        message_id INTEGER,
        problem TEXT,
        claimed_at TIMESTAMPTZ,
        sent_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (group_id, seq)
      );
      CREATE INDEX education_group_posts_open ON education_group_posts (group_id, seq)
        WHERE status IN ('pending', 'sending');
      `,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      'DROP TABLE IF EXISTS education_group_posts; DROP INDEX IF EXISTS group_messages_incoming;',
      { transaction },
    );
  },
};
