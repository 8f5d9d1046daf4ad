import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyLlmError, MemoryInputError, MemoryNotFoundError } from '../src/services/errors.js';
import { memoryNamespace } from '../src/services/memory-store.js';
import { MEMORIES_HEADER } from '../src/services/prompt.js';
import { CodedError } from './support/fakes.js';
import { createServiceFixture } from './support/service-fixture.js';

type Fixture = Awaited<ReturnType<typeof createServiceFixture>>;
let f: Fixture;
let userSeq = 0;
let user: string;

beforeAll(async () => {
  f = await createServiceFixture({ sessionIdleMinutes: 30 });
});
afterAll(async () => {
  await f?.close();
});
beforeEach(() => {
  user = String(1000 + ++userSeq);
  f.llm.fail = null;
  f.llm.summary = { title: 'A title', summary: 'A summary', facts: [] };
});

async function talk(userId: string, text: string) {
  let session = await f.sessions.active(userId);
  if (!session) session = (await f.lifecycle.start(userId, userId)).session;
  await f.agent.recordUserMessage(session, text);
  return f.agent.answer(session, text);
}

describe('ProfileService', () => {
  it('saves and reads a profile; the custom instruction is encrypted at rest', async () => {
    expect(await f.profiles.get(user)).toBeNull();
    expect((await f.profiles.getOrDefault(user)).role).toBe('assistant');
    await f.profiles.save(user, {
      role: 'custom',
      customInstruction: 'Answer like a senior Rust reviewer',
      answerLanguage: 'ru',
      answerLength: 'short',
    });
    const p = await f.profiles.get(user);
    expect(p).toMatchObject({ role: 'custom', customInstruction: 'Answer like a senior Rust reviewer' });
    const raw = await f.sql.select<Record<string, unknown>>(
      'SELECT * FROM memory_profiles WHERE user_id = $1',
      [user],
    );
    expect(JSON.stringify(raw)).not.toContain('Rust reviewer');
    await expect(
      f.profiles.save(user, { role: 'custom', answerLanguage: 'en', answerLength: 'short' }),
    ).rejects.toThrow(/instruction/);
  });
});

describe('SessionService and SessionLifecycle', () => {
  it('keeps one active session per user and pages the history newest first', async () => {
    const first = await f.lifecycle.start(user, user);
    const second = await f.lifecycle.start(user, user);
    expect(second.previous?.status).toBe('empty'); // no messages in the first
    expect((await f.sessions.active(user))?.id).toBe(second.session.id);
    expect((await f.sessions.get(first.session.id))?.status).toBe('ended');
    await f.lifecycle.start(user, user);
    const page0 = await f.sessions.list(user, 0, 2);
    expect(page0).toMatchObject({ total: 3, pages: 2, page: 0 });
    expect(page0.items[0].status).toBe('active');
    const page1 = await f.sessions.list(user, 5, 2);
    expect(page1.page).toBe(1);
    expect(page1.items).toHaveLength(1);
    await expect(f.sessions.getOwned('someone-else', first.session.id)).rejects.toBeInstanceOf(
      MemoryNotFoundError,
    );
    await expect(f.sessions.getOwned(user, 'not-a-uuid')).rejects.toBeInstanceOf(MemoryNotFoundError);
  });

  it('ending a session summarises it into memories (summary + facts) and cancels its idle job', async () => {
    f.llm.summary = {
      title: 'Trip planning',
      summary: 'The user plans a trip to Lisbon in May.',
      facts: ['The user is vegetarian', 'The user travels with a dog named Rex', ''],
    };
    await talk(user, 'I plan a trip to Lisbon in May with my dog Rex');
    const active = (await f.sessions.active(user))!;
    expect(active.idleJobId).toMatch(/^job-/);
    const outcome = await f.lifecycle.end(user, 'command');
    expect(outcome?.status).toBe('done');
    expect(outcome?.title).toBe('Trip planning');
    expect(outcome?.memories.map((m) => m.kind)).toEqual(['summary', 'fact', 'fact']);
    expect(f.jobs.cancelled).toContain(active.idleJobId);
    const ended = await f.sessions.get(active.id);
    expect(ended).toMatchObject({
      status: 'ended',
      summaryStatus: 'done',
      title: 'Trip planning',
      endReason: 'command',
    });
    expect(await f.memories.count(user)).toBe(3);
    expect(await f.vectors.count(memoryNamespace(user))).toBe(3);
    // summarising twice does not duplicate memories
    await f.lifecycle.summarise((await f.sessions.get(active.id))!);
    expect(await f.memories.count(user)).toBe(3);
    expect(await f.lifecycle.end(user, 'command')).toBeNull();
  });

  it('a failed summary stays pending and the sweep retries it', async () => {
    await talk(user, 'Remember that my favourite editor is Helix');
    f.llm.fail = new CodedError('LLM_UNAVAILABLE');
    const outcome = await f.lifecycle.end(user, 'command');
    expect(outcome?.status).toBe('pending');
    expect(await f.memories.count(user)).toBe(0);
    f.llm.fail = null;
    f.llm.summary = { title: 'Editors', summary: 'Favourite editor: Helix', facts: ['Uses Helix'] };
    const swept = await f.lifecycle.sweep();
    expect(swept.retried.map((r) => r.status)).toContain('done');
    expect(await f.memories.count(user)).toBe(2);
  });

  it('the idle timeout ends only sessions that really are idle', async () => {
    await talk(user, 'hello');
    const s = (await f.sessions.active(user))!;
    expect(await f.lifecycle.onIdleTimeout(s.id)).toBeNull(); // fresh activity: a stale job does nothing
    const later = new Date(Date.now() + 31 * 60_000);
    const outcome = await f.lifecycle.onIdleTimeout(s.id, later);
    expect(outcome?.session.endReason).toBe('idle');
    expect((await f.sessions.get(s.id))?.status).toBe('ended');
    expect(f.jobs.sent.some((j) => j.name === 'session-idle' && j.startAfter === 1800)).toBe(true);
  });

  it('the sweep ends sessions whose idle job was lost', async () => {
    await talk(user, 'hello again');
    const s = (await f.sessions.active(user))!;
    await f.sql.execute(
      `UPDATE memory_sessions SET last_activity_at = now() - interval '2 hours' WHERE id = $1`,
      [s.id],
    );
    const swept = await f.lifecycle.sweep();
    expect(swept.ended.map((o) => o.session.id)).toContain(s.id);
  });
});

describe('AgentService', () => {
  it('rejects empty and oversized input before storing anything', () => {
    expect(() => f.agent.validate('   ')).toThrow(MemoryInputError);
    expect(() => f.agent.validate('x'.repeat(f.config.maxMessageChars + 1))).toThrow(/too_long/);
    expect(f.agent.validate('  hi  ')).toBe('hi');
  });

  it("retrieves the user's earlier memories into a new session's prompt, never another user's", async () => {
    const other = `${user}-other`;
    f.llm.summary = {
      title: 'Stack',
      summary: 'The user builds a Postgres extension in Rust',
      facts: ['Rust'],
    };
    await talk(user, 'I am building a Postgres extension in Rust');
    await f.lifecycle.end(user, 'command');
    f.llm.summary = {
      title: 'Garden',
      summary: 'The other user grows tomatoes in Postgres county',
      facts: [],
    };
    await talk(other, 'I grow tomatoes');
    await f.lifecycle.end(other, 'command');

    const reply = await talk(user, 'How should I test my Postgres extension?');
    const request = f.llm.requests[f.llm.requests.length - 1];
    const memoryMessage = request.messages.find((m) => m.content.startsWith(MEMORIES_HEADER));
    expect(memoryMessage?.content).toContain('Postgres extension in Rust');
    expect(JSON.stringify(request.messages)).not.toContain('tomatoes');
    expect(request.user).toBe(user);
    expect(request.purpose).toBe('memory.reply');
    expect(reply.reply).toContain('How should I test');

    const otherReply = await talk(other, 'Tell me about my Postgres extension');
    expect(otherReply.memories.every((m) => m.userId === other)).toBe(true);
    expect(JSON.stringify(f.llm.requests[f.llm.requests.length - 1].messages)).not.toContain('Rust');
  });

  it('keeps the user message when the model fails, so nothing is lost', async () => {
    const resetsAt = new Date('2031-01-01T00:00:00Z');
    f.llm.fail = new CodedError('LLM_BUDGET_EXCEEDED', resetsAt);
    const session = (await f.lifecycle.start(user, user)).session;
    await f.agent.recordUserMessage(session, 'Please keep this message');
    const error = await f.agent.answer(session, 'Please keep this message').catch((e) => e);
    expect(classifyLlmError(error)).toEqual({ kind: 'budget', resetsAt });
    expect(classifyLlmError(new CodedError('LLM_UNAVAILABLE')).kind).toBe('unavailable');
    const messages = await f.sessions.messages(session.id);
    expect(messages.map((m) => [m.role, m.content])).toEqual([['user', 'Please keep this message']]);
  });

  it('includes recent turns of the session in order', async () => {
    await talk(user, 'first question');
    await talk(user, 'second question');
    const request = f.llm.requests[f.llm.requests.length - 1];
    expect(request.messages.slice(-3).map((m) => [m.role, m.content])).toEqual([
      ['user', 'first question'],
      ['assistant', 'echo: first question'],
      ['user', 'second question'],
    ]);
  });
});

describe('encryption at rest', () => {
  it('stores no plaintext of messages, titles, summaries or memories', async () => {
    const secret = 'my-secret-codeword-zebra';
    f.llm.summary = { title: `Title ${secret}`, summary: `Summary ${secret}`, facts: [`Fact ${secret}`] };
    await talk(user, `The codeword is ${secret}`);
    await f.lifecycle.end(user, 'command');
    for (const table of ['memory_profiles', 'memory_sessions', 'memory_messages', 'memory_items']) {
      const rows = await f.sql.select(`SELECT * FROM ${table}`);
      expect(JSON.stringify(rows)).not.toContain(secret);
    }
    const memories = await f.memories.all(user);
    expect(memories.map((m) => m.content).join(' ')).toContain(secret);
  });
});

describe('UserDataService', () => {
  it('exports everything and deletes everything', async () => {
    await f.profiles.save(user, { role: 'coder', answerLanguage: 'en', answerLength: 'detailed' });
    f.llm.summary = { title: 'Export me', summary: 'Exported summary', facts: ['Exported fact'] };
    await talk(user, 'exported message');
    await f.lifecycle.end(user, 'command');
    await talk(user, 'an active session message');
    f.kvStore.set(`locale:${user}`, 'en');

    const data = await f.userData.export(user);
    expect(data.profile?.role).toBe('coder');
    expect(data.sessions).toHaveLength(2);
    expect(data.sessions[0]).toMatchObject({ title: 'Export me', summary: 'Exported summary' });
    expect(data.sessions[0].messages.map((m) => m.content)).toEqual([
      'exported message',
      'echo: exported message',
    ]);
    expect(data.memories.map((m) => m.content).sort()).toEqual(['Exported fact', 'Exported summary']);
    expect(data.usage.today).not.toBeNull();

    const keep = `${user}-bystander`;
    await talk(keep, 'i stay');
    const activeJob = (await f.sessions.active(user))!.idleJobId!;
    const report = await f.userData.delete(user);
    expect(report).toMatchObject({ profiles: 1, sessions: 2, messages: 4, memories: 2, kvKeys: 1 });
    expect(await f.userData.remaining(user)).toMatchObject({
      profiles: 0,
      sessions: 0,
      messages: 0,
      memories: 0,
    });
    expect(await f.vectors.count(memoryNamespace(user))).toBe(0);
    expect(f.kvStore.has(`locale:${user}`)).toBe(false);
    expect(f.jobs.cancelled).toContain(activeJob);
    expect((await f.userData.remaining(keep)).messages).toBe(2);
  });
});
