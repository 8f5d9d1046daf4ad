/**
 * The Telegram journey through the sandbox (Bot API emulator) and the fake OpenAI server, with
 * the whole app running as in production (`startTestApp` from `@botloom/core/testing`).
 *
 * Core's outgoing flood control (1 call per second per chat) is on in the test app, so every
 * reply in a chat costs about a second: waits use a generous timeout, and tests of different
 * users run concurrently (each user has their own chat). The outage test runs on its own
 * because the fake server's faults and core's circuit breaker are shared.
 */
import { Tokens } from '@botloom/core';
import { type FakeChatRequest, type SandboxUser, startTestApp, type TestApp } from '@botloom/core/testing';
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import memoryPlugin, { EXPORT_FORMAT, memoryNamespace } from '../src/index.js';
import { MEMORIES_HEADER } from '../src/services/prompt.js';

const WAIT = { timeoutMs: 30_000 };
const MEMORY_TABLES = ['memory_profiles', 'memory_sessions', 'memory_messages', 'memory_items'];

let app: TestApp;
const resolve = <T>(token: symbol & { __service?: T }) => app.app.resolver('memory')(token as never) as T;
const query = async <R = Record<string, unknown>>(sql: string, bind: unknown[] = []) =>
  (await resolve(Tokens.Database).query(sql, { bind }))[0] as R[];

/** The reply prompt the fake OpenAI server received for this exact user message. */
function promptFor(userText: string): string {
  const request = app
    .openai!.chatRequests.filter((r) => r.purpose === 'memory.reply')
    .findLast((r) => {
      const messages = r.body.messages as Array<{ role: string; content: string }>;
      return messages.at(-1)?.content === userText;
    });
  if (!request) throw new Error(`no memory.reply request for ${JSON.stringify(userText)}`);
  return JSON.stringify(request.body.messages);
}

async function rowsOf(userId: string) {
  const counts: Record<string, number> = {};
  for (const table of MEMORY_TABLES) {
    const [row] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [
      userId,
    ]);
    counts[table] = row!.n;
  }
  return counts;
}

/** pg-boss jobs still to run that refer to one of these sessions. */
async function pendingJobs(sessionIds: string[]): Promise<number> {
  const [row] = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM botloom_jobs.job
      WHERE data->>'sessionId' = ANY($1) AND state IN ('created', 'retry')`,
    [sessionIds],
  );
  return row!.n;
}

/** Downloads a document the bot sent, through the emulator's Bot API (getFile + file URL). */
async function download(message: Message): Promise<{ fileName: string; text: string }> {
  expect(message.document, 'the bot sent a document').toBeDefined();
  const base = `${app.emulator.url}/bot${app.emulator.token}`;
  const info = (await (
    await fetch(`${base}/getFile?file_id=${encodeURIComponent(message.document!.file_id)}`)
  ).json()) as { ok: boolean; result: { file_path: string } };
  expect(info.ok).toBe(true);
  const file = await fetch(`${app.emulator.url}/file/bot${app.emulator.token}/${info.result.file_path}`);
  expect(file.status).toBe(200);
  return { fileName: message.document!.file_name ?? '', text: await file.text() };
}

/** Presses a button whose text matches (the sandbox presses by exact text). */
async function pressMatching(user: SandboxUser, pattern: RegExp) {
  const messages = await user.transcript();
  for (let i = messages.length - 1; i >= 0; i--) {
    const rows = (messages[i] as { reply_markup?: { inline_keyboard?: Array<Array<{ text: string }>> } })
      .reply_markup?.inline_keyboard;
    const button = rows?.flat().find((b) => pattern.test(b.text));
    if (button) return user.press(button.text);
  }
  throw new Error(`no button matching ${pattern}`);
}

beforeAll(async () => {
  app = await startTestApp({
    plugins: [memoryPlugin({ outsideSession: 'auto-start' })],
    // Each journey sends more updates per minute than a person would.
    config: { LLM_DAILY_TOKEN_BUDGET: 200_000, RATE_LIMIT_PER_MINUTE: 1000, LLM_TIMEOUT_MS: 20_000 },
    openai: true,
  });
  const openai = app.openai!;
  openai.script({
    match: { purpose: 'memory.summarize', user: /Lisbon/ },
    reply: {
      content: {
        title: 'Lisbon trip',
        summary: 'The user plans a trip to Lisbon in May with the dog Rex.',
        facts: ['The user has a dog named Rex'],
      },
    },
  });
  openai.script({
    match: { purpose: 'memory.summarize', user: /tomatoes/ },
    reply: {
      content: {
        title: 'Balcony garden',
        summary: 'The user grows tomatoes on the balcony.',
        facts: ['The user grows tomatoes'],
      },
    },
  });
  openai.script({
    match: { purpose: 'memory.summarize', user: /Казан/ },
    reply: {
      content: {
        title: 'Поездка в Казань',
        summary: 'Пользователь едет в Казань в июне.',
        facts: ['Пользователь едет в Казань'],
      },
    },
  });
  openai.script({ match: { purpose: 'memory.reply', user: /^LONG / }, reply: 'word '.repeat(1500).trim() });
  openai.script({
    match: { purpose: 'memory.reply' },
    reply: (r: FakeChatRequest) => `Answer: ${r.lastUser.slice(0, 200)}`,
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe.concurrent('memory plugin through the sandbox', { timeout: 240_000 }, () => {
  it('walks the whole journey: personalize, session, memory, forget, export, delete', async () => {
    const alice = app.user('alice');
    const aliceId = String(await alice.id());

    await alice.send('/start');
    const intro = await alice.expectReply(/personal AI agent/, WAIT);
    expect(intro.text).toContain('if no session is open, I start one for you');

    await alice.send('/personalize');
    await alice.expectReply(/Which role/, WAIT);
    await alice.press('👩‍💻 Coder');
    await alice.expectEdit(/^Which role should I take\?\n→ 👩‍💻 Coder$/, WAIT); // the choice stays visible
    await alice.expectReply(/which language/i, WAIT);
    await alice.press('English');
    await alice.expectReply(/How long/, WAIT);
    await alice.press('Short');
    const saved = await alice.expectReply(/Saved/, WAIT);
    expect(saved.text).toMatch(/Role: 👩‍💻 Coder/);
    expect(saved.text).toMatch(/Answer length: Short/);
    await alice.send('/profile');
    await alice.expectReply(/Role: 👩‍💻 Coder/, WAIT);

    await alice.send('/start_session');
    await alice.expectReply(/New session started/, WAIT);
    await alice.send('I am planning a trip to Lisbon in May with my dog Rex');
    await alice.expectReply(/^Answer: I am planning a trip to Lisbon/, WAIT);
    await alice.send('/end_session');
    await alice.expectReply(/Session "Lisbon trip" ended\. I saved 2 memories from it\./, WAIT);
    const [summary] = await query<{ status: string; summary_status: string; summary_enc: string }>(
      'SELECT status, summary_status, summary_enc FROM memory_sessions WHERE user_id = $1',
      [aliceId],
    );
    expect(summary).toMatchObject({ status: 'ended', summary_status: 'done' });
    expect(summary!.summary_enc).toBeTruthy();
    expect(summary!.summary_enc).not.toContain('Lisbon'); // encrypted at rest

    await alice.send('/list_sessions');
    await alice.expectReply(/^📋 Your sessions:$/, WAIT);
    await pressMatching(alice, /Lisbon trip/);
    await alice.expectReply(/plans a trip to Lisbon in May/, WAIT);

    await alice.send('/start_session');
    await alice.expectReply(/New session started/, WAIT);
    await alice.send('What should I pack for Lisbon with Rex?');
    await alice.expectReply(/^Answer: What should I pack/, WAIT);
    const prompt = promptFor('What should I pack for Lisbon with Rex?');
    expect(prompt).toContain(MEMORIES_HEADER);
    expect(prompt).toContain('trip to Lisbon in May');
    expect(prompt).toContain('software engineer'); // the coder role chosen in /personalize
    expect(prompt).toContain('Keep answers short');

    await alice.send('/memories');
    await alice.expectReply(/What I remember about you \(2 memories\)\. Tap one/, WAIT);
    await pressMatching(alice, /^✖ The user has a dog named Rex/);
    const afterForget = await alice.expectEdit(/What I remember about you \(1 memory\)/, WAIT);
    expect(afterForget.text).not.toContain('dog named Rex');
    expect(await resolve(Tokens.VectorStore).count(memoryNamespace(aliceId))).toBe(1);

    await alice.send('/usage');
    await alice.expectReply(/Tokens used today: [1-9]/, WAIT);

    await alice.send('/export_data');
    const doc = await alice.expectReply(/All your data/, WAIT);
    const { fileName, text } = await download(doc);
    expect(fileName).toMatch(/^my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(text);
    expect(data.format).toBe(EXPORT_FORMAT);
    expect(data.userId).toBe(aliceId);
    expect(data.profile).toMatchObject({ role: 'coder', answerLanguage: 'en', answerLength: 'short' });
    expect(data.sessions).toHaveLength(2);
    expect(data.sessions.map((s: { title: string | null }) => s.title)).toContain('Lisbon trip');
    const messages = data.sessions.flatMap((s: { messages: { content: string }[] }) =>
      s.messages.map((m) => m.content),
    );
    expect(messages).toContain('I am planning a trip to Lisbon in May with my dog Rex');
    expect(messages).toContain('What should I pack for Lisbon with Rex?');
    expect(messages).toContain('Answer: What should I pack for Lisbon with Rex?');
    expect(data.memories.map((m: { content: string }) => m.content)).toEqual([
      'The user plans a trip to Lisbon in May with the dog Rex.',
    ]);
    expect(data.usage.today.used).toBeGreaterThan(0);
    const purposes = data.usage.records.map((r: { purpose: string }) => r.purpose);
    expect(purposes).toEqual(expect.arrayContaining(['memory.reply', 'memory.summarize']));
    expect(await query('SELECT * FROM core_llm_usage WHERE user_id = $1', [aliceId])).not.toEqual([]);
    await app.admin.put(`/admin/api/memory/users/${aliceId}/limits`, {
      scope: 'global',
      dailyTokens: 90_000,
    });

    const sessionIds = (
      await query<{ id: string }>('SELECT id FROM memory_sessions WHERE user_id = $1', [aliceId])
    ).map((r) => r.id);
    expect(await pendingJobs(sessionIds)).toBe(1); // the idle timer of her active session

    await alice.send('/delete_my_data');
    await alice.expectReply(/Delete ALL your data/, WAIT);
    await alice.press('Yes, delete everything');
    await alice.expectEdit(/All your data has been deleted/, WAIT);

    expect(await rowsOf(aliceId)).toEqual({
      memory_profiles: 0,
      memory_sessions: 0,
      memory_messages: 0,
      memory_items: 0,
    });
    expect(await resolve(Tokens.VectorStore).count(memoryNamespace(aliceId))).toBe(0);
    expect(await resolve(Tokens.Kv).get(`locale:${aliceId}`)).toBeUndefined();
    // Core's usage rows and her limit override are gone too.
    expect(await query('SELECT * FROM core_llm_usage WHERE user_id = $1', [aliceId])).toEqual([]);
    expect(await query('SELECT * FROM core_llm_budgets WHERE user_id = $1', [aliceId])).toEqual([]);
    expect(await pendingJobs(sessionIds)).toBe(0);
    // Nothing in kv mentions her: not this plugin's keys, not the chat's grammY session, not a
    // conversation. (core.ratelimit keeps timestamps of her last minute of updates, with a TTL;
    // core.updates holds update ids only.)
    const kvRows = await query<{ key: string }>(
      `SELECT key FROM botloom_kv WHERE key LIKE '%' || $1 || '%'
         AND key NOT LIKE 'core.ratelimit:%' AND (expires_at IS NULL OR expires_at > now())`,
      [aliceId],
    );
    expect(kvRows).toEqual([]);

    // She can start over: the bot treats her as new.
    await alice.send('/profile');
    await alice.expectReply(/have not personalised me yet/, WAIT);
  });

  it('two users: memories never mix', async () => {
    const bob = app.user('bob');
    const carol = app.user('carol');
    const [bobId, carolId] = [String(await bob.id()), String(await carol.id())];
    await Promise.all([
      (async () => {
        await bob.send('My tomatoes are growing well on the balcony');
        await bob.expectReply(/^Answer: My tomatoes/, WAIT);
        await bob.send('/end_session');
        await bob.expectReply(/"Balcony garden" ended/, WAIT);
      })(),
      (async () => {
        await carol.send('I am planning a trip to Lisbon in May');
        await carol.expectReply(/^Answer: I am planning/, WAIT);
        await carol.send('/end_session');
        await carol.expectReply(/"Lisbon trip" ended/, WAIT);
      })(),
    ]);
    await bob.send('What did I tell you about my trip to Lisbon and my tomatoes?');
    await bob.expectReply(/^Answer: What did I tell you/, WAIT);
    const bobPrompt = promptFor('What did I tell you about my trip to Lisbon and my tomatoes?');
    expect(bobPrompt).toContain('grows tomatoes');
    expect(bobPrompt).not.toContain('Rex');
    expect(bobPrompt).not.toContain('trip to Lisbon in May');

    await carol.send('/memories');
    const carolMemories = await carol.expectReply(/What I remember about you/, WAIT);
    expect(carolMemories.text).toContain('Lisbon');
    expect(carolMemories.text).not.toContain('tomatoes');
    expect(await resolve(Tokens.VectorStore).count(memoryNamespace(bobId))).toBe(2);
    expect(await resolve(Tokens.VectorStore).count(memoryNamespace(carolId))).toBe(2);
  });

  it('budget exceeded: a clear message with the reset time, and the message is kept', async () => {
    const dave = app.user('dave');
    const daveId = String(await dave.id());
    const res = await app.admin.put(`/admin/api/memory/users/${daveId}/limits`, {
      scope: 'memory',
      dailyTokens: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body.overrides).toEqual([{ plugin: 'memory', tokens: 1 }]);
    expect(
      (await app.viewer.put(`/admin/api/memory/users/${daveId}/limits`, { dailyTokens: 5 })).status,
    ).toBe(403);

    // A reply may use up to replyMaxTokens: core reserves that much before the call, and a
    // 1-token budget cannot hold it, so even the first message is refused (nothing is sent).
    await dave.send('hello there');
    const refused = await dave.expectReply(/token limit/, WAIT);
    expect(refused.text).toMatch(
      /You have used today's token limit\. It resets at \d{4}-\d{2}-\d{2} 00:00 \(UTC\)\. Your message is saved/,
    );
    const stored = await query<{ role: string }>(
      'SELECT role FROM memory_messages WHERE user_id = $1 ORDER BY created_at',
      [daveId],
    );
    expect(stored.map((m) => m.role)).toEqual(['user']);
    await dave.send('/usage');
    await dave.expectReply(/Daily limit: 1\b/, WAIT);
    const limits = await app.viewer.get(`/admin/api/memory/users/${daveId}/limits`);
    expect(limits.status).toBe(200);
    expect(limits.body.today).toMatchObject({ limit: 1, scope: 'memory', used: 0 });

    // Removing the override lets the user talk again.
    await app.admin.put(`/admin/api/memory/users/${daveId}/limits`, { scope: 'memory', dailyTokens: null });
    await dave.send('third message');
    await dave.expectReply(/^Answer: third message/, WAIT);
  });

  it('malformed and oversized input is handled without a crash', async () => {
    const frank = app.user('frank');
    const frankId = String(await frank.id());
    // The longest text Telegram delivers is answered; a reply over 4096 characters is split.
    const long = `LONG ${'a'.repeat(4091)}`;
    expect(long).toHaveLength(4096);
    await frank.send(long);
    await frank.expectReply(/started a new session/, WAIT);
    const first = await frank.expectReply(/^word word/, WAIT);
    const second = await frank.expectReply(/word/, WAIT);
    expect(first.text!.length).toBeLessThanOrEqual(4096);
    expect(`${first.text} ${second.text}`.split(' ')).toHaveLength(1500);

    // Only entities: a mention and a link.
    await frank.send('@someone https://example.com');
    await frank.expectReply(/^Answer: @someone https:\/\/example\.com/, WAIT);
    // A command of another bot or plugin is left alone; the next message is still answered.
    await frank.send('/nosuchcommand');
    // A photo (with and without a caption) inside a session.
    await frank.sendPhoto({ data: PNG_1x1, fileName: 'dot.png' });
    await frank.expectReply(/only read text messages/, WAIT);
    await frank.sendPhoto({ data: PNG_1x1, fileName: 'dot.png' }, 'what is this?');
    await frank.expectReply(/only read text messages/, WAIT);
    // A document (and any update without text) too.
    await frank.sendDocument({ data: Buffer.from('{}'), fileName: 'x.json' });
    await frank.expectReply(/only read text messages/, WAIT);
    // Nothing visible (zero-width characters only): not stored, not answered.
    await frank.send('\u200b\u200d\u2060');
    await frank.send('still there?');
    await frank.expectReply(/^Answer: still there\?/, WAIT);

    const transcript = await frank.transcript();
    expect(transcript.some((m) => /went wrong|Error id/i.test(m.text ?? ''))).toBe(false);
    const stored = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM memory_messages WHERE user_id = $1 AND role = 'user'",
      [frankId],
    );
    expect(stored[0]!.n).toBe(3);
  });

  it('speaks Russian to a Russian user', async () => {
    const olga = app.user('olga', { language_code: 'ru' });
    await olga.send('/start');
    const intro = await olga.expectReply(/Я ваш персональный AI-агент/, WAIT);
    expect(intro.text).toContain('если сессия не открыта, я начну её сам');
    await olga.send('/personalize');
    await olga.expectReply(/Какую роль мне взять\?/, WAIT);
    await olga.press('✍️ Своя инструкция');
    await olga.expectReply(/Напишите инструкцию/, WAIT);
    await olga.send('Ты мой тренер по бегу');
    await olga.expectReply(/На каком языке мне отвечать\?/, WAIT);
    await olga.press('Русский');
    await olga.expectReply(/Насколько подробно отвечать\?/, WAIT);
    await olga.press('Подробно');
    const saved = await olga.expectReply(/Сохранено/, WAIT);
    expect(saved.text).toContain('Роль: ✍️ Своя инструкция');
    expect(saved.text).toContain('Инструкция: Ты мой тренер по бегу');

    await olga.send('Я еду в Казань в июне');
    await olga.expectReply(/Я начал новую сессию/, WAIT);
    await olga.expectReply(/^Answer: Я еду в Казань/, WAIT);
    await olga.send('/end_session');
    await olga.expectReply(/Сессия «Поездка в Казань» завершена\. Я сохранил в память 2 записи\./, WAIT);
    await olga.send('/memories');
    await olga.expectReply(/Что я о вас помню \(2 записи\)\. Нажмите на запись/, WAIT);
    await olga.send('/list_sessions');
    await olga.expectReply(/^📋 Ваши сессии:$/, WAIT);
    await pressMatching(olga, /Поездка в Казань$/);
    await olga.expectReply(
      /^📝 Поездка в Казань\n.+ · 2 сообщения\n\nПользователь едет в Казань в июне\.$/,
      WAIT,
    );
    await olga.send('/usage');
    await olga.expectReply(/Использовано токенов сегодня: [1-9]/, WAIT);
    await olga.send('/end_session');
    await olga.expectReply(/Активной сессии нет/, WAIT);
    await olga.send('/delete_my_data');
    await olga.expectReply(/Удалить ВСЕ ваши данные/, WAIT);
    await olga.press('Отмена');
    await olga.expectEdit(/Отменено/, WAIT);
    expect((await rowsOf(String(await olga.id()))).memory_items).toBe(2);
  });
});

describe('LLM outage', () => {
  it('gives a friendly apology, keeps the message, and answers again once the model is back', async () => {
    const erin = app.user('erin');
    const erinId = String(await erin.id());
    app.openai!.fail('server_error', 3, { endpoint: 'chat' });
    await erin.send('my important message');
    await erin.expectReply(/started a new session/, WAIT);
    const apology = await erin.expectReply(/Sorry/, WAIT);
    expect(apology.text).toMatch(/AI service is unavailable right now\. Your message is saved/);
    expect(app.openai!.faults).toEqual([]); // retries exhausted: 3 attempts, not 100

    const stored = await query<{ role: string }>('SELECT role FROM memory_messages WHERE user_id = $1', [
      erinId,
    ]);
    expect(stored.map((m) => m.role)).toEqual(['user']);
    const [message] = await query<{ content_enc: string }>(
      'SELECT content_enc FROM memory_messages WHERE user_id = $1',
      [erinId],
    );
    expect(message!.content_enc).not.toContain('important');

    // The model is back: the next message is answered, with the kept one in the prompt.
    await erin.send('are you back?');
    await erin.expectReply(/^Answer: are you back\?/, WAIT);
    expect(promptFor('are you back?')).toContain('my important message');

    // The export has both, decrypted.
    await erin.send('/export_data');
    const { text } = await download(await erin.expectReply(/All your data/, WAIT));
    expect(JSON.parse(text).sessions[0].messages.map((m: { content: string }) => m.content)).toEqual([
      'my important message',
      'are you back?',
      'Answer: are you back?',
    ]);
  }, 120_000);
});

/** A valid 1×1 PNG. */
const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
