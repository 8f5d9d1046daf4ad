import type { createClient } from '@keyv/redis';
import type pg from 'pg';
import { isCatalogRace } from '../db/catalog-race.js';

/** What one hit on a sliding window decided. */
export type WindowDecision =
  /** Within the limit: the hit was recorded. */
  | { allowed: true }
  /** Over the limit (not recorded). `notify` is true for the first rejected hit since the last accepted one. */
  | { allowed: false; notify: boolean; retryAfterMs: number };

/**
 * Sliding windows shared by every instance of the app (`kv.hitWindow`), bound to one plugin's
 * namespace: `coreServices.rateWindows`. For limits that must hold across instances (an
 * external API's send rate), not only within one process.
 */
export interface RateWindows {
  hit(key: string, hit: WindowHit): Promise<WindowDecision>;
}

export interface WindowHit {
  /** Accepted hits allowed in any `windowMs` (at least 1). */
  limit: number;
  windowMs: number;
  /** The caller's clock (ms); tests inject it. Instances should keep their clocks in sync (NTP). */
  now?: number;
}

/**
 * Sliding-window log on the memory backend: the check and the write happen in one synchronous
 * step, so nothing runs in between. Exact within this process only.
 */
export class MemoryWindows {
  private readonly windows = new Map<string, { hits: number[]; notified: boolean }>();
  private lastSweep = 0;

  hit(key: string, { limit, windowMs, now = Date.now() }: WindowHit): WindowDecision {
    this.sweep(now, windowMs);
    const record = this.windows.get(key) ?? { hits: [], notified: false };
    record.hits = record.hits.filter((time) => time > now - windowMs);
    this.windows.set(key, record);
    if (record.hits.length < limit) {
      record.hits.push(now);
      record.notified = false;
      return { allowed: true };
    }
    const notify = !record.notified;
    record.notified = true;
    return { allowed: false, notify, retryAfterMs: Math.min(...record.hits) + windowMs - now };
  }

  /** Forgets keys idle for a whole window, at most once per window. */
  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [key, record] of this.windows) {
      if (record.hits.every((time) => time <= now - windowMs)) this.windows.delete(key);
    }
  }
}

export const WINDOW_TABLE = 'botloom_rate_windows';

export async function ensureWindowTable(pool: pg.Pool): Promise<void> {
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${WINDOW_TABLE} (
      key TEXT PRIMARY KEY,
      hits BIGINT[] NOT NULL,
      notified BOOLEAN NOT NULL,
      allowed BOOLEAN NOT NULL,
      notify BOOLEAN NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL
    )`);
    await pool.query(`CREATE INDEX IF NOT EXISTS ${WINDOW_TABLE}_expires_at ON ${WINDOW_TABLE} (expires_at)`);
  } catch (error) {
    // Two processes creating the table at once: the table exists either way.
    if (!isCatalogRace(error)) throw error;
  }
}

/** Removes windows idle for longer than their window; returns how many. */
export async function sweepExpiredWindows(pool: pg.Pool): Promise<number> {
  const result = await pool.query(`DELETE FROM ${WINDOW_TABLE} WHERE expires_at <= now()`);
  return result.rowCount ?? 0;
}

/**
 * Hits on PostgreSQL, any number of keys in ONE statement (no read-then-write): the insert
 * creates a window with its hit; on conflict the row is locked, so concurrent hits on one key
 * from any number of instances serialize on it, and each computes its decision from the hits
 * the previous one left. `allowed` and `notify` are stored in the row only to be RETURNed
 * (they describe the last hit). Every SET expression sees the row as it was before this hit;
 * `EXCLUDED.hits[1]` is this hit's time. Keys must be distinct (one row is changed once per
 * statement) and are locked in sorted order, so concurrent batches cannot deadlock.
 */
export async function hitPostgresWindows(
  pool: Pick<pg.Pool, 'query'>,
  hits: ReadonlyArray<{ key: string; now: number }>,
  { limit, windowMs }: Pick<WindowHit, 'limit' | 'windowMs'>,
): Promise<WindowDecision[]> {
  const sorted = [...hits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const live = 'ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > EXCLUDED.hits[1] - $3::bigint)';
  const fits = `cardinality(${live}) < $4::int`;
  const { rows } = await pool.query<{
    key: string;
    allowed: boolean;
    notify: boolean;
    oldest: string | null;
  }>(
    `INSERT INTO ${WINDOW_TABLE} AS w (key, hits, notified, allowed, notify, expires_at)
     SELECT x.k, ARRAY[x.n], false, true, false, now() + $3::bigint * interval '1 millisecond'
     FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS x(k, n, i) ORDER BY x.i
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN ${fits} THEN ${live} || EXCLUDED.hits[1] ELSE ${live} END,
       allowed = ${fits},
       notify = NOT ${fits} AND NOT w.notified,
       notified = NOT ${fits},
       expires_at = now() + $3::bigint * interval '1 millisecond'
     RETURNING key, allowed, notify, (SELECT min(h) FROM unnest(hits) AS h) AS oldest`,
    [sorted.map((h) => h.key), sorted.map((h) => h.now), windowMs, limit],
  );
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return hits.map(({ key, now }) => {
    const row = byKey.get(key)!;
    if (row.allowed) return { allowed: true };
    return { allowed: false, notify: row.notify, retryAfterMs: Number(row.oldest ?? now) + windowMs - now };
  });
}

/** One hit on PostgreSQL in one statement (see `hitPostgresWindows`). */
export async function hitPostgresWindow(
  pool: Pick<pg.Pool, 'query'>,
  key: string,
  { limit, windowMs, now = Date.now() }: WindowHit,
): Promise<WindowDecision> {
  return (await hitPostgresWindows(pool, [{ key, now }], { limit, windowMs }))[0]!;
}

/**
 * One hit on Redis in ONE command: a Lua script (atomic on the server) over a sorted set of
 * accepted hits and a "notified" flag key. Both keys share a hash tag, so they live on one
 * cluster slot.
 */
const REDIS_WINDOW_SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  redis.call('DEL', KEYS[2])
  return {1, 0, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
local notify = 0
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', window) then notify = 1 end
return {0, notify, tonumber(oldest)}
`;

type RedisClient = ReturnType<typeof createClient>;

export async function hitRedisWindow(
  client: Pick<RedisClient, 'eval'>,
  key: string,
  { limit, windowMs, now = Date.now() }: WindowHit,
): Promise<WindowDecision> {
  const tagged = `botloom:window:{${key}}`;
  const member = `${now}:${Math.random().toString(36).slice(2)}`;
  const reply = (await client.eval(REDIS_WINDOW_SCRIPT, {
    keys: [tagged, `${tagged}:notified`],
    arguments: [String(now), String(windowMs), String(limit), member],
  })) as number[];
  if (Number(reply[0]) === 1) return { allowed: true };
  return { allowed: false, notify: Number(reply[1]) === 1, retryAfterMs: Number(reply[2]) + windowMs - now };
}
