/**
 * The plugin inside a real app (core's createApp, real PostgreSQL, real Llm gateway talking to
 * the fake OpenAI server over HTTP, real VectorStore, Crypto and Jobs), driven through its
 * services. The Telegram side is covered by memory-e2e.test.ts through the sandbox.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, Tokens } from '@botloom/core';
import { AdminTokenService } from '@botloom/core/runtime';
import {
  createTestDatabase,
  type FakeOpenAI,
  startFakeOpenAI,
  type TestDatabase,
} from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import memoryPlugin, { type MemoryServices, memoryNamespace } from '../src/index.js';
import { classifyLlmError } from '../src/services/errors.js';
import { MEMORIES_HEADER } from '../src/services/prompt.js';

let db: TestDatabase;
let fake: FakeOpenAI;
let dataDir: string;
let app: ReturnType<typeof createApp>;

/** Memory keys users by their Telegram id (the admin API takes only those). */
const BOB = '1002';

const services = () => app.services<MemoryServices>('memory');

async function say(userId: string, text: string) {
  const s = services();
  let session = await s.sessions.active(userId);
  if (!session) session = (await s.lifecycle.start(userId, userId)).session;
  await s.agent.recordUserMessage(session, text);
  return s.agent.answer(session, text);
}

beforeAll(async () => {
  db = await createTestDatabase('memory_app');
  fake = await startFakeOpenAI();
  dataDir = await mkdtemp(path.join(tmpdir(), 'memory-app-'));
  fake.script({
    match: { purpose: 'memory.summarize', user: /Lisbon/ },
    reply: {
      content: {
        title: 'Lisbon trip',
        summary: 'The user plans a trip to Lisbon in May with their dog Rex.',
        facts: ['The user has a dog named Rex', 'The user is vegetarian'],
      },
    },
  });
  fake.script({
    match: { purpose: 'memory.summarize', user: /tomatoes/ },
    reply: {
      content: { title: 'Garden', summary: 'Bob grows tomatoes on his balcony.', facts: ['Bob gardens'] },
    },
  });
  fake.script({ match: { purpose: 'memory.reply' }, reply: (r) => `Answer to: ${r.lastUser}` });
  app = createApp({
    plugins: [memoryPlugin()],
    sandbox: false,
    dotenv: false,
    env: {
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      BOTLOOM_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      LLM_DAILY_TOKEN_BUDGET: '3000',
      LLM_TIMEOUT_MS: '20000', // wide: the local fake must not time out on a busy machine
    },
  });
  await app.start();
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('memory plugin in a real app', () => {
  it('remembers a finished session and sends it to the model in a new session, never to another user', async () => {
    await say('alice', 'I am planning a trip to Lisbon in May with my dog Rex');
    const ended = await services().lifecycle.end('alice', 'command');
    expect(ended?.status).toBe('done');
    expect(ended?.title).toBe('Lisbon trip');
    expect(await app.resolver('memory')(Tokens.VectorStore).count(memoryNamespace('alice'))).toBe(3);

    await say(BOB, 'My tomatoes are growing well');
    await services().lifecycle.end(BOB, 'command');

    const reply = await say('alice', 'What should I pack for the Lisbon trip with Rex?');
    expect(reply.reply).toBe('Answer to: What should I pack for the Lisbon trip with Rex?');
    const sent = fake.chatRequests.filter((r) => r.purpose === 'memory.reply').at(-1)!;
    const prompt = JSON.stringify(sent.body.messages);
    expect(prompt).toContain(MEMORIES_HEADER);
    expect(prompt).toContain('trip to Lisbon in May');
    expect(prompt).not.toContain('tomatoes');

    await say(BOB, 'What do I grow?');
    const bobPrompt = JSON.stringify(
      fake.chatRequests.filter((r) => r.purpose === 'memory.reply').at(-1)!.body.messages,
    );
    expect(bobPrompt).toContain('tomatoes');
    expect(bobPrompt).not.toContain('Lisbon');
  });

  it('stores no plaintext in its tables', async () => {
    const sequelize = app.resolver('memory')(Tokens.Database);
    for (const table of ['memory_sessions', 'memory_messages', 'memory_items', 'memory_profiles']) {
      const [rows] = await sequelize.query(`SELECT * FROM ${table}`);
      const raw = JSON.stringify(rows);
      expect(raw).not.toContain('Lisbon');
      expect(raw).not.toContain('tomatoes');
    }
    // The memories' vector documents (core's table) hold their text encrypted too.
    const [vectorRows] = await sequelize.query(
      `SELECT * FROM core_vector_documents WHERE namespace IN ('${memoryNamespace('alice')}', '${memoryNamespace(BOB)}')`,
    );
    expect(vectorRows.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(vectorRows)).not.toMatch(/Lisbon|tomatoes|Rex|vegetarian/);
  });

  it('an outage gives LLM_UNAVAILABLE and the message is kept', async () => {
    fake.fail('server_error', 50, { endpoint: 'chat' });
    const error = await say('carol', 'Please remember my outage message').catch((e) => e);
    fake.reset();
    fake.script({ match: { purpose: 'memory.reply' }, reply: (r) => `Answer to: ${r.lastUser}` });
    expect(classifyLlmError(error).kind).toBe('unavailable');
    const session = (await services().sessions.active('carol'))!;
    const messages = await services().sessions.messages(session.id);
    expect(messages.map((m) => m.content)).toEqual(['Please remember my outage message']);
  });

  it('the daily budget stops calls with a reset time, and the message is kept', async () => {
    const usage = await services().llm.budget('dave');
    expect(usage.limit).toBe(3000);
    const long = 'word '.repeat(1500); // ~1900 prompt tokens per call
    await say('dave', long).catch(() => {});
    await say('dave', long).catch(() => {});
    const error = await say('dave', 'one more question').catch((e) => e);
    const failure = classifyLlmError(error);
    expect(failure.kind).toBe('budget');
    expect(failure.resetsAt?.getTime()).toBeGreaterThan(Date.now());
    const session = (await services().sessions.active('dave'))!;
    const messages = await services().sessions.messages(session.id);
    expect(messages.at(-1)?.content).toBe('one more question');
    const status = await services().llm.budget('dave');
    expect(status.used).toBeGreaterThanOrEqual(3000);
  });

  it('admin API: viewers see metadata, admins see content; bad input is rejected', async () => {
    const tokens = new AdminTokenService(app.resolver('memory')(Tokens.Database));
    const viewer = (await tokens.create({ name: 'memory-viewer', role: 'viewer' })).token;
    const admin = (await tokens.create({ name: 'memory-admin', role: 'admin' })).token;
    const call = (token: string | null, method: string, url: string, body?: unknown) =>
      fetch(`${app.url}/admin/api/memory${url}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });

    expect((await call(null, 'GET', '/stats')).status).toBe(401);
    const users = await (await call(viewer, 'GET', '/users')).json();
    const bob = users.items.find((u: any) => u.userId === BOB);
    expect(bob).toMatchObject({ sessions: 2, memories: 2 });

    const viewerSessions = await (await call(viewer, 'GET', `/users/${BOB}/sessions`)).json();
    expect(viewerSessions.contentIncluded).toBe(false);
    expect(JSON.stringify(viewerSessions)).not.toContain('Garden');
    const ended = viewerSessions.items.find((x: any) => x.status === 'ended');
    const viewerMessages = await (await call(viewer, 'GET', `/sessions/${ended.id}/messages`)).json();
    expect(viewerMessages.messages[0]).not.toHaveProperty('content');
    expect(JSON.stringify(viewerMessages)).not.toContain('tomatoes');

    const adminMessages = await (await call(admin, 'GET', `/sessions/${ended.id}/messages`)).json();
    expect(adminMessages.session.title).toBe('Garden');
    expect(adminMessages.messages[0].content).toBe('My tomatoes are growing well');

    // The panel's Sessions and Memories pages: everyone's, paged, filtered by user; same rule.
    const viewerAll = await (await call(viewer, 'GET', `/sessions?userId=${BOB}&limit=1`)).json();
    expect(viewerAll).toMatchObject({ contentIncluded: false, total: 2, limit: 1, offset: 0 });
    expect(viewerAll.items).toHaveLength(1);
    expect(viewerAll.items[0]).not.toHaveProperty('title');
    const adminAll = await (await call(admin, 'GET', `/sessions?userId=${BOB}`)).json();
    expect(adminAll.items.map((x: any) => x.title)).toContain('Garden');
    const viewerMemories = await (await call(viewer, 'GET', `/memories?userId=${BOB}&kind=fact`)).json();
    expect(viewerMemories).toMatchObject({ contentIncluded: false, total: 1 });
    expect(viewerMemories.items[0]).toMatchObject({ userId: BOB, kind: 'fact' });
    expect(JSON.stringify(viewerMemories)).not.toContain('gardens');
    const adminMemories = await (await call(admin, 'GET', `/memories?userId=${BOB}`)).json();
    expect(adminMemories.items.map((m: any) => m.content)).toEqual(
      expect.arrayContaining(['Bob gardens', 'Bob grows tomatoes on his balcony.']),
    );
    const everyone = await (await call(viewer, 'GET', '/memories')).json();
    expect(everyone.total).toBeGreaterThan(adminMemories.total);
    expect((await call(viewer, 'GET', '/memories?kind=secret')).status).toBe(422);
    expect((await call(viewer, 'GET', '/sessions?userId=alice')).status).toBe(422);

    const stats = await (await call(viewer, 'GET', '/stats')).json();
    expect(stats.memories.total).toBeGreaterThanOrEqual(5);

    expect((await call(viewer, 'PUT', `/users/${BOB}/limits`, { dailyTokens: 10 })).status).toBe(403);
    expect((await call(admin, 'PUT', `/users/${BOB}/limits`, { dailyTokens: -1 })).status).toBe(422);
    expect((await call(admin, 'GET', '/sessions/not-a-uuid/messages')).status).toBe(422);
    expect((await call(admin, 'GET', '/sessions/00000000-0000-4000-8000-000000000000/messages')).status).toBe(
      404,
    );
    const noSession = await call(admin, 'GET', '/sessions/00000000-0000-4000-8000-000000000000/messages');
    expect((await noSession.json()).error).toMatchObject({
      code: 'SESSION_NOT_FOUND',
      message: 'Session not found',
    });
    const put = await call(admin, 'PUT', `/users/${BOB}/limits`, { scope: 'memory', dailyTokens: 1234 });
    expect(put.status).toBe(200);
    const limits = await (await call(viewer, 'GET', `/users/${BOB}/limits`)).json();
    expect(limits.overrides).toEqual([{ plugin: 'memory', tokens: 1234 }]);
    expect(limits.today).toMatchObject({ limit: 1234, scope: 'memory' });
    expect(bob.tokens.total).toBeGreaterThan(0); // from core's usage ledger
  });

  it('exports everything and deletes everything of a user', async () => {
    const s = services();
    await s.profiles.save('alice', { role: 'coder', answerLanguage: 'en', answerLength: 'short' });
    const data = await s.userData.export('alice');
    expect(data.profile?.role).toBe('coder');
    expect(data.sessions.flatMap((x) => x.messages.map((m) => m.content))).toContain(
      'I am planning a trip to Lisbon in May with my dog Rex',
    );
    expect(data.memories.map((m) => m.content)).toContain('The user has a dog named Rex');
    expect(data.usage.today?.used).toBeGreaterThan(0);

    expect(data.usage.records?.length).toBeGreaterThan(0);
    const usage = app.resolver('memory')(Tokens.LlmUsage);
    await usage.setUserLimit('*', 'alice', 50_000);

    await s.userData.delete('alice');
    expect(await usage.query({ user: 'alice' })).toEqual([]);
    expect(await usage.getUserLimits('alice')).toEqual([]);
    expect(await s.userData.remaining('alice')).toMatchObject({
      profiles: 0,
      sessions: 0,
      messages: 0,
      memories: 0,
    });
    expect(await app.resolver('memory')(Tokens.VectorStore).count(memoryNamespace('alice'))).toBe(0);
    expect(await app.resolver('memory')(Tokens.Kv).get('locale:alice')).toBeUndefined();
    // bob is untouched
    expect((await s.userData.remaining(BOB)).memories).toBeGreaterThan(0);
  });
});
