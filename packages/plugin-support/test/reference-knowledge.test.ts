import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectLanguage, splitText } from '@botloom/core';
import { type AiServices, createAiServices } from '@botloom/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreConfigSchema } from '../../core/src/config/core-config.js';
import { createAesGcmCrypto } from '../../core/src/crypto/aes-gcm.js';
import { Migrator } from '../../core/src/db/migrator.js';
import { llmMigrations } from '../../core/src/llm/migrations.js';
import { vectorMigrations } from '../../core/src/vector/migrations.js';
import { judge, QUESTION_TABLE } from '../bench/question-table.js';
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

  it.each(QUESTION_TABLE)('%s', async (question, expected) => {
    const result: AnswerResult = await answers.answer(question);
    // The bench scores with the same judge.
    expect.soft(judge(result, expected, true)).toBe(true);
    if ('answer' in expected) {
      expect(result, `confidence ${'confidence' in result ? result.confidence : '-'}`).toMatchObject({
        kind: 'answer',
      });
      if (result.kind !== 'answer') return;
      expect(result.text).toMatch(expected.answer);
      // The reply quotes only passages in the question's language.
      const language = detectLanguage(question);
      for (const sentence of quotedSentences(result.text))
        expect(detectLanguage(sentence), sentence).toBe(language);
      expect(result.passages.length).toBeGreaterThan(0);
      return;
    }
    if ('smallTalk' in expected) {
      expect(result).toEqual({ kind: 'small_talk', intent: expected.smallTalk });
      return;
    }
    expect(result.kind).toBe('cannot_answer');
    if (result.kind !== 'cannot_answer') return;
    if (expected.offer === 'live_data') expect(result.reason).toBe('live_data');
    else expect(result.reason).not.toBe('live_data');
  });
});
