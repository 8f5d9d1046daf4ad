import type { StorageAdapter } from 'grammy';
import type { Keyv } from 'keyv';
import type { Crypto } from '../crypto/types.js';

/**
 * What a sealed entry looks like in KV: the JSON of the value, encrypted with core's crypto,
 * and the moment (ms since epoch, by the adapter's clock) after which it counts as gone.
 */
export interface SealedEntry {
  sealed: string;
  expiresAt?: number;
}

export interface SealedStorageOptions {
  crypto: Crypto;
  /**
   * Milliseconds after the last write when an entry expires; unset = never. Enforced twice:
   * by the KV backend (the row is swept) and on read against `now`.
   */
  ttlMs?: number;
  /** The clock expiry is checked against (tests inject one; default `Date.now`). */
  now?: () => number;
}

export function isSealedEntry(value: unknown): value is SealedEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SealedEntry).sealed === 'string' &&
    ((value as SealedEntry).expiresAt === undefined || typeof (value as SealedEntry).expiresAt === 'number')
  );
}

/**
 * A grammY `StorageAdapter` over a keyv namespace that stores every value encrypted (for state
 * that holds user text, such as half-finished conversations) and lets it expire.
 *
 * An entry that is not sealed (written before encryption was turned on), that has expired, or
 * that no longer decrypts (another ENCRYPTION_KEY) reads as absent and is deleted.
 */
export function sealedStorageAdapter<T>(keyv: Keyv, options: SealedStorageOptions): StorageAdapter<T> {
  const now = options.now ?? Date.now;
  const { crypto, ttlMs } = options;

  const read = async (key: string): Promise<T | undefined> => {
    const stored = await keyv.get<unknown>(key);
    if (stored === undefined || stored === null) return undefined;
    if (!isSealedEntry(stored) || (stored.expiresAt !== undefined && stored.expiresAt <= now())) {
      await keyv.delete(key);
      return undefined;
    }
    try {
      return JSON.parse(crypto.decrypt(stored.sealed)) as T;
    } catch {
      await keyv.delete(key);
      return undefined;
    }
  };

  return {
    read,
    async write(key, value) {
      const entry: SealedEntry = { sealed: crypto.encrypt(JSON.stringify(value)) };
      if (ttlMs !== undefined) entry.expiresAt = now() + ttlMs;
      await keyv.set(key, entry, ttlMs);
    },
    async delete(key) {
      await keyv.delete(key);
    },
    async has(key) {
      return (await read(key)) !== undefined;
    },
    async *readAllKeys() {
      if (!keyv.iterator) throw new Error('This KV backend cannot list keys');
      for await (const [key] of keyv.iterator(undefined)) yield key as string;
    },
  };
}

/**
 * Deletes the entries of a namespace that are not sealed: plaintext left by a version that
 * stored them unencrypted and without expiry (an abandoned conversation would keep its text
 * for good). Returns how many were deleted; backends that cannot list keys are skipped (-1).
 */
export async function purgeUnsealedEntries(keyv: Keyv): Promise<number> {
  if (!keyv.iterator) return -1;
  const stale: string[] = [];
  for await (const [key, value] of keyv.iterator(undefined)) {
    if (!isSealedEntry(value)) stale.push(key as string);
  }
  for (const key of stale) await keyv.delete(key);
  return stale.length;
}
