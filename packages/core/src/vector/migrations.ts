import { DataTypes } from 'sequelize';
import type { MigrationDefinition } from '../db/migration-types.js';

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
  {
    // Document text is encrypted with core Crypto from now on. A migration has no key (it also
    // runs from `botloom migrate`), so it only marks the existing rows as plaintext; the store
    // encrypts them when the app starts (`HnswVectorStore.encryptPlaintextRows`, called by
    // `AiServices.start()`), before plugins start. The default is false on purpose: a row
    // written by anything that does not say otherwise is treated as plaintext and encrypted.
    // No `down`: turning ciphertext back into plaintext needs the key.
    name: '0411-vector-encrypt-text',
    async up({ queryInterface, transaction }) {
      await queryInterface.addColumn(
        'core_vector_documents',
        'text_encrypted',
        { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        { transaction },
      );
      await queryInterface.addIndex('core_vector_documents', ['namespace', 'id'], {
        name: 'core_vector_documents_plaintext',
        where: { text_encrypted: false },
        transaction,
      });
    },
  },
  {
    // Several instances each keep their own HNSW index: every write bumps the namespace's
    // version and logs which ids changed, in the write's transaction, so an instance catches up
    // from its version (on a signal, or on its periodic watermark check if the signal was lost).
    name: '0412-vector-changes',
    async up({ queryInterface, transaction }) {
      const run = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
      await run(`CREATE TABLE core_vector_namespaces (
        namespace varchar(256) PRIMARY KEY,
        version bigint NOT NULL
      )`);
      await run(`CREATE TABLE core_vector_changes (
        namespace varchar(256) NOT NULL,
        version bigint NOT NULL,
        op text NOT NULL CHECK (op IN ('upsert', 'delete', 'drop')),
        ids text[] NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (namespace, version)
      )`);
      await run('CREATE INDEX core_vector_changes_at ON core_vector_changes (at)');
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable('core_vector_changes', { transaction });
      await queryInterface.dropTable('core_vector_namespaces', { transaction });
    },
  },
];
