import type { MigrationDefinition } from '@botloom/core';

/**
 * `sales_conversation_messages.telegram_message_id`: the Telegram id of a client's message, unique
 * per conversation, so an update the inbox retries is stored once.
 */
export const idempotentClientMessagesMigration: MigrationDefinition = {
  name: '0003-idempotent-client-messages',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `
      ALTER TABLE sales_conversation_messages ADD COLUMN telegram_message_id BIGINT;
      CREATE UNIQUE INDEX sales_messages_telegram ON sales_conversation_messages (conversation_id, telegram_message_id)
        WHERE telegram_message_id IS NOT NULL;
      `,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      `DROP INDEX IF EXISTS sales_messages_telegram;
       ALTER TABLE sales_conversation_messages DROP COLUMN IF EXISTS telegram_message_id;`,
      { transaction },
    );
  },
};
