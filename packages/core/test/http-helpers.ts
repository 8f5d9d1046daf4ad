import { Sequelize } from 'sequelize';
import { httpMigrations } from '../src/http/migrations.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

/** A fresh database with core's HTTP migrations applied directly (no migrator needed). */
export async function createHttpTestDatabase(): Promise<{
  db: TestDatabase;
  sequelize: Sequelize;
  close(): Promise<void>;
}> {
  const db = await createTestDatabase('botloom_http');
  const sequelize = new Sequelize(db.url, { logging: false, dialect: 'postgres' });
  for (const migration of httpMigrations) {
    await sequelize.transaction(async (transaction) => {
      await migration.up({ sequelize, queryInterface: sequelize.getQueryInterface(), transaction });
    });
  }
  return {
    db,
    sequelize,
    async close() {
      await sequelize.close();
      await db.drop();
    },
  };
}
