import { DataTypes } from 'sequelize';
import type { MigrationDefinition } from '../db/migration-types.js';

export const ADMIN_TOKENS_TABLE = 'core_admin_tokens';
export const ADMIN_USERS_TABLE = 'core_admin_users';
export const ADMIN_SESSIONS_TABLE = 'core_admin_sessions';
export const ADMIN_AUDIT_TABLE = 'core_admin_audit';
export const ACTIVITY_TABLE = 'core_activity_daily';
export const RUNTIME_SETTINGS_TABLE = 'core_runtime_settings';
export const ADMIN_LOGIN_FAILURES_TABLE = 'core_admin_login_failures';
export const ERRORS_DAILY_TABLE = 'core_errors_daily';
export const ERROR_EVENTS_TABLE = 'core_error_events';

/** Schema of the HTTP area of core: hashed admin bearer tokens, panel users and sessions, the audit log. */
export const httpMigrations: MigrationDefinition[] = [
  {
    name: '0001-http-admin-tokens',
    async up({ queryInterface, transaction }) {
      await queryInterface.createTable(
        ADMIN_TOKENS_TABLE,
        {
          id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
          name: { type: DataTypes.STRING(100), allowNull: false },
          role: { type: DataTypes.STRING(16), allowNull: false },
          // Hex SHA-256 of the plaintext token; the plaintext is never stored.
          token_hash: { type: DataTypes.CHAR(64), allowNull: false, unique: true },
          created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
          last_used_at: { type: DataTypes.DATE, allowNull: true },
          revoked_at: { type: DataTypes.DATE, allowNull: true },
        },
        { transaction },
      );
      await queryInterface.sequelize.query(
        `ALTER TABLE ${ADMIN_TOKENS_TABLE} ADD CONSTRAINT core_admin_tokens_role_check CHECK (role IN ('admin', 'viewer'))`,
        { transaction },
      );
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(ADMIN_TOKENS_TABLE, { transaction });
    },
  },
  {
    name: '0002-http-admin-users-sessions-audit',
    async up({ queryInterface, transaction }) {
      const q = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      await q(`CREATE TABLE ${ADMIN_USERS_TABLE} (
        id uuid PRIMARY KEY,
        username varchar(64) NOT NULL UNIQUE,
        -- scrypt$N$r$p$salt$hash (base64url); the password itself is never stored
        password_hash text NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'viewer')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz
      )`);
      await q(`CREATE TABLE ${ADMIN_SESSIONS_TABLE} (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES ${ADMIN_USERS_TABLE}(id) ON DELETE CASCADE,
        -- Hex SHA-256 of the cookie value
        token_hash char(64) NOT NULL UNIQUE,
        csrf_token varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
      await q(`CREATE INDEX core_admin_sessions_user_idx ON ${ADMIN_SESSIONS_TABLE} (user_id)`);
      await q(`CREATE TABLE ${ADMIN_AUDIT_TABLE} (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor varchar(128) NOT NULL,
        actor_kind varchar(16) NOT NULL,
        role varchar(16),
        method varchar(10) NOT NULL,
        path varchar(512) NOT NULL,
        status integer NOT NULL,
        summary jsonb,
        request_id varchar(128)
      )`);
      await q(`CREATE INDEX core_admin_audit_at_idx ON ${ADMIN_AUDIT_TABLE} (at DESC, id DESC)`);
      // Settings changed from the admin panel (plugins' runtimeSettings), as validated JSON.
      await q(`CREATE TABLE ${RUNTIME_SETTINGS_TABLE} (
        owner varchar(64) NOT NULL,
        name varchar(128) NOT NULL,
        value jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by varchar(128) NOT NULL,
        PRIMARY KEY (owner, name)
      )`);
      // Updates per user and UTC day, for the dashboard (kept ACTIVITY_RETENTION_DAYS).
      await q(`CREATE TABLE ${ACTIVITY_TABLE} (
        day date NOT NULL,
        user_id bigint NOT NULL,
        updates integer NOT NULL DEFAULT 0,
        PRIMARY KEY (day, user_id)
      )`);
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(RUNTIME_SETTINGS_TABLE, { transaction });
      await queryInterface.dropTable(ACTIVITY_TABLE, { transaction });
      await queryInterface.dropTable(ADMIN_AUDIT_TABLE, { transaction });
      await queryInterface.dropTable(ADMIN_SESSIONS_TABLE, { transaction });
      await queryInterface.dropTable(ADMIN_USERS_TABLE, { transaction });
    },
  },
  {
    name: '0003-admin-login-failures-errors',
    async up({ queryInterface, transaction }) {
      const q = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      // Failed panel sign-ins, shared by every instance (the login throttle counts them).
      await q(`CREATE TABLE ${ADMIN_LOGIN_FAILURES_TABLE} (
        key varchar(200) NOT NULL,
        at timestamptz NOT NULL
      )`);
      await q(`CREATE INDEX core_admin_login_failures_key_idx ON ${ADMIN_LOGIN_FAILURES_TABLE} (key, at)`);
      await q(`CREATE INDEX core_admin_login_failures_at_idx ON ${ADMIN_LOGIN_FAILURES_TABLE} (at)`);
      // The client address of an admin write (behind TRUST_PROXY proxies: the forwarded one).
      await q(`ALTER TABLE ${ADMIN_AUDIT_TABLE} ADD COLUMN address varchar(64)`);
      // Errors the boundaries caught (updates, HTTP, jobs), per UTC day, source and plugin.
      await q(`CREATE TABLE ${ERRORS_DAILY_TABLE} (
        day date NOT NULL,
        source varchar(16) NOT NULL,
        plugin varchar(64) NOT NULL DEFAULT '',
        errors integer NOT NULL DEFAULT 0,
        PRIMARY KEY (day, source, plugin)
      )`);
      // The latest of them (a bounded number), for the dashboard's "recent errors".
      await q(`CREATE TABLE ${ERROR_EVENTS_TABLE} (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        source varchar(16) NOT NULL,
        plugin varchar(64),
        kind varchar(128) NOT NULL,
        code varchar(128),
        location varchar(256),
        correlation_id varchar(128),
        message text
      )`);
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(ERROR_EVENTS_TABLE, { transaction });
      await queryInterface.dropTable(ERRORS_DAILY_TABLE, { transaction });
      await queryInterface.removeColumn(ADMIN_AUDIT_TABLE, 'address', { transaction });
      await queryInterface.dropTable(ADMIN_LOGIN_FAILURES_TABLE, { transaction });
    },
  },
];
