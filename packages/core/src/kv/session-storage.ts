import type { ConversationData, ConversationStorage, VersionedState } from '@grammyjs/conversations';
import type { Context, StorageAdapter } from 'grammy';
import type { Keyv } from 'keyv';
import type { Crypto } from '../crypto/types.js';
import { sealedStorageAdapter } from './sealed-storage.js';

export interface KeyvStorageAdapterOptions {
  /** Milliseconds after the last write when an entry expires; unset = never. */
  ttlMs?: number;
  /**
   * An entry already read for `key` (keyv's serialized text, null = absent), e.g. together with
   * the update's lease: served instead of a KV read. Undefined = read the KV.
   */
  prefetched?(key: string): string | null | undefined;
  /**
   * Takes over the write of `key` (e.g. into the statement that marks the update done): answers
   * a sink for keyv's serialized entry, or undefined to write to the KV now. Only without TTL.
   */
  deferWrite?(key: string): ((serialized: string) => void) | undefined;
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
      const raw = options.prefetched?.(key);
      const value = raw === undefined ? ((await keyv.get<T>(key)) ?? undefined) : await decode<T>(keyv, raw);
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
      const sink = options.ttlMs === undefined ? options.deferWrite?.(key) : undefined;
      if (sink) {
        sink(String(await keyv.serializeData({ value, expires: undefined })));
        return;
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

/** A serialized keyv entry as `keyv.get` would answer it (undefined when absent or expired). */
async function decode<T>(keyv: Keyv, raw: string | null): Promise<T | undefined> {
  if (raw === null) return undefined;
  const data = await keyv.deserializeData<T>(raw);
  if (!data || (typeof data.expires === 'number' && Date.now() > data.expires)) return undefined;
  return data.value ?? undefined;
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

/**
 * The session field that says whether a chat has conversation state in KV: 1 = it has, 0 = it
 * has none; absent = not known yet (sessions from before the field existed).
 */
export const CONVERSATION_MARKER = '__conversations';

/**
 * `conversationsStorage` (the same KV entries) that spares the KV read for chats in no
 * conversation: the session, read for every update anyway, records whether the chat has
 * conversation state; where it has none, no read is made. The marker is set on every
 * write and delete through this storage, and on a read where it was unknown.
 *
 * A crash between the state write and the session write leaves the marker stale: the update
 * is handled again from the inbox and writes both. Conversation state must only be written
 * through this storage (core's conversations middleware).
 */
export function sessionMarkedConversationsStorage<C extends Context & { session: Record<string, unknown> }>(
  keyv: Keyv,
  options: Omit<ConversationsStorageOptions<C>, 'getStorageKey' | 'prefix'> = {},
): ConversationStorage<C, ConversationData> {
  const keyStorage = conversationsStorage<C>(keyv, options);
  if (keyStorage.type !== 'key') throw new Error('unreachable');
  const adapter = keyStorage.adapter;
  return {
    type: 'context',
    version: keyStorage.version,
    adapter: {
      async read(ctx) {
        const key = ctx.chatId?.toString();
        if (key === undefined || ctx.session[CONVERSATION_MARKER] === 0) return undefined;
        const state = await adapter.read(key);
        ctx.session[CONVERSATION_MARKER] = state === undefined ? 0 : 1;
        return state;
      },
      async write(ctx, state) {
        const key = ctx.chatId?.toString();
        if (key === undefined) return;
        await adapter.write(key, state);
        ctx.session[CONVERSATION_MARKER] = 1;
      },
      async delete(ctx) {
        const key = ctx.chatId?.toString();
        if (key === undefined) return;
        await adapter.delete(key);
        ctx.session[CONVERSATION_MARKER] = 0;
      },
    },
  };
}
