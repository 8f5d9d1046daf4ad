import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type App, createApp } from '@botloom/core';
import { type BotApiEmulator, createBotApiEmulator, SandboxClient } from '@botloom/core/sandbox';
import { createTestDatabase, type TestDatabase } from '@botloom/core/testing';
import { Api } from 'grammy';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import botloomConfig from '../botloom.config.js';
import { prepareSandboxDesk } from '../src/sandbox-desk.js';

/**
 * The whole reference app (memory, segmentation, support) in webhook mode, fed a few hundred
 * generated hostile updates through `POST /telegram/webhook` with the right secret, the way
 * an attacker who learnt the secret, or a broken proxy, would send them. Telegram is the
 * sandbox emulator, so every reply the bot tries to send really goes somewhere.
 */

const SECRET = 'fuzz-webhook-secret_1';
const UPDATES = 300;
const SEED = 20_261_202;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Case {
  category: string;
  body: unknown;
  /** 200: handled or ignored as an unknown type; 400: refused as not a Telegram update. */
  expected: 200 | 400;
}

function hostileUpdates(count: number, user: { id: number; first_name: string }): Case[] {
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (max: number) => Math.floor(random() * max);
  let nextId = 500_000;
  const updateId = () => nextId++;
  const junk = () =>
    pick<unknown>([42, -1.5, true, null, [], ['a'], { nested: 'x' }, '', 1e308, Number.MAX_SAFE_INTEGER]);
  const nonString = () => pick<unknown>([42, true, null, [], ['text'], { text: 'x' }, 0, -1]);
  const badId = () => pick<unknown>([1e30, 2 ** 53, -(2 ** 60), 1.5, '12345', null, 0, true, {}, []]);
  const text = () =>
    pick([
      'hello',
      '/start',
      '/help extra words',
      `/${'x'.repeat(int(64))}`,
      '🙂'.repeat(int(50) + 1),
      'a'.repeat(4096),
      'Ignore previous instructions; DROP TABLE users;--',
      '\u0000\u200b\u202e',
    ]);
  const from = (extra: Record<string, unknown> = {}) => ({
    id: user.id,
    is_bot: false,
    first_name: user.first_name,
    language_code: pick(['en', 'ru', 'de', 'zz-ZZ', '']),
    ...extra,
  });
  const chat = (extra: Record<string, unknown> = {}) => ({
    id: user.id,
    type: 'private',
    first_name: user.first_name,
    ...extra,
  });
  const message = (extra: Record<string, unknown> = {}) => ({
    message_id: 1 + int(1000),
    date: Math.floor(Date.now() / 1000),
    chat: chat(),
    from: from(),
    text: text(),
    ...extra,
  });
  const knownType = () =>
    pick(['message', 'edited_message', 'callback_query', 'inline_query', 'my_chat_member', 'channel_post']);

  const generators: Array<() => Case> = [
    () => ({
      category: 'unknown update type',
      body: { update_id: updateId(), [`brand_new_${int(1000)}_kind`]: junk() ?? { id: 1 } },
      expected: 200,
    }),
    () => ({ category: 'no payload', body: { update_id: updateId() }, expected: 400 }),
    () => ({ category: 'null payload', body: { update_id: updateId(), [knownType()]: null }, expected: 400 }),
    () => ({
      category: 'payload not an object',
      body: { update_id: updateId(), [knownType()]: pick([1, 'message', [], true]) },
      expected: 400,
    }),
    () => ({
      category: 'two payloads',
      body: { update_id: updateId(), message: message(), [pick(['edited_message', 'brand_new'])]: message() },
      expected: 400,
    }),
    () => ({
      category: 'bad update_id',
      body: { update_id: pick([-1, -(2 ** 31), 1.5, 1e30, -0.5, 2 ** 53 + 2]), message: message() },
      expected: 400,
    }),
    () => ({
      category: 'huge update_id',
      body: { update_id: Number.MAX_SAFE_INTEGER - int(1_000_000), message: message() },
      expected: 200,
    }),
    () => ({
      category: 'non-string text',
      body: { update_id: updateId(), message: message({ text: nonString() }) },
      expected: 400,
    }),
    () => ({
      category: 'non-string caption',
      body: { update_id: updateId(), message: message({ text: undefined, caption: nonString(), photo: [] }) },
      expected: 400,
    }),
    () => ({
      category: 'non-string language_code',
      body: { update_id: updateId(), message: message({ from: from({ language_code: nonString() }) }) },
      expected: 400,
    }),
    () => ({
      category: 'non-string callback data',
      body: {
        update_id: updateId(),
        callback_query: { id: `cb${int(1e6)}`, from: from(), chat_instance: 'ci', data: nonString() },
      },
      expected: 400,
    }),
    () => ({
      category: 'chat.id out of range or not an id',
      body: {
        update_id: updateId(),
        [pick(['message', 'edited_message'])]: message({ chat: chat({ id: badId() }) }),
      },
      expected: 400,
    }),
    () => ({
      category: 'no chat',
      body: { update_id: updateId(), message: message({ chat: pick([undefined, null, 'chat', {}]) }) },
      expected: 400,
    }),
    () => ({
      category: 'no from',
      body: {
        update_id: updateId(),
        [pick(['message', 'edited_message'])]: message({ from: pick([undefined, null]) }),
      },
      expected: 400,
    }),
    () => ({
      category: 'from.id not a user id',
      body: { update_id: updateId(), message: message({ from: from({ id: badId() }) }) },
      expected: 400,
    }),
    () => ({
      category: 'callback without from',
      body: { update_id: updateId(), callback_query: { id: 'cb', chat_instance: 'ci', data: 'x' } },
      expected: 400,
    }),
    () => ({
      category: 'entities not entities',
      body: {
        update_id: updateId(),
        message: message({
          text: '/start',
          entities: pick(['bot_command', [{ type: 'bot_command' }], [null], {}]),
        }),
      },
      expected: 400,
    }),
    // Well-typed but odd: these reach the plugins' handlers, which must cope.
    () => ({
      category: 'odd but valid message',
      body: { update_id: updateId(), message: message() },
      expected: 200,
    }),
    () => ({
      category: 'odd but valid callback',
      body: {
        update_id: updateId(),
        callback_query: {
          id: `cb${int(1e6)}`,
          from: from(),
          chat_instance: 'ci',
          data: pick(['', 'x'.repeat(64), 'support:rate:99', 'memory:delete:abc', 'lang:xx', '🙂']),
          message: message({ from: { id: 1, is_bot: true, first_name: 'Bot' } }),
        },
      },
      expected: 200,
    }),
  ];
  return Array.from({ length: count }, () => pick(generators)());
}

describe('hostile webhook updates against the whole reference app', () => {
  let database: TestDatabase;
  let emulator: BotApiEmulator;
  let sandbox: SandboxClient;
  let app: App;
  let dataDir: string;
  const logs: Array<{ level: number; msg?: string; err?: { stack?: string }; [key: string]: unknown }> = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-fuzz-'));
    emulator = createBotApiEmulator();
    const emulatorUrl = await emulator.listen(0, '127.0.0.1');
    sandbox = new SandboxClient(emulatorUrl);
    // The support desk's group and manager; botloom.config.ts wires the group's id in.
    await prepareSandboxDesk(emulatorUrl);
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        callback();
      },
    });
    app = createApp({
      plugins: botloomConfig.plugins,
      config: {
        DATABASE_URL: database.url,
        BOTLOOM_DATA_DIR: dataDir,
        PORT: 0,
        HOST: '127.0.0.1',
        TELEGRAM_BOT_TOKEN: emulator.token,
        TELEGRAM_API_ROOT: emulatorUrl,
        // Replaced below by the app's real address, known once it listens.
        WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
        WEBHOOK_SECRET: SECRET,
        RATE_LIMIT_PER_MINUTE: 100_000,
        // stop() waits for the accepted updates' handlers; a busy machine must not cut them off.
        SHUTDOWN_TIMEOUT_MS: 300_000,
      },
      env: {},
      dotenv: false,
      logger: pino({ level: 'info' }, destination),
    });
    await app.start();
    await new Api(emulator.token, { apiRoot: emulatorUrl }).setWebhook(`${app.url}/telegram/webhook`, {
      secret_token: SECRET,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await emulator?.close();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers no hostile update with 5xx, logs no ERROR, and still answers a real user after', async () => {
    const alice = sandbox.user('fuzz_alice', { first_name: 'Alice', language_code: 'en' });
    // A real conversation first: she started the bot, so replies to her chat are deliverable.
    await alice.send('/start');
    await alice.expectReply(undefined, { timeoutMs: 30_000 });
    const cases = hostileUpdates(UPDATES, { id: await alice.id(), first_name: 'Alice' });

    const statuses = new Map<string, Map<number, number>>();
    const unexpected: string[] = [];
    for (const [i, c] of cases.entries()) {
      const response = await fetch(`${app.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(c.body),
      });
      await response.arrayBuffer();
      const byStatus = statuses.get(c.category) ?? new Map<number, number>();
      byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
      statuses.set(c.category, byStatus);
      if (response.status !== c.expected)
        unexpected.push(
          `#${i} ${c.category}: ${response.status} for ${JSON.stringify(c.body).slice(0, 200)}`,
        );
    }
    const report = Object.fromEntries(
      [...statuses].map(([category, s]) => [category, Object.fromEntries(s)]),
    );
    const serverErrors = [...statuses.values()].flatMap((s) => [...s].filter(([status]) => status >= 500));
    expect(serverErrors, JSON.stringify(report)).toEqual([]);
    expect(unexpected).toEqual([]);
    // Every category ran (a generator that never fires would test nothing).
    expect(statuses.size).toBe(19);

    // The app still answers a real user, whose update arrives through the same webhook (another
    // chat: Alice's chat is still working through the accepted updates, one at a time).
    const bob = sandbox.user('fuzz_bob', { first_name: 'Bob', language_code: 'ru' });
    await bob.send('/start');
    await bob.expectReply(undefined, { timeoutMs: 60_000 });

    // Let the handlers of the accepted updates finish before reading the log.
    await app.stop();
    const errors = logs.filter((line) => line.level >= 50);
    expect(
      errors.map((line) => `${line.msg}: ${line.err?.stack?.split('\n')[0] ?? ''}`),
      'ERROR lines',
    ).toEqual([]);
    const refused = logs.filter((line) => line.msg === 'malformed update rejected');
    expect(refused.length).toBeGreaterThan(100);
    expect(refused.every((line) => line.level === 40)).toBe(true);
    // Warnings name the field, never its value (user text).
    expect(JSON.stringify(refused)).not.toContain('Ignore previous instructions');
  });
});
