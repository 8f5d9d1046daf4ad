import { Keyv, type KeyvStoreAdapter } from 'keyv';
import pg from 'pg';
import type { Logger } from 'pino';
import { GroupCommit } from '../db/group-commit.js';
import { poolCloser } from '../db/pool-closer.js';
import { BootError } from '../errors/botloom-error.js';
import { claimMemoryKey, claimRedisKey } from './kv-claim.js';
import {
  ensureWindowTable,
  hitPostgresWindows,
  hitRedisWindow,
  MemoryWindows,
  sweepExpiredWindows,
  type WindowDecision,
  type WindowHit,
} from './kv-window.js';
import { claimPostgresKey, ensureKvTable, PostgresKvStore, sweepExpiredKv } from './postgres-kv-store.js';
import { keyvRedis } from './redis-client.js';

export type KvBackend = 'postgres' | 'redis' | 'memory';

export interface KvFactory {
  readonly backend: KvBackend;
  /**
   * The keyv of one namespace (a plugin id, or `core.sessions`...). Keys of different
   * namespaces never collide and `clear()` only clears its own namespace. The same
   * namespace always returns the same Keyv instance. Store errors are thrown, not swallowed.
   */
  namespace(ns: string): Keyv;
  /**
   * Atomic "set if absent": stores `key` in namespace `ns` for `ttlMs` milliseconds unless it is
   * already there and not expired. `true` = this caller claimed it (first, or after the previous
   * entry expired); `false` = it is held. Of any number of concurrent callers, in this process or
   * in other instances sharing the backend, exactly one gets `true`. Native per backend: one
   * `INSERT ... ON CONFLICT DO UPDATE ... WHERE expired` (PostgreSQL), `SET NX PX` (Redis), a
   * synchronous Map check-and-set (memory). The claim is an ordinary entry of the namespace
   * (value `true`, same key as `namespace(ns).set(key, ...)`): `has(key)` sees it and
   * `delete(key)` releases it early; an entry set without a TTL is never claimable.
   * Store errors are thrown.
   */
  claim(ns: string, key: string, ttlMs: number): Promise<boolean>;
  /**
   * One hit on the sliding window `key` of namespace `ns`: at most `limit` accepted hits in any
   * `windowMs`, counted exactly across every instance sharing the backend. Native and atomic
   * per backend, one round trip: one `INSERT ... ON CONFLICT DO UPDATE` (PostgreSQL, table
   * `botloom_rate_windows`), one Lua script (Redis), a synchronous Map step (memory, exact in
   * this process only). Store errors are thrown.
   */
  hitWindow(ns: string, key: string, hit: WindowHit): Promise<WindowDecision>;
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

interface KvNamespace {
  keyv: Keyv;
  claim(key: string, ttlMs: number): Promise<boolean>;
  hitWindow(key: string, hit: WindowHit): Promise<WindowDecision>;
}

/**
 * The store key keyv uses for `key` in namespace `ns` (memory and PostgreSQL: `useKeyPrefix`),
 * including keyv's rule that a key already starting with `<ns>:` is not prefixed again.
 */
function keyvKey(ns: string, key: string): string {
  return key.startsWith(`${ns}:`) ? key : `${ns}:${key}`;
}

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
  const instances = new Map<string, KvNamespace>();
  let closed = false;

  const wrap = (ns: string, store: KeyvStoreAdapter | Map<unknown, unknown>, useKeyPrefix: boolean): Keyv => {
    const keyv = new Keyv({ store, namespace: ns, useKeyPrefix, throwOnErrors: true });
    keyv.on('error', (error: unknown) => logger.debug({ err: error, namespace: ns }, 'kv operation failed'));
    return keyv;
  };

  let makeNamespace: (ns: string) => KvNamespace;
  let closeBackend: () => Promise<void>;

  if (backend === 'memory') {
    makeNamespace = (ns) => {
      const map = new Map<string, unknown>();
      const windows = new MemoryWindows();
      return {
        keyv: wrap(ns, map, true),
        claim: async (key, ttlMs) => claimMemoryKey(map, keyvKey(ns, key), ttlMs),
        hitWindow: async (key, hit) => windows.hit(key, hit),
      };
    };
    closeBackend = async () => {};
  } else if (backend === 'postgres') {
    const pool = new pg.Pool({
      connectionString: url,
      max: 5,
      idleTimeoutMillis: 10_000,
      application_name: 'botloom-kv',
    });
    pool.on('error', (error) => logger.warn({ err: error }, 'idle kv connection failed'));
    const endPool = poolCloser(pool);
    let tableReady: Promise<void> | undefined;
    const ready = () => {
      tableReady ??= ensureKvTable(pool).catch((error) => {
        tableReady = undefined; // retry on the next call
        throw error;
      });
      return tableReady;
    };
    let windowTableReady: Promise<void> | undefined;
    const windowsReady = () => {
      windowTableReady ??= ensureWindowTable(pool).catch((error) => {
        windowTableReady = undefined;
        throw error;
      });
      return windowTableReady;
    };
    const sweepEvery = options.sweepIntervalMs ?? 600_000;
    const sweeper =
      sweepEvery > 0
        ? setInterval(() => {
            ready()
              .then(() => sweepExpiredKv(pool))
              .then((count) => count > 0 && logger.debug({ count }, 'expired kv entries removed'))
              .catch((error) => logger.warn({ err: error }, 'kv sweep failed'));
            if (windowTableReady) {
              windowTableReady
                .then(() => sweepExpiredWindows(pool))
                .catch((error) => logger.warn({ err: error }, 'rate window sweep failed'));
            }
          }, sweepEvery)
        : undefined;
    sweeper?.unref();
    // Hits arriving while a statement runs share the next one (group commit), per window shape.
    const windowBatches = new Map<string, GroupCommit<{ key: string; now: number }, WindowDecision>>();
    const hitBatched = (key: string, hit: WindowHit) => {
      const shape = `${hit.limit}:${hit.windowMs}`;
      let batch = windowBatches.get(shape);
      if (!batch) {
        batch = new GroupCommit((hits) => hitPostgresWindows(pool, hits, hit), { keyOf: (h) => h.key });
        windowBatches.set(shape, batch);
      }
      return batch.submit({ key, now: hit.now ?? Date.now() });
    };
    makeNamespace = (ns) => ({
      keyv: wrap(ns, new PostgresKvStore(pool, ready), true),
      claim: async (key, ttlMs) => {
        await ready();
        return claimPostgresKey(pool, keyvKey(ns, key), ttlMs);
      },
      hitWindow: async (key, hit) => {
        await windowsReady();
        return hitBatched(keyvKey(ns, key), hit);
      },
    });
    closeBackend = async () => {
      if (sweeper) clearInterval(sweeper);
      await endPool();
    };
  } else {
    const { createClient, default: KeyvRedis } = keyvRedis();
    const client = createClient({ url });
    client.setMaxListeners(200);
    client.on('error', (error: unknown) => logger.warn({ err: error }, 'redis connection error'));
    makeNamespace = (ns) => {
      const adapter = new KeyvRedis(client, { namespace: ns, throwOnErrors: true });
      return {
        // @keyv/redis prefixes keys itself (`<ns>::key`), so keyv must not add its own prefix.
        keyv: wrap(ns, adapter as unknown as KeyvStoreAdapter, false),
        claim: async (key, ttlMs) =>
          claimRedisKey(await adapter.getClient(), adapter.createKeyPrefix(key, ns), ttlMs),
        hitWindow: async (key, hit) => hitRedisWindow(await adapter.getClient(), `${ns}:${key}`, hit),
      };
    };
    closeBackend = async () => {
      if (client.isOpen) await client.close();
    };
  }

  const namespaceOf = (ns: string): KvNamespace => {
    if (closed) throw new Error('KV factory is closed');
    if (!NAMESPACE_PATTERN.test(ns)) {
      throw new Error(`Invalid KV namespace "${ns}": use letters, digits, ".", "_" and "-" (no ":")`);
    }
    let entry = instances.get(ns);
    if (!entry) {
      entry = makeNamespace(ns);
      instances.set(ns, entry);
    }
    return entry;
  };

  return {
    backend,
    namespace: (ns) => namespaceOf(ns).keyv,
    async claim(ns, key, ttlMs) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new RangeError(`claim() needs a positive TTL in milliseconds (got ${ttlMs})`);
      }
      return namespaceOf(ns).claim(key, Math.ceil(ttlMs));
    },
    async hitWindow(ns, key, hit) {
      if (
        !Number.isInteger(hit.limit) ||
        hit.limit < 1 ||
        !Number.isFinite(hit.windowMs) ||
        hit.windowMs <= 0
      ) {
        throw new RangeError(
          `hitWindow() needs a limit >= 1 and a positive window (got ${hit.limit}, ${hit.windowMs})`,
        );
      }
      return namespaceOf(ns).hitWindow(key, { ...hit, windowMs: Math.ceil(hit.windowMs) });
    },
    async close() {
      if (closed) return;
      closed = true;
      instances.clear();
      await closeBackend();
    },
  };
}
