/**
 * The Telegram journey through the sandbox (Bot API emulator) and the fake OpenAI server,
 * written against the documented test kit API (`startTestApp` from `@botloom/core/testing`:
 * `app.user(name).send()`, `expectReply()`, `press()`, `app.admin.get()`, `app.openai`).
 *
 * STATUS: the test kit had not landed in core when this file was written, so the suite skips
 * itself (with a warning) while `startTestApp` is missing. The same behaviour is covered
 * without Telegram by app-integration.test.ts (real core services) and services.test.ts.
 */
import { Tokens } from '@botloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import memoryPlugin, { memoryNamespace } from '../src/index.js';
import { MEMORIES_HEADER } from '../src/services/prompt.js';

const testing: any = await import('@botloom/core/testing').catch(() => null);
const startTestApp = testing?.startTestApp as ((options: unknown) => Promise<any>) | undefined;
if (!startTestApp)
  console.warn('memory-e2e: skipped — @botloom/core/testing does not export startTestApp yet');

describe.skipIf(!startTestApp)('memory plugin through the sandbox', () => {
  let app: any;
  const resolve = (token: any) => (app.resolver?.('memory') ?? app.app.resolver('memory'))(token);
  const openai = () => app.openai ?? app.fakeOpenAI;
  const replyPrompts = () =>
    openai()
      .chatRequests.filter((r: any) => r.purpose === 'memory.reply')
      .map((r: any) => JSON.stringify(r.body.messages));

  beforeAll(async () => {
    app = await startTestApp!({
      plugins: [memoryPlugin({ outsideSession: 'auto-start', maxMessageChars: 2000 })],
      config: { LLM_DAILY_TOKEN_BUDGET: 20_000 },
    });
    openai().script({
      match: { purpose: 'memory.summarize', user: /Lisbon/ },
      reply: {
        content: {
          title: 'Lisbon trip',
          summary: 'The user plans a trip to Lisbon in May with the dog Rex.',
          facts: ['The user has a dog named Rex'],
        },
      },
    });
    openai().script({ match: { purpose: 'memory.reply' }, reply: (r: any) => `Answer: ${r.lastUser}` });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('walks the whole journey: personalize, session, memory, export, delete', async () => {
    const alice = app.user('alice');
    await alice.send('/start');
    await alice.expectReply(/personal AI agent/);

    await alice.send('/personalize');
    await alice.expectReply(/Which role/);
    await alice.press('👩‍💻 Coder');
    await alice.expectReply(/which language/i);
    await alice.press('English');
    await alice.expectReply(/How long/);
    await alice.press('Short');
    await alice.expectReply(/Saved/);
    await alice.send('/profile');
    await alice.expectReply(/Coder/);

    await alice.send('/start_session');
    await alice.expectReply(/New session started/);
    await alice.send('I am planning a trip to Lisbon in May with my dog Rex');
    await alice.expectReply(/Answer: I am planning a trip to Lisbon/);
    await alice.send('/end_session');
    await alice.expectReply(/Session "Lisbon trip" ended\. I remembered 2 item/);

    await alice.send('/list_sessions');
    await alice.expectReply(/Your sessions/);
    await alice.press(/Lisbon trip/);
    await alice.expectReply(/plans a trip to Lisbon in May/);

    await alice.send('/start_session');
    await alice.send('What should I pack for Lisbon with Rex?');
    await alice.expectReply(/Answer: What should I pack/);
    const prompt = replyPrompts().at(-1)!;
    expect(prompt).toContain(MEMORIES_HEADER);
    expect(prompt).toContain('trip to Lisbon in May');
    expect(prompt).toContain('software engineer'); // the coder role from /personalize

    await alice.send('/memories');
    await alice.expectReply(/What I remember about you \(2 item/);

    await alice.send('/usage');
    await alice.expectReply(/Tokens used today: [1-9]/);

    await alice.send('/export_data');
    const doc = await alice.expectDocument?.();
    if (doc) {
      const data = JSON.parse(String(doc.content ?? doc.text ?? doc));
      expect(data.profile.role).toBe('coder');
      expect(data.memories.map((m: any) => m.content)).toContain('The user has a dog named Rex');
      expect(data.sessions.flatMap((s: any) => s.messages.map((m: any) => m.content))).toContain(
        'What should I pack for Lisbon with Rex?',
      );
    }

    await alice.send('/delete_my_data');
    await alice.expectReply(/Delete ALL your data/);
    await alice.press('Yes, delete everything');
    await alice.expectReply(/All your data has been deleted/);

    const userId = String(alice.id ?? alice.user?.id);
    const sequelize = resolve(Tokens.Database);
    for (const table of ['memory_profiles', 'memory_sessions', 'memory_messages', 'memory_items']) {
      const [rows] = await sequelize.query(`SELECT * FROM ${table} WHERE user_id = $1`, { bind: [userId] });
      expect(rows).toEqual([]);
    }
    expect(await resolve(Tokens.VectorStore).count(memoryNamespace(userId))).toBe(0);
    expect(await resolve(Tokens.Kv).get(`locale:${userId}`)).toBeUndefined();
  });

  it('budget exceeded: a clear message with the reset time, and the message is kept', async () => {
    const res = await app.admin.put(`/admin/api/memory/users/${app.user('dave').id}/limits`, {
      scope: 'memory',
      dailyTokens: 1,
    });
    const dave = app.user('dave');
    await dave.send('hello there');
    if (res.status === 501) return; // core usage service not exposed
    await dave.send('second message');
    await dave.expectReply(/today's token limit\. It resets at \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  });

  it('LLM outage: a friendly message, nothing lost', async () => {
    const erin = app.user('erin');
    openai().fail('server_error', 100, { endpoint: 'chat' });
    await erin.send('my important message');
    await erin.expectReply(/AI service is unavailable right now/);
    openai().reset();
    const sequelize = resolve(Tokens.Database);
    const [rows] = await sequelize.query(
      'SELECT count(*)::int AS n FROM memory_messages WHERE user_id = $1',
      {
        bind: [String(erin.id)],
      },
    );
    expect((rows as any)[0].n).toBe(1);
  });

  it('malformed and oversized input', async () => {
    const frank = app.user('frank');
    await frank.send('x'.repeat(3000));
    await frank.expectReply(/too long \(3000 characters\)/);
    await frank.send('   ');
    await frank.send('/memories');
    await frank.expectReply(/do not remember anything/);
  });
});
