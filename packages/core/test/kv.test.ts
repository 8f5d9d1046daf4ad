import {
  type Conversation,
  type ConversationFlavor,
  conversations,
  createConversation,
} from '@grammyjs/conversations';
import { createClient } from '@keyv/redis';
import { Bot, type Context, type SessionFlavor, session } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvFactory, type KvFactory, kvBackendOf } from '../src/kv/kv-factory.js';
import { KV_TABLE, sweepExpiredKv } from '../src/kv/postgres-kv-store.js';
import { conversationsStorage, keyvStorageAdapter } from '../src/kv/session-storage.js';
import { createTestDatabase, type TestDatabase, testRedisUrl } from '../src/testing/test-database.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const redisUrl = testRedisUrl();
if (!redisUrl) console.warn('kv.test.ts: TEST_REDIS_URL is not set, the Redis backend tests are skipped');

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

/**
 * What the tests need to see and move an entry's expiry without waiting for the wall clock
 * (a TTL short enough to wait for is also short enough to pass while a busy machine works).
 * `expire` makes an entry's TTL run out now, as the backend's own clock would; `msLeft` reads
 * how long the backend will still keep it.
 */
interface ExpiryProbe {
  expire(ns: string, key: string): Promise<void>;
  msLeft(ns: string, key: string): Promise<number | undefined>;
  close(): Promise<void>;
}

function memoryProbe(kv: KvFactory): ExpiryProbe {
  const entryOf = (ns: string, key: string) => {
    const map = kv.namespace(ns).store as Map<string, unknown>;
    const raw = map.get(`${ns}:${key}`);
    if (typeof raw !== 'string') throw new Error(`no memory entry ${ns}:${key}`);
    return { map, data: JSON.parse(raw) as { value: unknown; expires?: number } };
  };
  return {
    async expire(ns, key) {
      const { map, data } = entryOf(ns, key);
      map.set(`${ns}:${key}`, JSON.stringify({ ...data, expires: Date.now() - 1 }));
    },
    async msLeft(ns, key) {
      const { data } = entryOf(ns, key);
      return data.expires === undefined ? undefined : data.expires - Date.now();
    },
    async close() {},
  };
}

function postgresProbe(url: string): ExpiryProbe {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  return {
    async expire(ns, key) {
      const { rowCount } = await pool.query(
        `UPDATE ${KV_TABLE} SET expires_at = now() - interval '1 second' WHERE key = $1`,
        [`${ns}:${key}`],
      );
      if (rowCount !== 1) throw new Error(`no postgres entry ${ns}:${key}`);
    },
    async msLeft(ns, key) {
      const { rows } = await pool.query<{ left: string | null }>(
        `SELECT extract(epoch FROM expires_at - now()) * 1000 AS left FROM ${KV_TABLE} WHERE key = $1`,
        [`${ns}:${key}`],
      );
      if (!rows[0]) throw new Error(`no postgres entry ${ns}:${key}`);
      return rows[0].left === null ? undefined : Number(rows[0].left);
    },
    close: () => pool.end(),
  };
}

function redisProbe(url: string): ExpiryProbe {
  const client = createClient({ url });
  const connected = client.connect();
  // @keyv/redis stores `<ns>::<key>`.
  return {
    async expire(ns, key) {
      await connected;
      // An expiry time in the past: Redis deletes the key at once, as when its TTL runs out.
      if (!(await client.pExpireAt(`${ns}::${key}`, 1))) throw new Error(`no redis entry ${ns}::${key}`);
    },
    async msLeft(ns, key) {
      await connected;
      const left = await client.pTTL(`${ns}::${key}`);
      if (left === -2) throw new Error(`no redis entry ${ns}::${key}`);
      return left === -1 ? undefined : left;
    },
    async close() {
      await connected;
      await client.close();
    },
  };
}

const backends: Array<{
  name: string;
  url: () => string;
  skip: boolean;
  probe: (kv: KvFactory) => ExpiryProbe;
}> = [
  { name: 'memory', url: () => 'memory://', skip: false, probe: memoryProbe },
  { name: 'postgres', url: () => database.url, skip: false, probe: () => postgresProbe(database.url) },
  { name: 'redis', url: () => redisUrl, skip: !redisUrl, probe: () => redisProbe(redisUrl) },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`KV on ${backend.name}`, () => {
    let kv: KvFactory;
    let probe: ExpiryProbe;
    // Redis keeps data between runs: unique namespaces per run keep tests independent.
    const run = Math.random().toString(36).slice(2, 8);
    beforeAll(() => {
      kv = createKvFactory({ url: backend.url(), databaseUrl: database.url, logger });
      probe = backend.probe(kv);
    });
    afterAll(async () => {
      await probe?.close();
      await kv?.close();
    });

    it('uses the backend named by the URL', () => {
      expect(kv.backend).toBe(backend.name);
    });

    it('keeps namespaces isolated, including clear()', async () => {
      const a = kv.namespace(`a-${run}`);
      const b = kv.namespace(`b-${run}`);
      await a.set('key', { owner: 'a', n: 1 });
      await b.set('key', { owner: 'b', n: 2 });
      expect(await a.get('key')).toEqual({ owner: 'a', n: 1 });
      expect(await b.get('key')).toEqual({ owner: 'b', n: 2 });
      await a.clear();
      expect(await a.get('key')).toBeUndefined();
      expect(await b.get('key')).toEqual({ owner: 'b', n: 2 });
      expect(await b.delete('key')).toBe(true);
      expect(await b.has('key')).toBe(false);
    });

    it('returns the same Keyv for the same namespace and rejects ambiguous names', () => {
      expect(kv.namespace(`same-${run}`)).toBe(kv.namespace(`same-${run}`));
      expect(() => kv.namespace('core:sessions')).toThrow(/Invalid KV namespace/);
      expect(() => kv.namespace('')).toThrow(/Invalid KV namespace/);
    });

    it('expires entries after their TTL', async () => {
      const name = `ttl-${run}`;
      const ns = kv.namespace(name);
      await ns.set('expiring', 'until its TTL runs out', 60_000);
      await ns.set('long', 'stays', 60_000);
      await ns.set('forever', 'no TTL');
      expect(await ns.get('expiring')).toBe('until its TTL runs out');
      // The backend keeps it for the TTL given (read back, not waited for)...
      const left = await probe.msLeft(name, 'expiring');
      expect(left).toBeGreaterThan(30_000);
      expect(left).toBeLessThanOrEqual(60_000);
      expect(await probe.msLeft(name, 'forever')).toBeUndefined();
      // ...and drops it once that time has passed.
      await probe.expire(name, 'expiring');
      expect(await ns.get('expiring')).toBeUndefined();
      expect(await ns.get('long')).toBe('stays');
      expect(await ns.get('forever')).toBe('no TTL');
      // The real clock does the same: waiting longer than a TTL only ever makes the entry older.
      await ns.set('short', 'gone soon', 100);
      await sleep(300);
      expect(await ns.get('short')).toBeUndefined();
    });

    it('claim(): exactly one of many concurrent callers wins; the claim is a namespaced entry', async () => {
      const ns = `claim-${run}`;
      const results = await Promise.all(Array.from({ length: 40 }, () => kv.claim(ns, 'update-1', 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await kv.claim(ns, 'update-1', 60_000)).toBe(false);
      // Same key elsewhere: other keys and other namespaces are independent.
      expect(await kv.claim(ns, 'update-2', 60_000)).toBe(true);
      expect(await kv.claim(`claim2-${run}`, 'update-1', 60_000)).toBe(true);
      // It is an ordinary entry of the namespace's Keyv: visible, and delete() releases it.
      const keyv = kv.namespace(ns);
      expect(await keyv.get('update-1')).toBe(true);
      expect(await keyv.delete('update-1')).toBe(true);
      expect(await kv.claim(ns, 'update-1', 60_000)).toBe(true);
      // A live entry written by keyv blocks a claim; one without TTL never expires.
      await keyv.set('taken', 'by set()');
      expect(await kv.claim(ns, 'taken', 60_000)).toBe(false);
      expect(await keyv.get('taken')).toBe('by set()');
      await expect(kv.claim(ns, 'bad-ttl', 0)).rejects.toThrow(/positive TTL/);
    });

    it('claim(): an expired claim (or expired entry) can be claimed again, by exactly one caller', async () => {
      const ns = `claim-ttl-${run}`;
      expect(await kv.claim(ns, 'k', 60_000)).toBe(true);
      expect(await kv.claim(ns, 'k', 60_000)).toBe(false);
      const left = await probe.msLeft(ns, 'k');
      expect(left).toBeGreaterThan(30_000);
      expect(left).toBeLessThanOrEqual(60_000);
      await kv.namespace(ns).set('old', 'value', 60_000);
      await probe.expire(ns, 'k');
      await probe.expire(ns, 'old');
      const again = await Promise.all(Array.from({ length: 40 }, () => kv.claim(ns, 'k', 60_000)));
      expect(again.filter(Boolean)).toHaveLength(1);
      const old = await Promise.all(Array.from({ length: 10 }, () => kv.claim(ns, 'old', 60_000)));
      expect(old.filter(Boolean)).toHaveLength(1);
      expect(await kv.namespace(ns).get('old')).toBe(true);
      // With the real clock: a claim is claimable again once its TTL has passed.
      expect(await kv.claim(ns, 'short', 100)).toBe(true);
      await sleep(300);
      expect(await kv.claim(ns, 'short', 60_000)).toBe(true);
    });

    it('iterates over one namespace only', async () => {
      const ns = kv.namespace(`iter-${run}`);
      const other = kv.namespace(`iter2-${run}`);
      await ns.set('x', 1);
      await ns.set('y', 2);
      await other.set('z', 3);
      const seen: Array<[string, unknown]> = [];
      if (!ns.iterator) throw new Error('backend cannot iterate');
      for await (const [key, value] of ns.iterator(undefined)) seen.push([key as string, value]);
      expect(seen.sort()).toEqual([
        ['x', 1],
        ['y', 2],
      ]);
    });
  });
}

describe('KV on postgres: durability and housekeeping', () => {
  it('stores in botloom_kv, is visible to another factory (another instance), and sweeps expired rows', async () => {
    const first = createKvFactory({ databaseUrl: database.url, logger });
    const second = createKvFactory({ databaseUrl: database.url, logger });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await first.namespace('shared').set('greeting', 'hello', 100);
      await first.namespace('shared').set('kept', 'yes');
      expect(await second.namespace('shared').get('kept')).toBe('yes');
      await sleep(200);
      const pool = new pg.Pool({ connectionString: database.url, max: 1 });
      try {
        expect(await sweepExpiredKv(pool)).toBeGreaterThanOrEqual(1);
      } finally {
        await pool.end();
      }
      const { rows } = await client.query(
        `SELECT key FROM ${KV_TABLE} WHERE key LIKE 'shared:%' ORDER BY key`,
      );
      expect(rows.map((r) => r.key)).toEqual(['shared:kept']);
    } finally {
      await client.end();
      await first.close();
      await second.close();
    }
  });

  it('claim() is atomic across instances: many factories (pools) racing for the same keys', async () => {
    const factories = Array.from({ length: 4 }, () => createKvFactory({ databaseUrl: database.url, logger }));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const keys = Array.from({ length: 10 }, (_, i) => `race-${i}`);
      const race = () =>
        Promise.all(
          keys.flatMap((key) =>
            factories.flatMap((factory) =>
              Array.from({ length: 5 }, () => factory.claim('claims', key, 60_000)),
            ),
          ),
        );
      // 20 callers per key: exactly one winner each.
      expect((await race()).filter(Boolean)).toHaveLength(keys.length);
      expect((await race()).filter(Boolean)).toHaveLength(0);
      // The same keys again once every claim has expired: the takeover path. The expiry is moved
      // rather than waited for, so a slow race cannot outlive a short TTL.
      await client.query(
        `UPDATE ${KV_TABLE} SET expires_at = now() - interval '1 second' WHERE key LIKE 'claims:%'`,
      );
      expect((await race()).filter(Boolean)).toHaveLength(keys.length);
      const { rows } = await client.query(
        `SELECT key FROM ${KV_TABLE} WHERE key LIKE 'claims:%' AND expires_at > now() + interval '30 seconds'`,
      );
      expect(rows).toHaveLength(10);
    } finally {
      await client.end();
      await Promise.all(factories.map((factory) => factory.close()));
    }
  });

  it('defaults to the database URL and rejects unknown schemes', () => {
    expect(kvBackendOf('postgresql://u@h/db')).toBe('postgres');
    expect(kvBackendOf('rediss://h:6380')).toBe('redis');
    expect(() => kvBackendOf('mongodb://h')).toThrow(/KV_URL/);
  });
});

const botInfo: UserFromGetMe = {
  id: 42,
  is_bot: true,
  first_name: 'Test',
  username: 'test_bot',
  can_join_groups: true,
  can_manage_bots: false,
  supports_join_request_queries: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
};

let updateId = 1;
function textUpdate(text: string, chatId = 777): Update {
  const entities = text.startsWith('/')
    ? [{ type: 'bot_command' as const, offset: 0, length: text.split(' ')[0]!.length }]
    : undefined;
  return {
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'User' },
      from: { id: chatId, is_bot: false, first_name: 'User', language_code: 'en' },
      text,
      entities,
    },
  };
}

describe('grammY storage adapters over keyv (postgres)', () => {
  it('persists grammY sessions', async () => {
    const kv = createKvFactory({ databaseUrl: database.url, logger });
    try {
      type Ctx = Context & SessionFlavor<{ count: number }>;
      const bot = new Bot<Ctx>('1:test', { botInfo });
      bot.use(
        session({ initial: () => ({ count: 0 }), storage: keyvStorageAdapter(kv.namespace('sessions')) }),
      );
      bot.on('message', (ctx) => {
        ctx.session.count += 1;
      });
      await bot.handleUpdate(textUpdate('one'));
      await bot.handleUpdate(textUpdate('two'));
      expect(await kv.namespace('sessions').get('777')).toEqual({ count: 2 });
    } finally {
      await kv.close();
    }
  });

  it('keeps a @grammyjs/conversations v2 conversation across a restart', async () => {
    type Ctx = ConversationFlavor<Context>;
    const answers: string[] = [];
    const buildBot = (kv: KvFactory) => {
      const bot = new Bot<Ctx>('1:test', { botInfo });
      bot.use(conversations({ storage: conversationsStorage(kv.namespace('conversations')) }));
      bot.use(
        createConversation(async (conversation: Conversation<Ctx, Context>) => {
          const answer = await conversation.waitFor('message:text');
          await conversation.external(() => answers.push(answer.message.text));
        }, 'ask'),
      );
      bot.command('ask', (ctx) => ctx.conversation.enter('ask'));
      return bot;
    };

    const before = createKvFactory({ databaseUrl: database.url, logger });
    await buildBot(before).handleUpdate(textUpdate('/ask', 900));
    expect(await before.namespace('conversations').get('900')).toBeDefined();
    await before.close();

    const after = createKvFactory({ databaseUrl: database.url, logger });
    try {
      await buildBot(after).handleUpdate(textUpdate('blue', 900));
      expect(answers).toEqual(['blue']);
      // A finished conversation leaves nothing behind.
      expect(await after.namespace('conversations').get('900')).toBeUndefined();
    } finally {
      await after.close();
    }
  });
});
