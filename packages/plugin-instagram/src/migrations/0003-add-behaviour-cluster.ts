import type { MigrationDefinition } from '@botloom/core';

/** The behaviour cluster (KMeans) of each user, next to the rule-based segment. */
export const addBehaviourCluster: MigrationDefinition = {
  name: '0003-add-behaviour-cluster',
  async up({ sequelize, transaction }) {
    await sequelize.query(
      `ALTER TABLE instagram_users ADD COLUMN cluster TEXT;
       CREATE INDEX instagram_users_cluster ON instagram_users (cluster) WHERE cluster IS NOT NULL;`,
      { transaction },
    );
  },
  async down({ sequelize, transaction }) {
    await sequelize.query('ALTER TABLE instagram_users DROP COLUMN IF EXISTS cluster', { transaction });
  },
};
