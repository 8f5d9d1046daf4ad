import type { MigrationDefinition } from '@botloom/core';

/**
 * Tables of the commentator plugin (the seed's names, prefixed with the plugin id).
 *
 * Secrets (the phone number, the MTProto session string, the pending login's code hash) and
 * what people write to the operator's accounts are ciphertext from core Crypto; the phone also
 * has a keyed digest so a second login with the same number is found without decrypting.
 * Channel posts and our own comments are public text and are stored as they are.
 */
export const createCommentatorTables: MigrationDefinition = {
  name: '0001-create-commentator-tables',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `
      CREATE TABLE commentator_accounts (
        id SERIAL PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('bot', 'user')),
        label TEXT NOT NULL,
        phone_enc TEXT,
        phone_digest TEXT UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('pending_code', 'active', 'paused', 'logged_out', 'deactivated')),
        paused_until TIMESTAMPTZ,
        pause_reason TEXT,
        telegram_user_id BIGINT,
        disclosure_enabled BOOLEAN NOT NULL DEFAULT true,
        disclosure_text TEXT,
        hourly_cap INTEGER,
        daily_cap INTEGER,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX commentator_accounts_one_bot ON commentator_accounts (kind) WHERE kind = 'bot';

      CREATE TABLE commentator_account_personalities (
        account_id INTEGER PRIMARY KEY REFERENCES commentator_accounts (id) ON DELETE CASCADE,
        style TEXT NOT NULL DEFAULT '',
        tone TEXT NOT NULL DEFAULT '',
        interests JSONB NOT NULL DEFAULT '[]',
        vocabulary JSONB NOT NULL DEFAULT '[]',
        phrases JSONB NOT NULL DEFAULT '[]',
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );

      CREATE TABLE commentator_telegram_account_sessions (
        account_id INTEGER PRIMARY KEY REFERENCES commentator_accounts (id) ON DELETE CASCADE,
        session_enc TEXT,
        phone_code_hash_enc TEXT,
        code_requested_at TIMESTAMPTZ,
        code_attempts INTEGER NOT NULL DEFAULT 0,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );

      CREATE TABLE commentator_account_security_logs (
        id BIGSERIAL PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES commentator_accounts (id) ON DELETE CASCADE,
        event TEXT NOT NULL,
        details JSONB NOT NULL DEFAULT '{}',
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX commentator_security_logs_account ON commentator_account_security_logs (account_id, id DESC);

      CREATE TABLE commentator_telegram_channels (
        id SERIAL PRIMARY KEY,
        chat_id BIGINT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        username TEXT,
        route TEXT NOT NULL CHECK (route IN ('bot', 'account')),
        account_id INTEGER NOT NULL REFERENCES commentator_accounts (id),
        discussion_chat_id BIGINT,
        comments_open BOOLEAN NOT NULL DEFAULT false,
        owned BOOLEAN NOT NULL DEFAULT false,
        never_comment BOOLEAN NOT NULL DEFAULT false,
        auto_approve BOOLEAN NOT NULL DEFAULT false CHECK (NOT auto_approve OR owned),
        daily_cap INTEGER,
        last_message_id INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );

      CREATE TABLE commentator_telegram_posts (
        id SERIAL PRIMARY KEY,
        channel_id INTEGER NOT NULL REFERENCES commentator_telegram_channels (id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        media JSONB,
        posted_at TIMESTAMPTZ NOT NULL,
        discussion_message_id INTEGER,
        analysis JSONB,
        analysis_offline BOOLEAN,
        relevance REAL,
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'skipped', 'drafted', 'failed')),
        skip_reason TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (channel_id, message_id)
      );
      CREATE INDEX commentator_posts_channel ON commentator_telegram_posts (channel_id, id DESC);

      CREATE TABLE commentator_generated_comments (
        id SERIAL PRIMARY KEY,
        post_id INTEGER NOT NULL REFERENCES commentator_telegram_posts (id) ON DELETE CASCADE,
        account_id INTEGER NOT NULL REFERENCES commentator_accounts (id),
        text TEXT NOT NULL,
        language TEXT NOT NULL,
        offline BOOLEAN NOT NULL DEFAULT false,
        edited BOOLEAN NOT NULL DEFAULT false,
        status TEXT NOT NULL CHECK (status IN ('pending', 'rejected', 'scheduled', 'sending', 'sent', 'failed')),
        idempotency_key UUID NOT NULL UNIQUE,
        decided_by TEXT,
        decided_at TIMESTAMPTZ,
        failure_reason TEXT,
        sent_chat_id BIGINT,
        sent_message_id INTEGER,
        sent_at TIMESTAMPTZ,
        review_chat_id BIGINT,
        review_message_id INTEGER,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX commentator_comments_one_per_post ON commentator_generated_comments (post_id, account_id);
      CREATE INDEX commentator_comments_status ON commentator_generated_comments (status, id);

      CREATE TABLE commentator_comment_schedules (
        comment_id INTEGER PRIMARY KEY REFERENCES commentator_generated_comments (id) ON DELETE CASCADE,
        due_at TIMESTAMPTZ NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        claimed_at TIMESTAMPTZ
      );
      CREATE INDEX commentator_schedules_due ON commentator_comment_schedules (due_at);

      CREATE TABLE commentator_engagement_metrics (
        id BIGSERIAL PRIMARY KEY,
        comment_id INTEGER NOT NULL REFERENCES commentator_generated_comments (id) ON DELETE CASCADE,
        replies INTEGER NOT NULL,
        reactions INTEGER NOT NULL,
        measured_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX commentator_engagement_comment ON commentator_engagement_metrics (comment_id, id DESC);

      CREATE TABLE commentator_reactions (
        chat_id BIGINT NOT NULL,
        message_id INTEGER NOT NULL,
        total INTEGER NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (chat_id, message_id)
      );

      CREATE TABLE commentator_direct_messages (
        id BIGSERIAL PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES commentator_accounts (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('reply', 'direct')),
        chat_id BIGINT NOT NULL,
        message_id INTEGER NOT NULL,
        from_user_id BIGINT NOT NULL,
        from_name_enc TEXT,
        text_enc TEXT NOT NULL,
        comment_id INTEGER REFERENCES commentator_generated_comments (id) ON DELETE SET NULL,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (account_id, chat_id, message_id)
      );
      CREATE INDEX commentator_direct_messages_user ON commentator_direct_messages (from_user_id);
      `,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query(
      `DROP TABLE IF EXISTS commentator_direct_messages, commentator_reactions, commentator_engagement_metrics,
        commentator_comment_schedules, commentator_generated_comments, commentator_telegram_posts,
        commentator_telegram_channels, commentator_account_security_logs, commentator_telegram_account_sessions,
        commentator_account_personalities, commentator_accounts`,
      { transaction },
    );
  },
};

export const commentatorMigrations: MigrationDefinition[] = [createCommentatorTables];
