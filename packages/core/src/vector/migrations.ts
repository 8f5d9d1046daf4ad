import { DataTypes } from 'sequelize';
import type { MigrationDefinition } from '../plugin/types.js';

/** Core migrations of the vector store: the documents table, source of truth for every index. */
export const vectorMigrations: MigrationDefinition[] = [
  {
    name: '0410-vector-documents',
    async up({ queryInterface, transaction }) {
      await queryInterface.createTable(
        'core_vector_documents',
        {
          namespace: { type: DataTypes.STRING(256), allowNull: false, primaryKey: true },
          id: { type: DataTypes.STRING(256), allowNull: false, primaryKey: true },
          text: { type: DataTypes.TEXT, allowNull: false },
          metadata: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
          embedding: { type: DataTypes.ARRAY(DataTypes.REAL), allowNull: false },
          // Which embeddings model produced `embedding`; rows of another model are re-embedded.
          model: { type: DataTypes.STRING(128), allowNull: false },
          created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
          updated_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        },
        { transaction },
      );
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable('core_vector_documents', { transaction });
    },
  },
];
