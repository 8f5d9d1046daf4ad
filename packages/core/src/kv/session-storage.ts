import type { ConversationData, ConversationStorage, VersionedState } from '@grammyjs/conversations';
import type { Context, StorageAdapter } from 'grammy';
import type { Keyv } from 'keyv';
import type { Crypto } from '../crypto/types.js';
import { sealedStorageAdapter } from './sealed-storage.js';

export interface KeyvStorageAdapterOptions {
  /** Milliseconds after the last write when an entry expires; unset = never. */
  ttlMs?: number;
}

/**
 * A grammY `StorageAdapter` over a keyv namespace: use it for `session({ storage })`, and
 * (through `conversationsStorage`) for @grammyjs/conversations v2.
 *
 * Values are JSON-serialized by keyv, so store plain data (no class instances or functions).
 * grammY writes a session back after every update that read it; without a TTL to refresh,
 * writing back a value equal to the one read is skipped (no round trip for a session that
 * did not change).
 */
export function keyvStorageAdapter<T>(
  keyv: Keyv,
  options: KeyvStorageAdapterOptions = {},
): StorageAdapter<T> {
  // The JSON of each object as read, keyed by the object itself (no entry outlives it).
  const asRead = new WeakMap<object, string>();
  return {
    async read(key) {
      const value = (await keyv.get<T>(key)) ?? undefined;
      if (options.ttlMs === undefined && typeof value === 'object' && value !== null) {
        asRead.set(value, JSON.stringify(value));
      }
      return value;
    },
    async write(key, value) {
      if (typeof value === 'object' && value !== null) {
        const json = asRead.get(value);
        if (json !== undefined && json === JSON.stringify(value)) return;
        asRead.delete(value);
      }
      await keyv.set(key, value, options.ttlMs);
    },
    async delete(key) {
      await keyv.delete(key);
    },
    async has(key) {
      return keyv.has(key);
    },
    async *readAllKeys() {
      if (!keyv.iterator) throw new Error('This KV backend cannot list keys');
      for await (const [key] of keyv.iterator(undefined)) yield key as string;
    },
  };
}

export interface ConversationsStorageOptions<C extends Context> extends KeyvStorageAdapterOptions {
  /**
   * Bump when your conversation code changes in a way that makes stored, half-finished
   * conversations invalid: stored state of another version is discarded.
   */
  version?: string | number;
  /** Defaults to `ctx.chatId` (the plugin's default). */
  getStorageKey?(ctx: C): string | undefined;
  prefix?: string;
  /**
   * Encrypts the stored state with core's crypto (`Tokens.Crypto`). Conversation state holds
   * what the user typed (every update the conversation waited for), so pass it whenever the
   * conversation asks for free text. Core's own conversations storage always does.
   */
  crypto?: Crypto;
  /** The clock the TTL is checked against when `crypto` is set (tests; default `Date.now`). */
  now?: () => number;
}

/**
 * Storage for @grammyjs/conversations v2 (`conversations({ storage })`) over a keyv
 * namespace: the `{ type: 'key' }` form, so the conversation state is versioned.
 */
export function conversationsStorage<C extends Context>(
  keyv: Keyv,
  options: ConversationsStorageOptions<C> = {},
): ConversationStorage<C, ConversationData> {
  return {
    type: 'key',
    version: options.version ?? 0,
    prefix: options.prefix,
    getStorageKey: options.getStorageKey,
    adapter: options.crypto
      ? sealedStorageAdapter<VersionedState<ConversationData>>(keyv, {
          crypto: options.crypto,
          ttlMs: options.ttlMs,
          now: options.now,
        })
      : keyvStorageAdapter<VersionedState<ConversationData>>(keyv, { ttlMs: options.ttlMs }),
  };
}
