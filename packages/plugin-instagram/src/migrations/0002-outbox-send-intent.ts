import type { MigrationDefinition } from '@botloom/core';

/**
 * A send's intent, written before the Send API call: the part being sent and since when.
 * Cleared when the answer is recorded; left behind only by a crash in between, when the
 * outcome is unknown (the reply is then marked failed for a person, never sent again silently).
 */
export const outboxSendIntent: MigrationDefinition = {
  name: '0002-outbox-send-intent',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `ALTER TABLE instagram_outbox ADD COLUMN sending_part INTEGER, ADD COLUMN sending_since TIMESTAMPTZ;
       CREATE INDEX instagram_outbox_sending ON instagram_outbox (sending_since) WHERE sending_part IS NOT NULL;`,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      `DROP INDEX IF EXISTS instagram_outbox_sending;
       ALTER TABLE instagram_outbox DROP COLUMN IF EXISTS sending_part, DROP COLUMN IF EXISTS sending_since;`,
      { transaction },
    );
  },
};
