import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { RunnableMigration, Umzug, UmzugStorage } from 'umzug';
import { BootError, BotloomError } from '../errors/botloom-error.js';
import type { MigrationDefinition } from './migration-types.js';

/** The one table where every plugin's executed migrations are recorded as `<plugin>:<name>`. */
export const MIGRATIONS_TABLE = 'botloom_migrations';

/**
 * Key of the session-level advisory lock taken around `up()` and `down()`, so that two
 * instances starting at once do not migrate concurrently (the second waits, then finds
 * nothing pending).
 */
export const MIGRATION_LOCK_KEY = 4_250_613_042;

export interface MigrationSource {
  pluginId: string;
  migrations: MigrationDefinition[];
}

export interface MigrationStatusEntry {
  /** `<plugin>:<name>`, as recorded in `botloom_migrations`. */
  name: string;
  plugin: string;
  migration: string;
  /**
   * `missing`: recorded as executed, but no loaded plugin declares it any more (a removed
   * plugin or a renamed/deleted migration file).
   */
  state: 'executed' | 'pending' | 'missing';
  executedAt: Date | null;
}

/** A migration failed; nothing of that migration persists (its transaction was rolled back). */
export class MigrationError extends BotloomError {
  /** `<plugin>:<name>` of the failing migration. */
  readonly migration: string;
  readonly direction: 'up' | 'down';

  constructor(migration: string, direction: 'up' | 'down', cause: unknown, message?: string) {
    // Sequelize wraps pg errors; the driver's message is the informative one.
    const parent = (cause as { parent?: { message?: string; detail?: string } } | undefined)?.parent;
    const reason = parent?.message
      ? `${parent.message}${parent.detail ? ` (${parent.detail})` : ''}`
      : cause instanceof Error
        ? cause.message
        : String(cause);
    super('MIGRATION_FAILED', message ?? `Migration ${migration} failed (${direction}): ${reason}`, {
      cause,
      details: { migration, direction },
    });
    this.migration = migration;
    this.direction = direction;
  }
}

interface ExecutedRow {
  name: string;
  executed_at: Date;
}

interface KnownMigration {
  fullName: string;
  plugin: string;
  definition: MigrationDefinition;
}

type UmzugContext = Record<string, never>;

const qualified = (plugin: string, name: string) => `${plugin}:${name}`;

/**
 * Runs every plugin's migrations with umzug. Each migration runs in its own transaction,
 * together with the insert (or delete) of its `botloom_migrations` row, so a failure leaves
 * neither schema changes nor a record behind.
 */
export class Migrator {
  private readonly sequelize: Sequelize;
  private readonly logger: Logger;
  private readonly known: KnownMigration[];
  private readonly pluginIds: string[];

  constructor(options: { sequelize: Sequelize; logger: Logger; sources: MigrationSource[] }) {
    this.sequelize = options.sequelize;
    this.logger = options.logger;
    this.known = [];
    this.pluginIds = [];
    const problems: string[] = [];
    for (const source of options.sources) {
      if (this.pluginIds.includes(source.pluginId)) {
        problems.push(`plugin "${source.pluginId}" is listed twice`);
        continue;
      }
      this.pluginIds.push(source.pluginId);
      const seen = new Set<string>();
      for (const definition of source.migrations) {
        if (!definition.name || typeof definition.up !== 'function') {
          problems.push(`plugin "${source.pluginId}" has a migration without a name or an up() function`);
          continue;
        }
        if (seen.has(definition.name)) {
          problems.push(`plugin "${source.pluginId}" declares migration "${definition.name}" twice`);
          continue;
        }
        seen.add(definition.name);
        this.known.push({
          fullName: qualified(source.pluginId, definition.name),
          plugin: source.pluginId,
          definition,
        });
      }
    }
    if (problems.length > 0) {
      throw new BootError('INVALID_MIGRATIONS', `Invalid migrations: ${problems.join('; ')}`, {
        details: { problems },
      });
    }
  }

  /** Every known migration in run order, then executed ones no plugin declares any more. */
  async status(): Promise<MigrationStatusEntry[]> {
    const executed = await this.readExecuted();
    const executedAt = new Map(executed.map((row) => [row.name, row.executed_at]));
    const entries: MigrationStatusEntry[] = this.known.map((m) => ({
      name: m.fullName,
      plugin: m.plugin,
      migration: m.definition.name,
      state: executedAt.has(m.fullName) ? 'executed' : 'pending',
      executedAt: executedAt.get(m.fullName) ?? null,
    }));
    const knownNames = new Set(this.known.map((m) => m.fullName));
    for (const row of executed) {
      if (knownNames.has(row.name)) continue;
      const separator = row.name.indexOf(':');
      entries.push({
        name: row.name,
        plugin: separator > 0 ? row.name.slice(0, separator) : '',
        migration: separator > 0 ? row.name.slice(separator + 1) : row.name,
        state: 'missing',
        executedAt: row.executed_at,
      });
    }
    return entries;
  }

  /** `<plugin>:<name>` of the migrations `up()` would run, in order. */
  async pending(): Promise<string[]> {
    const executed = new Set((await this.readExecuted()).map((row) => row.name));
    return this.known.filter((m) => !executed.has(m.fullName)).map((m) => m.fullName);
  }

  /** Runs every pending migration in order; returns the names it ran. */
  async up(): Promise<string[]> {
    // Up to date (every start but the first after an upgrade): two reads, no lock connection
    // and no DDL. Whatever is pending is read again under the lock below.
    if ((await this.pending()).length === 0) return [];
    return this.withLock(async () => {
      await this.ensureTable();
      // Up to date (every start but the first after an upgrade): no umzug at all, whose import
      // brings its command line and a JSON-schema validator into memory.
      if ((await this.pending()).length === 0) return [];
      const umzug = await this.createUmzug();
      try {
        const ran = await umzug.up();
        return ran.map((m) => m.name);
      } catch (error) {
        throw this.toMigrationError(error, 'up');
      }
    });
  }

  /**
   * Reverts migrations of one plugin, newest first (by execution order). Without `to`, the
   * plugin's last executed migration; with `to`, every executed migration of the plugin down
   * to and INCLUDING `to` (the same meaning as umzug's `down --to`). Returns the names it
   * reverted.
   */
  async down(options: { plugin: string; to?: string }): Promise<string[]> {
    const { plugin } = options;
    if (!this.pluginIds.includes(plugin)) {
      throw new BotloomError(
        'MIGRATION_UNKNOWN_PLUGIN',
        `No loaded plugin "${plugin}" declares migrations (known: ${this.pluginIds.join(', ') || 'none'})`,
      );
    }
    return this.withLock(async () => {
      await this.ensureTable();
      const executedOfPlugin = (await this.readExecuted())
        .map((row) => row.name)
        .filter((name) => name.startsWith(`${plugin}:`))
        .reverse();
      if (executedOfPlugin.length === 0) return [];
      let toRevert: string[];
      if (options.to === undefined) {
        toRevert = executedOfPlugin.slice(0, 1);
      } else {
        const target = options.to.includes(':') ? options.to : qualified(plugin, options.to);
        const index = executedOfPlugin.indexOf(target);
        if (index === -1) {
          throw new BotloomError(
            'MIGRATION_NOT_EXECUTED',
            `Cannot revert ${plugin} down to ${target}: it is not an executed migration of "${plugin}"`,
          );
        }
        toRevert = executedOfPlugin.slice(0, index + 1);
      }
      const knownNames = new Map(this.known.map((m) => [m.fullName, m]));
      for (const name of toRevert) {
        const migration = knownNames.get(name);
        if (!migration) {
          throw new MigrationError(
            name,
            'down',
            new Error('no loaded plugin declares it'),
            `Cannot revert ${name}: no loaded plugin declares it any more`,
          );
        }
        if (!migration.definition.down) {
          throw new MigrationError(
            name,
            'down',
            new Error('no down()'),
            `Cannot revert ${name}: the migration has no down() function`,
          );
        }
      }
      const umzug = await this.createUmzug();
      try {
        const reverted = await umzug.down({ migrations: toRevert });
        return reverted.map((m) => m.name);
      } catch (error) {
        throw this.toMigrationError(error, 'down');
      }
    });
  }

  private async createUmzug(): Promise<Umzug<UmzugContext>> {
    const { Umzug } = await import('umzug');
    const storage: UmzugStorage<UmzugContext> = {
      executed: async () => (await this.readExecuted()).map((row) => row.name),
      // Recording happens inside each migration's own transaction (see runInTransaction).
      logMigration: async () => {},
      unlogMigration: async () => {},
    };
    const migrations: RunnableMigration<UmzugContext>[] = this.known.map((m) => ({
      name: m.fullName,
      up: () => this.runInTransaction(m, 'up'),
      down: () => this.runInTransaction(m, 'down'),
    }));
    return new Umzug<UmzugContext>({
      migrations,
      context: {},
      storage,
      logger: {
        info: (event) => this.logger.info(event, 'migration'),
        warn: (event) => this.logger.warn(event, 'migration'),
        error: (event) => this.logger.error(event, 'migration'),
        debug: (event) => this.logger.debug(event, 'migration'),
      },
    });
  }

  private async runInTransaction(migration: KnownMigration, direction: 'up' | 'down'): Promise<void> {
    const run = direction === 'up' ? migration.definition.up : migration.definition.down;
    if (!run) throw new Error(`${migration.fullName} has no ${direction}() function`);
    await this.sequelize.transaction(async (transaction) => {
      await run.call(migration.definition, {
        sequelize: this.sequelize,
        queryInterface: this.sequelize.getQueryInterface(),
        transaction,
      });
      if (direction === 'up') {
        await this.sequelize.query(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES (:name)`, {
          replacements: { name: migration.fullName },
          transaction,
        });
      } else {
        await this.sequelize.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = :name`, {
          replacements: { name: migration.fullName },
          transaction,
        });
      }
    });
  }

  private toMigrationError(error: unknown, direction: 'up' | 'down'): unknown {
    if (error instanceof MigrationError) return error;
    // umzug wraps the failure in its own MigrationError with `migration.name` and `cause`.
    const info = (error as { migration?: { name?: string } }).migration;
    if (info?.name) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      return new MigrationError(info.name, direction, cause);
    }
    return error;
  }

  private async readExecuted(): Promise<ExecutedRow[]> {
    const [exists] = await this.sequelize.query<{ table: string | null }>(
      `SELECT to_regclass('${MIGRATIONS_TABLE}')::text AS "table"`,
      { type: QueryTypes.SELECT },
    );
    if (!exists?.table) return [];
    return this.sequelize.query<ExecutedRow>(
      `SELECT name, executed_at FROM ${MIGRATIONS_TABLE} ORDER BY id`,
      { type: QueryTypes.SELECT },
    );
  }

  /** Runs under the migration lock, so it never races another instance's create (no isCatalogRace). */
  private async ensureTable(): Promise<void> {
    await this.sequelize.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        id SERIAL PRIMARY KEY,
        name VARCHAR(255) NOT NULL UNIQUE,
        executed_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`,
    );
  }

  /**
   * Holds a session-level advisory lock on a dedicated pooled connection for the duration
   * of `fn`; the migrations themselves run on other connections of the pool.
   */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const manager = this.sequelize.connectionManager;
    const connection = (await manager.getConnection({ type: 'write' })) as unknown as {
      query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
    };
    try {
      const { rows } = await connection.query('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ]);
      if (!rows[0]?.locked) {
        this.logger.info('another instance is migrating this database; waiting for it to finish');
        await connection.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      }
      try {
        return await fn();
      } finally {
        await connection.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch((error) => {
          this.logger.warn({ err: error }, 'could not release the migration lock');
        });
      }
    } finally {
      manager.releaseConnection(connection as never);
    }
  }
}
