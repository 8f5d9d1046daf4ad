import type { MigrationDefinition } from '@botloom/core';

/**
 * Why a thread waits for a person (`rule`, `operator`, `low_confidence`, `budget`), shown in
 * the inbox next to the status; cleared when the thread is handed back. Threads handed off
 * before this column existed keep no reason (null).
 */
export const conversationHandoffReason: MigrationDefinition = {
  name: '0004-conversation-handoff-reason',
  async up({ sequelize, transaction }) {
    await sequelize.query('ALTER TABLE instagram_conversations ADD COLUMN handoff_reason TEXT', {
      transaction,
    });
  },
  async down({ sequelize, transaction }) {
    await sequelize.query('ALTER TABLE instagram_conversations DROP COLUMN IF EXISTS handoff_reason', {
      transaction,
    });
  },
};
