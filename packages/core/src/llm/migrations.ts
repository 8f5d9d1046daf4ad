import { DataTypes } from 'sequelize';
import type { MigrationDefinition } from '../db/migration-types.js';

/** Core migrations of the LLM gateway: usage accounting and per-user budget overrides. */
export const llmMigrations: MigrationDefinition[] = [
  {
    name: '0400-llm-usage',
    async up({ queryInterface, transaction }) {
      await queryInterface.createTable(
        'core_llm_usage',
        {
          day: { type: DataTypes.DATEONLY, allowNull: false },
          plugin: { type: DataTypes.STRING(64), allowNull: false },
          purpose: { type: DataTypes.STRING(128), allowNull: false },
          // '' when the call was not made on behalf of a user (jobs, admin tools).
          user_id: { type: DataTypes.STRING(64), allowNull: false, defaultValue: '' },
          model: { type: DataTypes.STRING(128), allowNull: false },
          calls: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
          errors: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
          prompt_tokens: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
          completion_tokens: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
          latency_ms_total: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
          cost_usd: { type: DataTypes.DECIMAL(20, 10), allowNull: false, defaultValue: 0 },
          updated_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        },
        { transaction },
      );
      await queryInterface.addConstraint('core_llm_usage', {
        type: 'primary key',
        fields: ['day', 'plugin', 'purpose', 'user_id', 'model'],
        name: 'core_llm_usage_pkey',
        transaction,
      });
      await queryInterface.addIndex('core_llm_usage', ['user_id', 'day'], {
        name: 'core_llm_usage_user_day',
        transaction,
      });
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable('core_llm_usage', { transaction });
    },
  },
  {
    name: '0401-llm-budgets',
    async up({ queryInterface, transaction }) {
      await queryInterface.createTable(
        'core_llm_budgets',
        {
          // A plugin id, or '*' for the user's limit across all plugins.
          plugin: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
          user_id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
          daily_tokens: { type: DataTypes.BIGINT, allowNull: false },
          updated_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        },
        { transaction },
      );
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable('core_llm_budgets', { transaction });
    },
  },
  {
    // Several providers (LLM_PROVIDERS): usage rows say which one answered; '' = before this.
    name: '0402-llm-usage-provider',
    async up({ queryInterface, transaction }) {
      await queryInterface.addColumn(
        'core_llm_usage',
        'provider',
        { type: DataTypes.STRING(64), allowNull: false, defaultValue: '' },
        { transaction },
      );
      await queryInterface.removeConstraint('core_llm_usage', 'core_llm_usage_pkey', { transaction });
      await queryInterface.addConstraint('core_llm_usage', {
        type: 'primary key',
        fields: ['day', 'plugin', 'purpose', 'user_id', 'model', 'provider'],
        name: 'core_llm_usage_pkey',
        transaction,
      });
    },
    async down({ queryInterface, transaction }) {
      // Rows of the same model from different providers merge back into one.
      await queryInterface.sequelize.query(
        `CREATE TEMP TABLE core_llm_usage_merge ON COMMIT DROP AS
           SELECT day, plugin, purpose, user_id, model, SUM(calls) AS calls, SUM(errors) AS errors,
                  SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
                  SUM(latency_ms_total) AS latency_ms_total, SUM(cost_usd) AS cost_usd, MAX(updated_at) AS updated_at
             FROM core_llm_usage GROUP BY day, plugin, purpose, user_id, model;
         DELETE FROM core_llm_usage;`,
        { transaction },
      );
      await queryInterface.removeConstraint('core_llm_usage', 'core_llm_usage_pkey', { transaction });
      await queryInterface.removeColumn('core_llm_usage', 'provider', { transaction });
      await queryInterface.sequelize.query(
        `INSERT INTO core_llm_usage (day, plugin, purpose, user_id, model, calls, errors, prompt_tokens,
                                     completion_tokens, latency_ms_total, cost_usd, updated_at)
           SELECT * FROM core_llm_usage_merge`,
        { transaction },
      );
      await queryInterface.addConstraint('core_llm_usage', {
        type: 'primary key',
        fields: ['day', 'plugin', 'purpose', 'user_id', 'model'],
        name: 'core_llm_usage_pkey',
        transaction,
      });
    },
  },
  {
    // Budgets reserve tokens before a call and settle after: one row per day, user and scope
    // ('*' = across plugins, else a plugin id). Concurrent calls on any instance serialize on it.
    name: '0403-llm-budget-ledger',
    async up({ queryInterface, transaction }) {
      await queryInterface.sequelize.query(
        `CREATE TABLE core_llm_budget_ledger (
           day date NOT NULL,
           user_id varchar(64) NOT NULL,
           scope varchar(64) NOT NULL,
           spent bigint NOT NULL DEFAULT 0,
           reserved bigint NOT NULL DEFAULT 0,
           PRIMARY KEY (day, user_id, scope)
         )`,
        { transaction },
      );
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable('core_llm_budget_ledger', { transaction });
    },
  },
];
