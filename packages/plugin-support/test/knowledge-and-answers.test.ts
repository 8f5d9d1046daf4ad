import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { splitText } from '@botloom/core';
import { InMemoryVectorStore, ScriptedLlm } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerService, NO_ANSWER } from '../src/services/answer-service.js';
import { chunkKnowledge, knowledgeSections } from '../src/services/knowledge-chunks.js';
import { KNOWLEDGE_NAMESPACE, KnowledgeService } from '../src/services/knowledge-service.js';
import { LexicalIndex, lexicalTerms, termsMatch } from '../src/services/lexical-index.js';
import { needsLiveData } from '../src/services/live-data.js';
import { createDbFixture } from './support/db-fixture.js';

const RENTAL = `Rental terms
To rent a car you need a driving licence held for at least 2 years and a passport.
The deposit is 300 euros and is returned within 3 days after the car is back.`;
const OFFICE = 'Our office is open every day from 9:00 to 21:00. The office address is 12 Harbour Street.';

let fx: Awaited<ReturnType<typeof createDbFixture>>;
let vectors: InMemoryVectorStore;
let knowledge: KnowledgeService;
let dir: string;

beforeAll(async () => {
  fx = await createDbFixture();
  vectors = new InMemoryVectorStore();
  knowledge = new KnowledgeService(fx.sequelize, vectors, splitText, { chunkSize: 400 }, fx.logger);
  dir = await mkdtemp(path.join(os.tmpdir(), 'support-kb-'));
});

afterAll(async () => {
  await fx.close();
  await rm(dir, { recursive: true, force: true });
});

describe('KnowledgeService', () => {
  it('indexes .txt/.md files of the directory, skips other files, and re-indexes only on change', async () => {
    await writeFile(path.join(dir, 'company_context.txt'), RENTAL);
    await writeFile(path.join(dir, 'office.md'), OFFICE);
    await writeFile(path.join(dir, 'notes.pdf'), 'not knowledge');
    const first = await knowledge.syncDirectory(dir);
    expect(first.added.sort()).toEqual(['company_context.txt', 'office.md']);
    expect(await vectors.count(KNOWLEDGE_NAMESPACE)).toBeGreaterThanOrEqual(2);

    const addsBefore = vectors.adds;
    const again = await knowledge.syncDirectory(dir);
    expect(again).toMatchObject({ added: [], updated: [], removed: [], unchanged: 2 });
    expect(vectors.adds).toBe(addsBefore);

    await writeFile(path.join(dir, 'office.md'), `${OFFICE}\nOn public holidays the office closes at 15:00.`);
    const changed = await knowledge.syncDirectory(dir);
    expect(changed.updated).toEqual(['office.md']);
    const hits = await knowledge.search('When does the office close on public holidays?', 2);
    expect(hits[0]!.text).toContain('15:00');

    await unlink(path.join(dir, 'office.md'));
    const removed = await knowledge.syncDirectory(dir);
    expect(removed.removed).toEqual(['office.md']);
    const items = await knowledge.list();
    expect(items.map((i) => i.filePath)).toEqual(['company_context.txt']);
    const left = await knowledge.search('office address Harbour Street', 5);
    expect(left.every((p) => !p.text.includes('Harbour'))).toBe(true);
  });

  it('supports admin CRUD; file items are read-only through it', async () => {
    const item = await knowledge.create({
      title: 'Pets',
      content: 'Pets are allowed in cars for an extra cleaning fee of 20 euros.',
    });
    expect(item).toMatchObject({ source: 'admin', indexed: true });
    expect((await knowledge.search('Are pets allowed in the car?', 1))[0]!.itemId).toBe(item.id);

    const updated = await knowledge.update(item.id, { content: 'Pets are not allowed in our cars.' });
    expect(updated.contentHash).not.toBe(item.contentHash);
    const hits = await knowledge.search('pets allowed cars', 5);
    expect(
      hits
        .filter((h) => h.itemId === item.id)
        .map((h) => h.text)
        .join(' '),
    ).toContain('not allowed');
    expect(hits.some((h) => h.text.includes('20 euros'))).toBe(false);

    const fileItem = (await knowledge.list()).find((i) => i.source === 'file')!;
    await expect(knowledge.update(fileItem.id, { content: 'x' })).rejects.toMatchObject({
      code: 'KNOWLEDGE_READ_ONLY',
    });

    await knowledge.delete(item.id);
    expect(await knowledge.get(item.id)).toBeNull();
    expect((await knowledge.search('pets allowed', 5)).some((h) => h.itemId === item.id)).toBe(false);
    await expect(knowledge.delete(item.id)).rejects.toMatchObject({ code: 'KNOWLEDGE_NOT_FOUND' });
  });

  it('reports a missing directory as a typed error', async () => {
    await expect(knowledge.syncDirectory(path.join(dir, 'nope'))).rejects.toMatchObject({
      code: 'KNOWLEDGE_DIR_MISSING',
    });
  });
});

describe('AnswerService', () => {
  const llm = new ScriptedLlm();
  const answers = () => new AnswerService(knowledge, llm, { minConfidence: 0.25, topK: 3 });

  it('answers from retrieved passages and records the cited ones', async () => {
    llm.setReply((req) => {
      expect(req.messages[0]!.content).toContain('driving licence');
      expect(req.purpose).toBe('support.answer');
      return 'You need a driving licence (2+ years) and a passport. [1]';
    });
    const result = await answers().answer('What documents do I need to rent a car?');
    expect(result.kind).toBe('answer');
    if (result.kind !== 'answer') return;
    expect(result.text).toBe('You need a driving licence (2+ years) and a passport.');
    expect(result.passages).toHaveLength(1);
    expect(result.passages[0]!.text).toContain('driving licence');
    expect(result.confidence).toBeGreaterThanOrEqual(0.25);
  });

  it('declines below the confidence threshold without calling the model', async () => {
    const calls = llm.requests.length;
    const result = await answers().answer('What is the capital of France?');
    expect(result).toMatchObject({ kind: 'cannot_answer', reason: 'low_confidence' });
    if (result.kind !== 'cannot_answer') return;
    expect(result.confidence).toBeLessThan(0.25);
    expect(llm.requests.length).toBe(calls);
  });

  it('the same question passes with a lower threshold: the threshold is what decides', async () => {
    llm.setReply(() => NO_ANSWER);
    const strict = await new AnswerService(knowledge, llm, { minConfidence: 0.99, topK: 3 }).answer(
      'How big is the deposit?',
    );
    expect(strict).toMatchObject({ kind: 'cannot_answer', reason: 'low_confidence' });
    llm.setReply(() => 'The deposit is 300 euros. [1]');
    const lenient = await new AnswerService(knowledge, llm, { minConfidence: 0.1, topK: 3 }).answer(
      'How big is the deposit?',
    );
    expect(lenient).toMatchObject({ kind: 'answer', text: 'The deposit is 300 euros.' });
  });

  it('declines when the model says the passages do not hold the answer', async () => {
    llm.setReply(() => NO_ANSWER);
    const result = await answers().answer('Do you rent cars with a driver and a passport holder?');
    expect(result).toMatchObject({ kind: 'cannot_answer', reason: 'model_declined' });
  });

  it('declines live-data questions (availability on dates) even when passages match', async () => {
    const calls = llm.requests.length;
    const result = await answers().answer(
      'Can I rent a car with my driving licence, is it free from 12.06 to 15.06?',
    );
    expect(result).toMatchObject({ kind: 'cannot_answer', reason: 'live_data' });
    expect(llm.requests.length).toBe(calls);
  });

  it('with the offline provider, accepts only replies that quote a passage', async () => {
    llm.offline = true;
    llm.setReply(
      () =>
        '[offline] From the provided context:\nThe deposit is 300 euros and is returned within 3 days after the car is back.',
    );
    const quoted = await answers().answer('How big is the deposit for the car rental?');
    expect(quoted.kind).toBe('answer');
    llm.setReply(
      () =>
        '[offline] No language model is configured, and nothing in the provided context matches your message.',
    );
    const nothing = await answers().answer('How big is the deposit for the car rental?');
    expect(nothing).toMatchObject({ kind: 'cannot_answer', reason: 'model_declined' });
    llm.offline = false;
  });
});

describe('knowledge chunking', () => {
  const TEXT = `Intro line of the company that is long enough not to be a heading at all.

Deposit and payment
The deposit is 300 euros.
We accept Visa.

## Fuel

Cars are handed over with a full tank and must be
returned full.

Short wrapped line
that continues a sentence.`;

  it('makes one chunk per section, with its heading, whether the text follows on the next line or after a blank line', async () => {
    expect(knowledgeSections(TEXT)).toEqual([
      { heading: null, body: 'Intro line of the company that is long enough not to be a heading at all.' },
      { heading: 'Deposit and payment', body: 'The deposit is 300 euros.\nWe accept Visa.' },
      { heading: 'Fuel', body: 'Cars are handed over with a full tank and must be\nreturned full.' },
      // A lower-case next line means a wrapped sentence, not a heading.
      { heading: null, body: 'Short wrapped line\nthat continues a sentence.' },
    ]);
    const chunks = await chunkKnowledge(TEXT, 800, splitText);
    expect(chunks.map((c) => c.text)).toEqual([
      'Intro line of the company that is long enough not to be a heading at all.',
      'Deposit and payment\nThe deposit is 300 euros.\nWe accept Visa.',
      'Fuel\nCars are handed over with a full tank and must be\nreturned full.',
      'Short wrapped line\nthat continues a sentence.',
    ]);
  });

  it('splits a section longer than the chunk size and keeps its heading on every piece', async () => {
    const long = `Insurance\n${Array.from({ length: 12 }, (_, i) => `Rule ${i + 1} of the insurance is written here.`).join(' ')}`;
    const chunks = await chunkKnowledge(long, 200, splitText);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.heading).toBe('Insurance');
      expect(c.text.startsWith('Insurance\n')).toBe(true);
      expect(c.text.length).toBeLessThanOrEqual(200);
    }
    expect(chunks.map((c) => c.text).join(' ')).toContain('Rule 12 of the insurance');
  });
});

describe('lexical matching', () => {
  it('matches inflected forms (light stemming), not unrelated words', () => {
    expect(termsMatch('залог', 'залога')).toBe(true);
    expect(termsMatch('внедорожник', 'внедорожники')).toBe(true);
    expect(termsMatch('rent', 'rental')).toBe(true);
    expect(termsMatch('стоит', 'стоимость')).toBe(false);
    expect(termsMatch('car', 'card')).toBe(false);
    expect(termsMatch('12', '120')).toBe(false);
    expect(lexicalTerms('Какой залог у вас?')).toEqual(['залог']);
    expect(lexicalTerms('How big are the deposits?')).toEqual(['big', 'deposit']);
  });

  it('scores the IDF-weighted share of question words a chunk holds; unknown words pull it down', () => {
    const index = new LexicalIndex();
    const chunk = (n: number, text: string) => ({ key: `a:${n}`, text, title: 't', heading: null, chunk: n });
    index.set('a', [
      chunk(0, 'Залог составляет 300 евро.'),
      chunk(1, 'Аренда машины стоит от 35 евро.'),
      chunk(2, 'Машины выдаются с полным баком.'),
    ]);
    const deposit = index.score('Какой залог?');
    expect(deposit.get('a:0')).toBeCloseTo(1);
    expect(deposit.has('a:1')).toBe(false);
    const yachts = index.score('Аренда яхты?');
    expect(yachts.get('a:1')).toBeGreaterThan(0);
    expect(yachts.get('a:1')).toBeLessThan(0.5);
    expect(index.score('Есть ли у вас яхты?').size).toBe(0);
    index.remove('a');
    expect(index.score('Какой залог?').size).toBe(0);
  });
});

describe('hybrid confidence', () => {
  it('a short question naming the one passage that holds its word passes; an unknown topic does not', async () => {
    const item = await knowledge.create({
      title: 'Залог',
      content:
        'Залог и оплата\nЗалог составляет 300 евро и возвращается в течение 3 дней после возврата автомобиля.',
    });
    const [best] = await knowledge.search('Какой залог?', 3);
    expect(best!.itemId).toBe(item.id);
    expect(best!.heading).toBe('Залог и оплата');
    expect(best!.lexicalScore).toBeCloseTo(1);
    expect(best!.score).toBeGreaterThan(0.3);
    const yachts = await knowledge.search('Есть ли у вас яхты?', 3);
    expect(yachts.every((p) => p.score < 0.3)).toBe(true);

    // With the lexical weight at 0 the confidence is the vector score alone.
    const vectorOnly = new KnowledgeService(
      fx.sequelize,
      vectors,
      splitText,
      { chunkSize: 400, lexicalWeight: 0 },
      fx.logger,
    );
    const [plain] = await vectorOnly.search('Какой залог?', 3);
    expect(plain!.score).toBe(plain!.vectorScore);
    expect(plain!.score).toBeLessThan(best!.score);
    await knowledge.delete(item.id);
  });

  it('re-indexes items chunked with another chunk size (or an older chunker) at the next sync', async () => {
    const resized = new KnowledgeService(fx.sequelize, vectors, splitText, { chunkSize: 300 }, fx.logger);
    const before = vectors.adds;
    expect(await resized.reindexStale()).toBeGreaterThan(0);
    expect(vectors.adds).toBeGreaterThan(before);
    expect(await resized.reindexStale()).toBe(0);
    // Back to the original settings for the tests that follow.
    expect(await knowledge.reindexStale()).toBeGreaterThan(0);
  });
});

describe('needsLiveData', () => {
  it.each([
    ['Is the BMW X5 free from 12.06 to 15.06?', true],
    ['Свободна ли машина с 5 мая по 10 мая?', true],
    ['Is a car available tomorrow?', true],
    ['Есть ли свободные машины на выходных?', true],
    ['What is the status of my booking?', true],
    ['Можно ли взять машину на 12 мая?', true],
    ['Можно ли забронировать внедорожник на 12-е мая?', true],
    ['Свободна ли Toyota RAV4 на 12.05?', true],
    ['Хочу арендовать машину завтра', true],
    ['Можно ли взять машину на выходные?', true],
    ['Можно ли снять машину на следующей неделе?', true],
    ['Is the RAV4 available on May 12?', true],
    ['Can I book a car for next weekend?', true],
    ['Can I rent a Golf on 12.05?', true],
    ['Can I pick up the car this Friday?', true],
    ['Is my booking confirmed?', true],
    ['Where is my deposit?', true],
    ['Статус моего заказа?', true],
    ['Подтверждена ли моя бронь?', true],
    ['Моя бронь уже подтверждена?', true],
    ['Есть ли свободные машины прямо сейчас?', true],
    ['Do you have any SUVs available?', true],
    ['Есть ли свободные машины?', true],
    ['Is this model in stock?', true],
    ['Is airport delivery available?', false],
    ['What documents do I need?', false],
    ['May I pay by card?', false],
    ['Какой залог за машину?', false],
    ['Is parking free at the office?', false],
    ['Сколько стоит аренда на 7 дней?', false],
    ['How much does it cost to rent a car for 7 days?', false],
    ['Можно ли взять машину с 21 года?', false],
    ['Can I rent a car from 21 years old?', false],
    ['Можно ли вернуть машину до 22:00?', false],
    ['Можно ли оплатить наличными?', false],
    ['Можно ли поехать в Черногорию?', false],
    ['Do you rent yachts?', false],
    ['За сколько часов нужно заказать доставку в аэропорт?', false],
  ])('%s -> %s', (question, expected) => {
    expect(needsLiveData(question)).toBe(expected);
  });
});
