import type { QueryInterface, Sequelize, Transaction } from 'sequelize';

export interface MigrationContext {
  sequelize: Sequelize;
  queryInterface: QueryInterface;
  transaction: Transaction;
}

/** One schema change of a plugin; recorded as `<plugin>:<name>` in `botloom_migrations`. */
export interface MigrationDefinition {
  /** Sortable and stable, e.g. `0001-create-tickets`. */
  name: string;
  up(ctx: MigrationContext): Promise<void>;
  down?(ctx: MigrationContext): Promise<void>;
}
