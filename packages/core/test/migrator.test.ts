import pino from 'pino';
import { DataTypes, QueryTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_TABLE, MigrationError, type MigrationSource, Migrator } from '../src/db/migrator.js';
import { BotloomError } from '../src/errors/botloom-error.js';
import type { MigrationDefinition } from '../src/plugin/types.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

const logger = pino({ level: 'silent' });

function createTableMigration(name: string, table: string): MigrationDefinition {
  return {
    name,
    async up({ queryInterface, transaction }) {
      await queryInterface.createTable(
        table,
        { id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true } },
        { transaction },
      );
    },
    async down({ queryInterface, transaction }) {
      await queryInterface.dropTable(table, { transaction });
    },
  };
}

async function tableExists(sequelize: Sequelize, table: string): Promise<boolean> {
  const [row] = await sequelize.query<{ t: string | null }>(`SELECT to_regclass('${table}')::text AS t`, {
    type: QueryTypes.SELECT,
  });
  return Boolean(row?.t);
}

async function recorded(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`, {
    type: QueryTypes.SELECT,
  });
  return rows.map((r) => r.name);
}

describe('Migrator', () => {
  const databases: TestDatabase[] = [];
  const connections: Sequelize[] = [];

  async function freshDatabase(): Promise<Sequelize> {
    const db = await createTestDatabase();
    databases.push(db);
    return connect(db.url);
  }

  function connect(url: string): Sequelize {
    const sequelize = new Sequelize(url, { dialect: 'postgres', logging: false });
    connections.push(sequelize);
    return sequelize;
  }

  afterAll(async () => {
    for (const sequelize of connections) await sequelize.close();
    for (const db of databases) await db.drop();
  });

  describe('up, order and idempotence', () => {
    let sequelize: Sequelize;
    let sources: MigrationSource[];
    beforeAll(async () => {
      sequelize = await freshDatabase();
      sources = [
        { pluginId: 'core', migrations: [createTableMigration('0001-core', 'core_things')] },
        {
          pluginId: 'support',
          migrations: [
            createTableMigration('0001-tickets', 'support_tickets'),
            createTableMigration('0002-notes', 'support_notes'),
          ],
        },
        {
          pluginId: 'plugin-memory',
          migrations: [createTableMigration('0001-facts', 'plugin_memory_facts')],
        },
      ];
    });

    it('lists everything as pending before the first run (without creating the table)', async () => {
      const migrator = new Migrator({ sequelize, logger, sources });
      expect(await migrator.pending()).toEqual([
        'core:0001-core',
        'support:0001-tickets',
        'support:0002-notes',
        'plugin-memory:0001-facts',
      ]);
      expect(await tableExists(sequelize, MIGRATIONS_TABLE)).toBe(false);
    });

    it('runs core first, then plugins in the given order, and records <plugin>:<name>', async () => {
      const migrator = new Migrator({ sequelize, logger, sources });
      const ran = await migrator.up();
      expect(ran).toEqual([
        'core:0001-core',
        'support:0001-tickets',
        'support:0002-notes',
        'plugin-memory:0001-facts',
      ]);
      expect(await recorded(sequelize)).toEqual(ran);
      for (const table of ['core_things', 'support_tickets', 'support_notes', 'plugin_memory_facts']) {
        expect(await tableExists(sequelize, table)).toBe(true);
      }
    });

    it('is idempotent: a second up runs nothing', async () => {
      const migrator = new Migrator({ sequelize, logger, sources });
      expect(await migrator.up()).toEqual([]);
      expect(await migrator.pending()).toEqual([]);
      expect(await recorded(sequelize)).toHaveLength(4);
    });

    it('runs only a newly added migration on the next up', async () => {
      const extended = sources.map((s) =>
        s.pluginId === 'support'
          ? { ...s, migrations: [...s.migrations, createTableMigration('0003-tags', 'support_tags')] }
          : s,
      );
      const migrator = new Migrator({ sequelize, logger, sources: extended });
      expect(await migrator.pending()).toEqual(['support:0003-tags']);
      expect(await migrator.up()).toEqual(['support:0003-tags']);
    });
  });

  it('two instances migrating at once: each migration runs exactly once', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const first = connect(db.url);
    const second = connect(db.url);
    await first.query('CREATE TABLE migration_runs (id SERIAL PRIMARY KEY, migration TEXT NOT NULL)');
    const logged = (name: string): MigrationDefinition => ({
      name,
      async up({ sequelize, transaction }) {
        await sequelize.query('INSERT INTO migration_runs (migration) VALUES (:name)', {
          replacements: { name },
          transaction,
        });
        // Long enough that both instances are inside up() at the same time.
        await sequelize.query('SELECT pg_sleep(0.3)', { transaction });
      },
    });
    const sources = (): MigrationSource[] => [
      { pluginId: 'core', migrations: [logged('0001-a')] },
      { pluginId: 'x', migrations: [logged('0001-b'), logged('0002-c')] },
    ];
    const results = await Promise.all([
      new Migrator({ sequelize: first, logger, sources: sources() }).up(),
      new Migrator({ sequelize: second, logger, sources: sources() }).up(),
    ]);
    const all = ['core:0001-a', 'x:0001-b', 'x:0002-c'];
    expect(results.map((r) => r.length).sort()).toEqual([0, 3]);
    expect(results.flat()).toEqual(all);
    const runs = await first.query<{ migration: string; count: string }>(
      'SELECT migration, count(*)::text AS count FROM migration_runs GROUP BY migration ORDER BY migration',
      { type: QueryTypes.SELECT },
    );
    expect(runs).toEqual([
      { migration: '0001-a', count: '1' },
      { migration: '0001-b', count: '1' },
      { migration: '0002-c', count: '1' },
    ]);
    expect(await recorded(first)).toEqual(all);
  });

  it('a failing migration stops with its name and cause, and nothing of it persists', async () => {
    const sequelize = await freshDatabase();
    const failing: MigrationDefinition = {
      name: '0002-broken',
      async up({ queryInterface, transaction }) {
        await queryInterface.createTable(
          'shop_half_done',
          { id: { type: DataTypes.INTEGER, primaryKey: true } },
          { transaction },
        );
        await queryInterface.sequelize.query('SELECT * FROM no_such_table', { transaction });
      },
    };
    const migrator = new Migrator({
      sequelize,
      logger,
      sources: [
        { pluginId: 'core', migrations: [] },
        {
          pluginId: 'shop',
          migrations: [
            createTableMigration('0001-orders', 'shop_orders'),
            failing,
            createTableMigration('0003-after', 'shop_after'),
          ],
        },
      ],
    });
    const error = await migrator.up().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toBeInstanceOf(BotloomError);
    const migrationError = error as MigrationError;
    expect(migrationError.code).toBe('MIGRATION_FAILED');
    expect(migrationError.migration).toBe('shop:0002-broken');
    expect(migrationError.message).toContain('shop:0002-broken');
    expect(migrationError.message).toContain('no_such_table');
    expect(await tableExists(sequelize, 'shop_orders')).toBe(true);
    expect(await tableExists(sequelize, 'shop_half_done')).toBe(false);
    expect(await tableExists(sequelize, 'shop_after')).toBe(false);
    expect(await recorded(sequelize)).toEqual(['shop:0001-orders']);
    expect(await migrator.pending()).toEqual(['shop:0002-broken', 'shop:0003-after']);
  });

  describe('down and status', () => {
    let sequelize: Sequelize;
    const sources = (): MigrationSource[] => [
      { pluginId: 'core', migrations: [createTableMigration('0001-core', 'core_a')] },
      {
        pluginId: 'crm',
        migrations: [
          createTableMigration('0001-a', 'crm_a'),
          createTableMigration('0002-b', 'crm_b'),
          createTableMigration('0003-c', 'crm_c'),
          createTableMigration('0004-d', 'crm_d'),
        ],
      },
    ];
    beforeAll(async () => {
      sequelize = await freshDatabase();
      await new Migrator({ sequelize, logger, sources: sources() }).up();
    });

    it('down without --to reverts only the plugin’s last migration', async () => {
      const migrator = new Migrator({ sequelize, logger, sources: sources() });
      expect(await migrator.down({ plugin: 'crm' })).toEqual(['crm:0004-d']);
      expect(await tableExists(sequelize, 'crm_d')).toBe(false);
      expect(await tableExists(sequelize, 'crm_c')).toBe(true);
      expect(await migrator.pending()).toEqual(['crm:0004-d']);
    });

    it('down --to NAME reverts down to and including NAME, newest first, and leaves other plugins alone', async () => {
      const migrator = new Migrator({ sequelize, logger, sources: sources() });
      expect(await migrator.down({ plugin: 'crm', to: '0002-b' })).toEqual(['crm:0003-c', 'crm:0002-b']);
      expect(await tableExists(sequelize, 'crm_a')).toBe(true);
      expect(await tableExists(sequelize, 'crm_b')).toBe(false);
      expect(await tableExists(sequelize, 'core_a')).toBe(true);
      expect(await recorded(sequelize)).toEqual(['core:0001-core', 'crm:0001-a']);
    });

    it('down --to a migration that is not executed is an error, and so is an unknown plugin', async () => {
      const migrator = new Migrator({ sequelize, logger, sources: sources() });
      await expect(migrator.down({ plugin: 'crm', to: '0003-c' })).rejects.toMatchObject({
        code: 'MIGRATION_NOT_EXECUTED',
      });
      await expect(migrator.down({ plugin: 'nope' })).rejects.toMatchObject({
        code: 'MIGRATION_UNKNOWN_PLUGIN',
      });
    });

    it('status shows executed, pending and missing migrations', async () => {
      await new Migrator({ sequelize, logger, sources: sources() }).up();
      // crm:0004-d is no longer declared (e.g. the file was deleted after it ran).
      const shrunk = sources().map((s) =>
        s.pluginId === 'crm'
          ? { ...s, migrations: [...s.migrations.slice(0, 3), createTableMigration('0005-e', 'crm_e')] }
          : s,
      );
      const status = await new Migrator({ sequelize, logger, sources: shrunk }).status();
      expect(status.map((s) => [s.name, s.state])).toEqual([
        ['core:0001-core', 'executed'],
        ['crm:0001-a', 'executed'],
        ['crm:0002-b', 'executed'],
        ['crm:0003-c', 'executed'],
        ['crm:0005-e', 'pending'],
        ['crm:0004-d', 'missing'],
      ]);
      expect(status[0]?.executedAt).toBeInstanceOf(Date);
      expect(status[4]?.executedAt).toBeNull();
      expect(status[5]).toMatchObject({ plugin: 'crm', migration: '0004-d' });
    });

    it('refuses to revert a migration that has no down()', async () => {
      const noDown: MigrationDefinition = { name: '0001-once', async up() {} };
      const migrator = new Migrator({
        sequelize,
        logger,
        sources: [{ pluginId: 'oneway', migrations: [noDown] }],
      });
      await migrator.up();
      await expect(migrator.down({ plugin: 'oneway' })).rejects.toMatchObject({
        code: 'MIGRATION_FAILED',
        migration: 'oneway:0001-once',
      });
      expect((await migrator.status())[0]?.state).toBe('executed');
    });
  });

  it('rejects duplicate plugin ids and duplicate migration names at construction', async () => {
    const sequelize = connect('postgres://unused@127.0.0.1:1/unused');
    expect(
      () =>
        new Migrator({
          sequelize,
          logger,
          sources: [
            {
              pluginId: 'a',
              migrations: [createTableMigration('0001', 'a_x'), createTableMigration('0001', 'a_y')],
            },
          ],
        }),
    ).toThrow(/declares migration "0001" twice/);
    expect(
      () =>
        new Migrator({
          sequelize,
          logger,
          sources: [
            { pluginId: 'a', migrations: [] },
            { pluginId: 'a', migrations: [] },
          ],
        }),
    ).toThrow(/listed twice/);
  });
});
