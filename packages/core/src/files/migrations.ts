import { DataTypes } from 'sequelize';
import type { MigrationDefinition } from '../db/migration-types.js';

export const FILES_TABLE = 'core_files';

/**
 * Metadata of stored uploads. The bytes live where `backend` says: `local` = on disk under
 * `<dataDir>/files/<id>`, `s3` = in the S3 bucket under `storage_key`.
 */
export const filesMigrations: MigrationDefinition[] = [
  {
    name: '0300-files',
    async up({ queryInterface, transaction }) {
      await queryInterface.createTable(
        FILES_TABLE,
        {
          id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
          filename: { type: DataTypes.STRING(255), allowNull: false },
          content_type: { type: DataTypes.STRING(255), allowNull: false },
          size: { type: DataTypes.BIGINT, allowNull: false },
          sha256: { type: DataTypes.CHAR(64), allowNull: false },
          created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        },
        { transaction },
      );
      await queryInterface.addIndex(FILES_TABLE, ['sha256'], { name: 'core_files_sha256', transaction });
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(FILES_TABLE, { transaction });
    },
  },
  {
    name: '0301-files-backend',
    async up({ queryInterface, transaction }) {
      // Files stored before this migration are on local disk.
      await queryInterface.addColumn(
        FILES_TABLE,
        'backend',
        { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'local' },
        { transaction },
      );
      await queryInterface.addColumn(
        FILES_TABLE,
        'storage_key',
        { type: DataTypes.STRING(1024), allowNull: true },
        { transaction },
      );
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.removeColumn(FILES_TABLE, 'storage_key', { transaction });
      await queryInterface.removeColumn(FILES_TABLE, 'backend', { transaction });
    },
  },
];
