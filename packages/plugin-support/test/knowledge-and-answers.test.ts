import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { splitText } from '@botloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerService, NO_ANSWER } from '../src/services/answer-service.js';
import { KNOWLEDGE_NAMESPACE, KnowledgeService } from '../src/services/knowledge-service.js';
import { needsLiveData } from '../src/services/live-data.js';
import { createDbFixture } from './support/db-fixture.js';
import { InMemoryVectorStore, ScriptedLlm } from './support/fakes.js';

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

describe('needsLiveData', () => {
  it.each([
    ['Is the BMW X5 free from 12.06 to 15.06?', true],
    ['Свободна ли машина с 5 мая по 10 мая?', true],
    ['Is a car available tomorrow?', true],
    ['Есть ли свободные машины на выходных?', true],
    ['What is the status of my booking?', true],
    ['What documents do I need?', false],
    ['May I pay by card?', false],
    ['Какой залог за машину?', false],
    ['Is parking free at the office?', false],
  ])('%s -> %s', (question, expected) => {
    expect(needsLiveData(question)).toBe(expected);
  });
});
