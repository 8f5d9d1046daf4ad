import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AiServices, createAiServices, detectLanguage, splitText } from '@botloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreConfigSchema } from '../../core/src/config/core-config.js';
import { createAesGcmCrypto } from '../../core/src/crypto/aes-gcm.js';
import { Migrator } from '../../core/src/db/migrator.js';
import { llmMigrations } from '../../core/src/llm/migrations.js';
import { vectorMigrations } from '../../core/src/vector/migrations.js';
import { SupportConfigSchema } from '../src/config.js';
import { type AnswerResult, AnswerService } from '../src/services/answer-service.js';
import { KnowledgeService } from '../src/services/knowledge-service.js';
import { createDbFixture } from './support/db-fixture.js';

/**
 * The reference app's demo knowledge (English and Russian sections of a car rental), indexed
 * with core's real local embeddings and HNSW vector store, answered by core's offline LLM
 * provider, with the plugin's default settings: what a customer of `npm start` gets.
 */
const KNOWLEDGE_DIR = fileURLToPath(new URL('../../../apps/reference/knowledge/', import.meta.url));

type Expected = { answer: RegExp } | { offer: 'live_data' | 'not_known' };

const CASES: Array<[string, Expected]> = [
  // English
  ['How big is the deposit?', { answer: /deposit is 300 euros/ }],
  ['How much does an SUV cost?', { answer: /80 euros a day/ }],
  ['Where is your office?', { answer: /Knez Mihailova 10/ }],
  ['How old must the driver be?', { answer: /at least 21 years old/ }],
  ['Can I pay the deposit in cash?', { answer: /not for the deposit/ }],
  ['How much is full insurance?', { answer: /12 euros a day/ }],
  ['Is there a discount for rentals of 7 days?', { answer: /15 percent discount/ }],
  ['Can I drive to Montenegro?', { answer: /Montenegro/ }],
  ['What are your prices for an SUV?', { answer: /SUVs .*80 euros a day/ }],
  ['What is the minimum age to rent?', { answer: /at least 21 years old/ }],
  ['How much does it cost to rent a car?', { answer: /35 euros.*50 euros.*80 euros/ }],
  ['Do I need an international driving permit?', { answer: /international driving permit is required/ }],
  ['What about fuel?', { answer: /full tank/ }],
  ['Is mileage limited?', { answer: /Mileage is unlimited/ }],
  ['Do you rent yachts?', { offer: 'not_known' }],
  ['Do you have child seats?', { offer: 'not_known' }],
  ['Is a Toyota RAV4 available on May 12?', { offer: 'live_data' }],
  ['Can I book a car for next weekend?', { offer: 'live_data' }],
  ['What is the status of my booking?', { offer: 'live_data' }],
  // Russian
  ['Какой залог?', { answer: /Залог составляет 300 евро/ }],
  ['Сколько стоит внедорожник?', { answer: /от 80 евро в сутки/ }],
  ['Сколько стоит аренда на 7 дней?', { answer: /скидка 15 процентов/ }],
  ['Где находится офис?', { answer: /Кнез Михайлова 10/ }],
  ['Какие карты вы принимаете?', { answer: /Visa и Mastercard/ }],
  ['Сколько стоит полная страховка?', { answer: /12 евро в сутки/ }],
  ['Можно ли поехать в Черногорию?', { answer: /Черногорию/ }],
  ['Сколько стоит доставка в аэропорт?', { answer: /20 евро в одну сторону/ }],
  ['Со скольки лет можно арендовать?', { answer: /не меньше 21 года/ }],
  ['Сколько стоит аренда машины?', { answer: /35 евро.*50 евро.*80 евро/ }],
  [
    'Нужно ли международное водительское удостоверение?',
    { answer: /Международное водительское удостоверение нужно/ },
  ],
  ['С каким баком возвращать машину?', { answer: /полным баком/ }],
  ['Есть ли ограничение пробега?', { answer: /Пробег не ограничен/ }],
  ['Есть ли у вас яхты?', { offer: 'not_known' }],
  ['Есть ли у вас детские кресла?', { offer: 'not_known' }],
  ['Можно ли взять машину на 12 мая?', { offer: 'live_data' }],
  ['Свободна ли Toyota RAV4 на выходные?', { offer: 'live_data' }],
  ['Подтверждена ли моя бронь?', { offer: 'live_data' }],
];

let fx: Awaited<ReturnType<typeof createDbFixture>>;
let ai: AiServices;
let dataDir: string;
let answers: AnswerService;

beforeAll(async () => {
  fx = await createDbFixture();
  await new Migrator({
    sequelize: fx.sequelize,
    logger: fx.logger,
    sources: [{ pluginId: 'core', migrations: [...llmMigrations, ...vectorMigrations] }],
  }).up();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'support-reference-'));
  ai = createAiServices({
    config: CoreConfigSchema.parse({}),
    sequelize: fx.sequelize,
    crypto: createAesGcmCrypto(Buffer.alloc(32, 7)),
    dataDir,
    logger: fx.logger,
  });
  const settings = SupportConfigSchema.parse({});
  const knowledge = new KnowledgeService(
    fx.sequelize,
    ai.vectorStore,
    splitText,
    { chunkSize: settings.chunkSize, lexicalWeight: settings.lexicalWeight },
    fx.logger,
  );
  const report = await knowledge.syncDirectory(KNOWLEDGE_DIR);
  expect(report.added).toEqual(['company_context.txt']);
  answers = new AnswerService(knowledge, ai.llmFor('support'), {
    minConfidence: settings.minConfidence,
    topK: settings.retrievalTopK,
  });
});

afterAll(async () => {
  await ai?.close();
  await fx?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The sentences of an offline reply after its "From the provided context:" lead-in. */
function quotedSentences(text: string): string[] {
  return text
    .replace(/^\[offline\][^:]*:\s*/, '')
    .split(/(?<=[.!?])\s+/)
    .filter(Boolean);
}

describe('answers over the reference knowledge (local embeddings, offline LLM, default settings)', () => {
  it('uses the offline provider', () => {
    expect(ai.offline).toBe(true);
  });

  it.each(CASES)('%s', async (question, expected) => {
    const result: AnswerResult = await answers.answer(question);
    if ('answer' in expected) {
      expect(result, `confidence ${result.confidence}`).toMatchObject({ kind: 'answer' });
      if (result.kind !== 'answer') return;
      expect(result.text).toMatch(expected.answer);
      // The reply quotes only passages in the question's language.
      const language = detectLanguage(question);
      for (const sentence of quotedSentences(result.text))
        expect(detectLanguage(sentence), sentence).toBe(language);
      expect(result.passages.length).toBeGreaterThan(0);
      return;
    }
    expect(result.kind).toBe('cannot_answer');
    if (result.kind !== 'cannot_answer') return;
    if (expected.offer === 'live_data') expect(result.reason).toBe('live_data');
    else expect(result.reason).not.toBe('live_data');
  });
});
