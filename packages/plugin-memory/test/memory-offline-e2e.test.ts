/**
 * Offline mode end to end: no OpenAI settings at all, so core's offline provider answers (and
 * says so) and summaries are extractive; retrieval uses local embeddings. Through the sandbox.
 */
import { Tokens } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECALL_TABLE, recalled } from '../bench/recall-table.js';
import memoryPlugin, { memoryNamespace } from '../src/index.js';

const WAIT = { timeoutMs: 30_000 };
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    plugins: [memoryPlugin({ maxMessageChars: 500 })],
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe('memory plugin offline', { timeout: 240_000 }, () => {
  it('answers with the offline provider, labelled, and remembers across sessions', async () => {
    expect(app.openai).toBeUndefined();
    const ivan = app.user('ivan');
    const ivanId = String(await ivan.id());

    await ivan.send('My sister Maria lives in Porto and works as an architect.');
    await ivan.expectReply(/started a new session/, WAIT);
    const first = await ivan.expectReply(/offline/, WAIT);
    expect(first.text).toMatch(/^\[offline\] /);
    expect(first.text).toMatch(/\(offline mode: answered without a language model\)$/);

    await ivan.send('/end_session');
    const ended = await ivan.expectReply(/ended/, WAIT);
    // The extractive summary and the extracted fact are the same sentence: stored once.
    expect(ended.text).toMatch(/^🛑 Session ".+" ended\. I saved one memory from it\.$/);
    expect(await app.app.resolver('memory')(Tokens.VectorStore).count(memoryNamespace(ivanId))).toBe(1);

    await ivan.send('/start_session');
    await ivan.expectReply(/New session started/, WAIT);
    await ivan.send('Where does my sister Maria live?');
    const recalled = await ivan.expectReply(/offline/, WAIT);
    // The offline provider quotes the best matching context: the memory from the last session.
    expect(recalled.text).toContain('Porto');

    await ivan.send('/memories');
    const memories = await ivan.expectReply(/What I remember about you \(1 memory\)/, WAIT);
    expect(memories.text).toContain('1. My sister Maria lives in Porto and works as an architect.');
    // One page: the memory's button and "forget all", with no empty row between or after.
    const rows = (memories.reply_markup?.inline_keyboard ?? []).map((row) => row.map((b) => b.text));
    expect(rows.map((row) => row.length)).toEqual([1, 1]);
    expect(rows[0]![0]).toMatch(/^✖ My sister Maria/);
    expect(rows[1]).toEqual(['🗑 Forget everything']);
    await ivan.send('/usage');
    await ivan.expectReply(/^📊 Tokens used today: [1-9]\d*\nThere is no daily limit\.$/, WAIT);
  });

  // Issue 12 §3: the recall table (also in `npm run bench`), told in session 1, asked in session 2.
  it.each(RECALL_TABLE.map((c) => [c.language, c] as const))(
    'recalls facts told in an earlier session (%s)',
    async (language, c) => {
      const user = app.user(`recall-${language}`, { language_code: language });
      for (const [i, text] of c.told.entries()) {
        await user.send(text);
        if (i === 0)
          await user.expectReply(language === 'ru' ? /новую сессию/ : /started a new session/, WAIT);
        await user.expectReply(/^\[offline\]/, WAIT);
      }
      await user.send('/end_session');
      const ended = await user.expectReply(language === 'ru' ? /заверш/ : /ended/, WAIT);
      // The title ends at a phrase boundary, not mid-phrase.
      expect(ended.text).toContain(
        language === 'ru' ? '«Меня зовут Ольга, я живу в Казани»' : '"My name is Alex"',
      );

      await user.send('/memories');
      const list = await user.expectReply(language === 'ru' ? /помню/ : /What I remember about you/, WAIT);
      for (const never of c.neverRemembered) expect(list.text).not.toMatch(never);

      await user.send('/start_session');
      await user.expectReply(language === 'ru' ? /новая сессия/i : /New session started/, WAIT);
      for (const q of c.asked) {
        await user.send(q.question);
        const reply = await user.expectReply(/^\[offline\]/, WAIT);
        expect(recalled(reply.text ?? '', q), `${q.question} -> ${reply.text}`).toBe(true);
        // Never the question itself, never the profile's instructions.
        expect(reply.text).not.toContain(q.question);
        expect(reply.text).not.toMatch(/You are|Answer in|Keep answers|Отвечай/);
      }
    },
  );

  it('refuses a message over maxMessageChars and stores nothing', async () => {
    const yana = app.user('yana', { language_code: 'ru' });
    await yana.send('ы'.repeat(600));
    await yana.expectReply(
      /Сообщение слишком длинное \(600 символов\)\. Уложитесь, пожалуйста, в 500\./,
      WAIT,
    );
    const [row] = (
      await app.app
        .resolver('memory')(Tokens.Database)
        .query('SELECT count(*)::int AS n FROM memory_messages WHERE user_id = $1', {
          bind: [String(await yana.id())],
        })
    )[0] as Array<{ n: number }>;
    expect(row!.n).toBe(0);
    await yana.send('Привет! Как дела?');
    const reply = await yana.expectReply(/офлайн/, WAIT);
    expect(reply.text).toMatch(/^\[offline\] /);
    expect(reply.text).toMatch(/\(офлайн-режим: ответ без языковой модели\)$/);
    // Nothing remembered matches: the memory agent's own wording, not "a person can answer".
    expect(reply.text).toContain('я могу только вспоминать то, что вы мне рассказывали');
    expect(reply.text).not.toContain('человек');
    const en = app.user('yan', { language_code: 'en' });
    await en.send('What is the weather like?');
    const nothing = await en.expectReply(/offline/, WAIT);
    expect(nothing.text).toContain('I can only recall what you told me, and nothing I remember matches');
    expect(nothing.text).not.toContain('A person');
  });
});
