import type { createClient } from '@keyv/redis';

/**
 * The value a claim stores, in keyv's serialized form (`{ value, expires }` as JSON), so that
 * the namespace's Keyv reads a claim like any entry it wrote itself.
 */
export function claimEntry(expiresAt: number): string {
  return JSON.stringify({ value: true, expires: expiresAt });
}

/**
 * Claim on the memory backend: the check and the write happen in one synchronous step on the
 * namespace's Map, so no other claim (or keyv call) can run in between.
 */
export function claimMemoryKey(map: Map<string, unknown>, storeKey: string, ttlMs: number): boolean {
  const now = Date.now();
  const current = map.get(storeKey);
  if (current !== undefined && !isExpired(current, now)) return false;
  map.set(storeKey, claimEntry(now + ttlMs));
  return true;
}

function isExpired(stored: unknown, now: number): boolean {
  let data = stored;
  if (typeof stored === 'string') {
    try {
      data = JSON.parse(stored);
    } catch {
      return false; // not keyv's format: someone's value, treat it as held
    }
  }
  const expires = (data as { expires?: unknown } | null)?.expires;
  return typeof expires === 'number' && expires <= now;
}

type RedisClient = ReturnType<typeof createClient>;

/** Claim on Redis: `SET key value NX PX ttl` (Redis expires the key itself). */
export async function claimRedisKey(
  client: Pick<RedisClient, 'set'>,
  storeKey: string,
  ttlMs: number,
): Promise<boolean> {
  const reply = await client.set(storeKey, claimEntry(Date.now() + ttlMs), {
    condition: 'NX',
    expiration: { type: 'PX', value: ttlMs },
  });
  return reply === 'OK';
}
