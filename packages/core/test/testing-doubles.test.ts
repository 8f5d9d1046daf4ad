import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ChatRequest,
  LlmBudgetExceededError,
  LlmRateLimitedError,
  LlmStructuredOutputError,
  LlmUnavailableError,
} from '../src/index.js';
import { InMemoryVectorStore, ScriptedLlm } from '../src/testing/index.js';

function ask(text: string, purpose = 'test.chat', extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    purpose,
    messages: [
      { role: 'system', content: 'You are a test assistant.' },
      { role: 'user', content: text },
    ],
    ...extra,
  };
}

const Summary = z.object({ title: z.string(), facts: z.array(z.string()) });

describe('ScriptedLlm', () => {
  it('answers with the default reply and records every call in order', async () => {
    const llm = new ScriptedLlm();
    const first = await llm.chat(ask('hello', 'a.one', { user: '42' }));
    expect(first.content).toBe('scripted reply to: hello');
    expect(first).toMatchObject({ model: 'scripted', offline: false });
    expect(first.usage.totalTokens).toBe(first.usage.promptTokens + first.usage.completionTokens);
    await llm.chat(ask('again', 'a.two'));
    expect(llm.requests.map((r) => r.purpose)).toEqual(['a.one', 'a.two']);
    expect(llm.calls.map((c) => [c.kind, c.output])).toEqual([
      ['chat', 'scripted reply to: hello'],
      ['chat', 'scripted reply to: again'],
    ]);
    expect(llm.requestsFor('a.one')[0]?.user).toBe('42');
  });

  it('picks the first matching rule; matchers are case-insensitive substrings or RegExps', async () => {
    const llm = new ScriptedLlm({ reply: 'default' })
      .script({ match: { purpose: 'support.answer', lastUser: 'DEPOSIT' }, reply: 'It is 300 euros.' })
      .script({ match: { purpose: /^support\./ }, reply: (r) => `support: ${r.messages.at(-1)?.content}` })
      .script({ match: { user: '7', system: 'test assistant' }, reply: 'for user 7' })
      .script({ match: (r) => r.kind === 'chat' && r.lastUser.endsWith('?'), reply: 'a question' });
    expect((await llm.chat(ask('How big is the deposit', 'support.answer'))).content).toBe(
      'It is 300 euros.',
    );
    expect((await llm.chat(ask('hours', 'support.answer'))).content).toBe('support: hours');
    expect((await llm.chat(ask('hi', 'memory.reply', { user: '7' }))).content).toBe('for user 7');
    expect((await llm.chat(ask('why?', 'memory.reply'))).content).toBe('a question');
    expect((await llm.chat(ask('hi', 'memory.reply', { user: '8' }))).content).toBe('default');
  });

  it('queues answers in order, then falls back to the defaults; `times` limits a rule', async () => {
    const llm = new ScriptedLlm({ reply: 'default' });
    llm.queue('first', { error: 'unavailable' }, 'third');
    llm.script({ match: { purpose: 'x' }, reply: 'twice', times: 2 });
    expect((await llm.chat(ask('1'))).content).toBe('first');
    await expect(llm.chat(ask('2'))).rejects.toBeInstanceOf(LlmUnavailableError);
    expect((await llm.chat(ask('3'))).content).toBe('third');
    expect((await llm.chat(ask('4'))).content).toBe('default');
    const twice = [
      await llm.chat(ask('5', 'x')),
      await llm.chat(ask('6', 'x')),
      await llm.chat(ask('7', 'x')),
    ];
    expect(twice.map((r) => r.content)).toEqual(['twice', 'twice', 'default']);
    expect(llm.calls[1]?.error).toBeInstanceOf(LlmUnavailableError);
  });

  it("simulates failures with core's Llm errors: `fail` until cleared, `failNext` a number of times", async () => {
    const llm = new ScriptedLlm({ reply: 'ok' });
    llm.fail = 'budget_exceeded';
    const budget = await llm.chat(ask('hi', 'p', { user: '5' })).catch((e) => e);
    expect(budget).toBeInstanceOf(LlmBudgetExceededError);
    expect(budget).toMatchObject({ code: 'LLM_BUDGET_EXCEEDED', scope: 'global' });
    expect(budget.resetsAt.getTime()).toBeGreaterThan(Date.now());
    const own = new LlmUnavailableError('down');
    llm.fail = own;
    await expect(llm.structured({ ...ask('hi'), schema: Summary })).rejects.toBe(own);
    llm.fail = null;
    expect((await llm.chat(ask('hi'))).content).toBe('ok');

    llm.script({ reply: 'scripted' }).failNext('rate_limited', 2, { purpose: 'limited' });
    await expect(llm.chat(ask('a', 'limited'))).rejects.toBeInstanceOf(LlmRateLimitedError);
    expect((await llm.chat(ask('b', 'other'))).content).toBe('scripted');
    await expect(llm.chat(ask('c', 'limited'))).rejects.toMatchObject({ code: 'LLM_RATE_LIMITED' });
    expect((await llm.chat(ask('d', 'limited'))).content).toBe('scripted');
  });

  it('structured: scripted data is validated by the schema, a reply is parsed as JSON', async () => {
    const llm = new ScriptedLlm({ data: { title: 'Default', facts: [] } });
    const byDefault = await llm.structured({ ...ask('x'), schema: Summary });
    expect(byDefault.data).toEqual({ title: 'Default', facts: [] });

    llm.script({
      match: { kind: 'structured', purpose: 'sum' },
      data: (r) => ({ title: r.purpose, facts: ['a'] }),
    });
    expect((await llm.structured({ ...ask('x', 'sum'), schema: Summary })).data).toEqual({
      title: 'sum',
      facts: ['a'],
    });
    llm.queue('{"title":"From JSON","facts":["b"]}', 'not json', { data: { title: 1 } });
    expect((await llm.structured({ ...ask('x'), schema: Summary })).data.title).toBe('From JSON');
    await expect(llm.structured({ ...ask('x'), schema: Summary })).rejects.toBeInstanceOf(
      LlmStructuredOutputError,
    );
    const invalid = await llm
      .structured({ ...ask('x'), schema: Summary, schemaName: 'summary' })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(LlmStructuredOutputError);
    expect(invalid.message).toContain('summary');
    expect(invalid.issues.join(' ')).toMatch(/title/);
    expect(llm.calls.map((c) => c.kind)).toEqual(Array(5).fill('structured'));
  });

  it('streams the reply in chunks and resolves the result; a failed stream rejects both', async () => {
    const llm = new ScriptedLlm({ reply: 'one two three' });
    const { chunks, result } = llm.stream(ask('go'));
    const received: string[] = [];
    for await (const chunk of chunks) received.push(chunk);
    expect(received.length).toBeGreaterThan(1);
    expect(received.join('')).toBe('one two three');
    expect((await result).content).toBe('one two three');
    expect(llm.calls[0]).toMatchObject({ kind: 'stream', output: 'one two three' });

    llm.failNext('unavailable');
    const failed = llm.stream(ask('go'));
    await expect(failed.result).rejects.toBeInstanceOf(LlmUnavailableError);
    const consume = async () => {
      for await (const _ of failed.chunks) {
        // nothing arrives
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(LlmUnavailableError);
  });

  it('reports offline and budget as configured; setReply replaces the default; reset forgets', async () => {
    const resetsAt = new Date('2031-01-01T00:00:00Z');
    const llm = new ScriptedLlm({
      offline: true,
      budget: (user) => ({ used: Number(user), limit: 100, remaining: 100 - Number(user), resetsAt }),
    });
    expect(llm.offline).toBe(true);
    expect((await llm.chat(ask('x'))).offline).toBe(true);
    expect(await llm.budget('30')).toEqual({ used: 30, limit: 100, remaining: 70, resetsAt });
    expect((await new ScriptedLlm().budget('1')).limit).toBeNull();

    llm.setReply((r) => `new: ${r.purpose}`).script({ reply: 'rule' });
    llm.fail = 'unavailable';
    llm.reset();
    expect(llm.calls).toHaveLength(0);
    expect((await llm.chat(ask('x', 'p'))).content).toBe('new: p');
  });
});

const KB = [
  {
    id: 'deposit',
    text: 'The deposit is 300 euros and is returned within 3 days.',
    metadata: { kind: 'faq' },
  },
  { id: 'office', text: 'Our office is open every day from 9:00 to 21:00.', metadata: { kind: 'info' } },
  { id: 'pets', text: 'Pets are allowed in cars for an extra cleaning fee.', metadata: { kind: 'faq' } },
];

describe('InMemoryVectorStore', () => {
  it('ranks by cosine similarity of local embeddings, the same in every instance', async () => {
    const store = new InMemoryVectorStore();
    await store.add('kb', KB);
    const hits = await store.search('kb', 'How big is the deposit?', { k: 2 });
    expect(hits.map((h) => h.id)).toEqual(['deposit', expect.any(String)]);
    expect(hits[0]).toMatchObject({ text: KB[0]!.text, metadata: { kind: 'faq' } });
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[0]!.score).toBeLessThanOrEqual(1 + 1e-9);

    const other = new InMemoryVectorStore();
    await other.add('kb', [...KB].reverse());
    expect(await other.search('kb', 'How big is the deposit?', { k: 2 })).toEqual(hits);
  });

  it('applies k (default 5), minScore and metadata filters like the real store', async () => {
    const store = new InMemoryVectorStore();
    await store.add(
      'many',
      Array.from({ length: 8 }, (_, i) => ({ id: `d${i}`, text: `document number ${i} about cars` })),
    );
    expect(await store.search('many', 'cars')).toHaveLength(5);
    expect(await store.search('many', 'cars', { k: 0 })).toHaveLength(1);

    await store.add('kb', KB);
    const all = await store.search('kb', 'office hours every day', { k: 10 });
    const threshold = all[0]!.score - 1e-9;
    const strict = await store.search('kb', 'office hours every day', { k: 10, minScore: threshold });
    expect(strict.map((h) => h.id)).toEqual(['office']);
    const faq = await store.search('kb', 'office hours every day', { k: 10, filter: { kind: 'faq' } });
    expect(faq.map((h) => h.id).sort()).toEqual(['deposit', 'pets']);
    const either = await store.search('kb', 'office', { k: 10, filter: { kind: ['faq', 'info'] } });
    expect(either).toHaveLength(3);
  });

  it('re-adding an id replaces it; delete, deleteNamespace and count keep namespaces apart', async () => {
    const store = new InMemoryVectorStore();
    await store.add('a', KB);
    await store.add('b', [KB[0]!]);
    expect(store.adds).toBe(4);
    await store.add('a', [{ id: 'office', text: 'The office moved to 12 Harbour Street.' }]);
    expect(store.adds).toBe(5);
    expect(await store.count('a')).toBe(3);
    expect(store.documents('a').find((d) => d.id === 'office')?.text).toContain('Harbour');
    expect((await store.search('a', 'Harbour Street', { k: 1 }))[0]?.id).toBe('office');

    await store.delete('a', ['office', 'missing']);
    expect(await store.count('a')).toBe(2);
    expect(await store.count('b')).toBe(1);
    await store.deleteNamespace('a');
    expect(await store.count('a')).toBe(0);
    expect(await store.search('a', 'deposit')).toEqual([]);
    expect(store.namespaceNames()).toEqual(['b']);
  });

  it('uses the embeddings provider it is given', async () => {
    const calls: string[] = [];
    const store = new InMemoryVectorStore({
      embeddings: {
        dimensions: 2,
        model: 'two-words',
        async embedDocuments(texts) {
          calls.push(...texts);
          return texts.map((t) => [t.includes('cat') ? 1 : 0, t.includes('dog') ? 1 : 0]);
        },
        async embedQuery(text) {
          calls.push(text);
          return [text.includes('cat') ? 1 : 0, text.includes('dog') ? 1 : 0];
        },
      },
    });
    await store.add('pets', [
      { id: 'c', text: 'a cat' },
      { id: 'd', text: 'a dog' },
    ]);
    const hits = await store.search('pets', 'my dog');
    expect(hits.map((h) => [h.id, h.score])).toEqual([
      ['d', 1],
      ['c', 0],
    ]);
    expect(calls).toEqual(['a cat', 'a dog', 'my dog']);
  });
});
