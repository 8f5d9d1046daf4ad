import type { MigrationDefinition } from '@botloom/core';

/**
 * Support message text at rest: `text_enc` (encrypted with core's crypto) and `search_terms`
 * (a blind index of keyed word hashes, see `MessageTextCodec`). A migration cannot reach the
 * encryption key, so existing plaintext rows are sealed by the plugin at start
 * (`encryptPlaintextMessages`); until then they stay readable from `text`.
 */
export const encryptMessageText: MigrationDefinition = {
  name: '0002-encrypt-message-text',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `
      ALTER TABLE support_messages ADD COLUMN text_enc TEXT;
      ALTER TABLE support_messages ADD COLUMN search_terms TEXT[] NOT NULL DEFAULT '{}';
      CREATE INDEX support_messages_search_terms ON support_messages USING GIN (search_terms);
      CREATE INDEX support_messages_plaintext ON support_messages (id) WHERE text_enc IS NULL AND text <> '';
      `,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      `
      DROP INDEX IF EXISTS support_messages_plaintext;
      DROP INDEX IF EXISTS support_messages_search_terms;
      ALTER TABLE support_messages DROP COLUMN IF EXISTS search_terms;
      ALTER TABLE support_messages DROP COLUMN IF EXISTS text_enc;
      `,
      { transaction },
    );
  },
};
