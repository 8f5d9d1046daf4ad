import pino from 'pino';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityLedger } from '../src/admin-panel/activity.js';
import { coreMigrations } from '../src/db/core-migrations.js';
import { Migrator } from '../src/db/migrator.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

let database: TestDatabase;
let sequelize: Sequelize;

beforeAll(async () => {
  database = await createTestDatabase();
  sequelize = new Sequelize(database.url, { dialect: 'postgres', logging: false });
  await new Migrator({
    sequelize,
    logger: pino({ level: 'silent' }),
    sources: [{ pluginId: 'core', migrations: coreMigrations }],
  }).up();
});

afterAll(async () => {
  await sequelize?.close();
  await database?.drop();
});

describe('activity ledger', () => {
  it('counts updates in memory and writes them in one upsert per flush, adding to what is stored', async () => {
    const day = Date.parse('2026-03-10T12:00:00Z');
    // A flush interval no test waits for: flush() is called explicitly.
    const ledger = new ActivityLedger(
      sequelize,
      (err) => {
        throw err;
      },
      () => day,
      3_600_000,
    );
    const reader = new ActivityLedger(sequelize, undefined, () => day);
    for (const user of [1, 1, 2, 1, 0]) ledger.record(user);
    expect(await reader.days(1)).toEqual([]); // nothing written per update

    await ledger.flush();
    expect(await reader.days(1)).toEqual([{ day: '2026-03-10', updates: 5, users: 2 }]);

    ledger.record(2);
    ledger.record(3);
    await ledger.flush();
    await ledger.flush(); // nothing pending: no write, no change
    expect(await reader.days(1)).toEqual([{ day: '2026-03-10', updates: 7, users: 3 }]);
  });
});
