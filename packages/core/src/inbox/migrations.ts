import type { MigrationDefinition } from '../plugin/types.js';

export const UPDATE_INBOX_TABLE = 'core_update_inbox';
export const UPDATE_SENDS_TABLE = 'core_update_sends';

/**
 * The durable update inbox: every update Telegram delivered, stored before it is acknowledged,
 * until it is handled (then only its metadata stays, until pruned) or dead-lettered.
 */
export const inboxMigrations: MigrationDefinition[] = [
  {
    name: '0500-update-inbox',
    async up({ queryInterface, transaction }) {
      const run = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      await run(`
        CREATE TABLE ${UPDATE_INBOX_TABLE} (
          update_id bigint PRIMARY KEY,
          -- Updates of one chat key are handled in update_id order: the chat id, or user:<id>
          -- where there is no chat (inline queries); NULL = no order constraint.
          chat_key text,
          user_id bigint,
          update_type text NOT NULL,
          -- The update as JSON, encrypted with core Crypto; NULL once handled.
          payload text,
          status text NOT NULL CHECK (status IN ('pending', 'leased', 'done', 'dead')),
          attempts integer NOT NULL DEFAULT 0,
          available_at timestamptz NOT NULL,
          lease_owner text,
          lease_until timestamptz,
          received_at timestamptz NOT NULL,
          done_at timestamptz,
          dead_at timestamptz,
          last_error text
        )`);
      await run(
        `CREATE INDEX core_update_inbox_open ON ${UPDATE_INBOX_TABLE} (update_id) WHERE status IN ('pending', 'leased')`,
      );
      await run(
        `CREATE INDEX core_update_inbox_open_chat ON ${UPDATE_INBOX_TABLE} (chat_key, update_id) WHERE status IN ('pending', 'leased')`,
      );
      await run(
        `CREATE INDEX core_update_inbox_done ON ${UPDATE_INBOX_TABLE} (done_at) WHERE status = 'done'`,
      );
      await run(
        `CREATE INDEX core_update_inbox_dead ON ${UPDATE_INBOX_TABLE} (update_id) WHERE status = 'dead'`,
      );
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(UPDATE_INBOX_TABLE, { transaction });
    },
  },
  {
    // The Bot API calls an update's handling made, so an attempt after a crash skips them.
    name: '0501-update-sends',
    async up({ queryInterface, transaction }) {
      const run = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      await run(`
        CREATE TABLE ${UPDATE_SENDS_TABLE} (
          update_id bigint NOT NULL,
          seq integer NOT NULL,
          method text NOT NULL,
          chat text NOT NULL,
          -- Telegram's response as JSON, encrypted with core Crypto (it quotes the bot's text).
          response text NOT NULL,
          sent_at timestamptz NOT NULL,
          PRIMARY KEY (update_id, seq)
        )`);
      await run(`CREATE INDEX core_update_sends_sent_at ON ${UPDATE_SENDS_TABLE} (sent_at)`);
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(UPDATE_SENDS_TABLE, { transaction });
    },
  },
];
