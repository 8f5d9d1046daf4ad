import { createClient, default as KeyvRedis } from '@keyv/redis';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import pg from 'pg';
import type { Logger } from 'pino';
import { BootError } from '../errors/botloom-error.js';
import { ensureKvTable, PostgresKvStore, sweepExpiredKv } from './postgres-kv-store.js';

export type KvBackend = 'postgres' | 'redis' | 'memory';

export interface KvFactory {
  readonly backend: KvBackend;
  /**
   * The keyv of one namespace (a plugin id, or `core.sessions`...). Keys of different
   * namespaces never collide and `clear()` only clears its own namespace. The same
   * namespace always returns the same Keyv instance. Store errors are thrown, not swallowed.
   */
  namespace(ns: string): Keyv;
  /** Closes the shared pool or client. Keyvs from this factory must not be used afterwards. */
  close(): Promise<void>;
}

export interface CreateKvFactoryOptions {
  /** KV_URL: `postgres://...`, `redis://...`/`rediss://...` or `memory://`; unset = databaseUrl. */
  url?: string;
  databaseUrl: string;
  logger: Logger;
  /** How often expired rows are deleted from `botloom_kv` (postgres backend). Default 10 minutes; 0 = never. */
  sweepIntervalMs?: number;
}

const NAMESPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function kvBackendOf(url: string): KvBackend {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  if (scheme === 'memory') return 'memory';
  throw new BootError(
    'INVALID_KV_URL',
    `KV_URL must start with postgres://, redis://, rediss:// or memory:// (got "${scheme || url.slice(0, 12)}:")`,
  );
}

/** keyv namespaced per plugin over one shared backend connection (see KV_URL). */
export function createKvFactory(options: CreateKvFactoryOptions): KvFactory {
  const url = options.url || options.databaseUrl;
  const backend = kvBackendOf(url);
  const logger = options.logger.child({ component: 'kv', backend });
  const instances = new Map<string, Keyv>();
  let closed = false;

  const wrap = (ns: string, store: KeyvStoreAdapter | Map<unknown, unknown>, useKeyPrefix: boolean): Keyv => {
    const keyv = new Keyv({ store, namespace: ns, useKeyPrefix, throwOnErrors: true });
    keyv.on('error', (error: unknown) => logger.debug({ err: error, namespace: ns }, 'kv operation failed'));
    return keyv;
  };

  let makeKeyv: (ns: string) => Keyv;
  let closeBackend: () => Promise<void>;

  if (backend === 'memory') {
    makeKeyv = (ns) => wrap(ns, new Map(), true);
    closeBackend = async () => {};
  } else if (backend === 'postgres') {
    const pool = new pg.Pool({
      connectionString: url,
      max: 5,
      idleTimeoutMillis: 10_000,
      application_name: 'botloom-kv',
    });
    pool.on('error', (error) => logger.warn({ err: error }, 'idle kv connection failed'));
    let tableReady: Promise<void> | undefined;
    const ready = () => {
      tableReady ??= ensureKvTable(pool).catch((error) => {
        tableReady = undefined; // retry on the next call
        throw error;
      });
      return tableReady;
    };
    const sweepEvery = options.sweepIntervalMs ?? 600_000;
    const sweeper =
      sweepEvery > 0
        ? setInterval(() => {
            ready()
              .then(() => sweepExpiredKv(pool))
              .then((count) => count > 0 && logger.debug({ count }, 'expired kv entries removed'))
              .catch((error) => logger.warn({ err: error }, 'kv sweep failed'));
          }, sweepEvery)
        : undefined;
    sweeper?.unref();
    makeKeyv = (ns) => wrap(ns, new PostgresKvStore(pool, ready), true);
    closeBackend = async () => {
      if (sweeper) clearInterval(sweeper);
      await pool.end();
    };
  } else {
    const client = createClient({ url });
    client.setMaxListeners(200);
    client.on('error', (error: unknown) => logger.warn({ err: error }, 'redis connection error'));
    makeKeyv = (ns) =>
      // @keyv/redis prefixes keys itself (`<ns>::key`), so keyv must not add its own prefix.
      wrap(
        ns,
        new KeyvRedis(client, { namespace: ns, throwOnErrors: true }) as unknown as KeyvStoreAdapter,
        false,
      );
    closeBackend = async () => {
      if (client.isOpen) await client.close();
    };
  }

  return {
    backend,
    namespace(ns: string): Keyv {
      if (closed) throw new Error('KV factory is closed');
      if (!NAMESPACE_PATTERN.test(ns)) {
        throw new Error(`Invalid KV namespace "${ns}": use letters, digits, ".", "_" and "-" (no ":")`);
      }
      let keyv = instances.get(ns);
      if (!keyv) {
        keyv = makeKeyv(ns);
        instances.set(ns, keyv);
      }
      return keyv;
    },
    async close() {
      if (closed) return;
      closed = true;
      instances.clear();
      await closeBackend();
    },
  };
}
