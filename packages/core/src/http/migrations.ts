import { DataTypes } from 'sequelize';
import type { MigrationDefinition } from '../db/migration-types.js';

export const ADMIN_TOKENS_TABLE = 'core_admin_tokens';

/** Schema of the HTTP area of core: hashed admin bearer tokens. */
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
];
