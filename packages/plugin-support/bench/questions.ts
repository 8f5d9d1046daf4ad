/**
 * The pinned support question table (bench/question-table.ts) over the reference app's demo
 * knowledge, answered as the reference bot answers it: the plugin's default settings, core's
 * embeddings and LLM as configured. Prints every question with the result and the accuracy.
 * With no OPENAI_API_KEY / OPENAI_BASE_URL that is the offline provider and local embeddings;
 * with one, the configured model (its answers are judged by the facts they must state).
 *
 *   npm run bench -w @botloom/plugin-support
 *
 * Uses DATABASE_URL when set, otherwise embedded PostgreSQL in a temporary data directory.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, splitText, Tokens } from '@botloom/core';
// The desk needs a Telegram API: core's Bot API emulator is one (nothing leaves the machine).
import { startSandbox } from '@botloom/core/sandbox';
import supportPlugin, { AnswerService, SupportConfigSchema } from '../src/index.js';
import { KNOWLEDGE_NAMESPACE, KnowledgeService } from '../src/services/knowledge-service.js';
import { judge, QUESTION_TABLE } from './question-table.js';

const KNOWLEDGE_DIR = fileURLToPath(new URL('../../../apps/reference/knowledge/', import.meta.url));

function expectation(expected: (typeof QUESTION_TABLE)[number][1]): string {
  if ('answer' in expected) return `answer ${expected.facts.join(', ')}`;
  if ('smallTalk' in expected) return `small talk (${expected.smallTalk})`;
  return expected.offer === 'live_data' ? 'manager checks availability' : 'declines';
}

async function main() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-support-bench-'));
  // Embedded PostgreSQL runs as another system user when we are root: it must enter the folder.
  await chmod(dataDir, 0o755);
  const app = createApp({
    plugins: [supportPlugin({ knowledgeDir: KNOWLEDGE_DIR, knowledgeRescanSeconds: 0 })],
    sandbox: startSandbox,
    dotenv: false,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    config: { BOTLOOM_DATA_DIR: dataDir, PORT: 0, HOST: '127.0.0.1' } as never,
  });
  await app.start();
  try {
    const resolve = app.resolver('support');
    const settings = SupportConfigSchema.parse({});
    const knowledge = new KnowledgeService(
      resolve(Tokens.Database),
      resolve(Tokens.VectorStore),
      splitText,
      { chunkSize: settings.chunkSize, lexicalWeight: settings.lexicalWeight },
      resolve(Tokens.Logger),
    );
    // A reused DATABASE_URL may hold vectors encrypted with another run's key: index afresh.
    await resolve(Tokens.VectorStore).deleteNamespace(KNOWLEDGE_NAMESPACE);
    await resolve(Tokens.Database).query('DELETE FROM support_knowledge_items');
    await knowledge.syncDirectory(KNOWLEDGE_DIR);
    const llm = resolve(Tokens.Llm);
    const answers = new AnswerService(knowledge, llm, {
      minConfidence: settings.minConfidence,
      topK: settings.retrievalTopK,
    });
    const rows: Array<Record<string, string>> = [];
    let correct = 0;
    for (const [question, expected] of QUESTION_TABLE) {
      const result = await answers.answer(question);
      const ok = judge(result, expected, llm.offline);
      if (ok) correct += 1;
      const got =
        result.kind === 'answer'
          ? result.text.replace(/^\[offline\][^:]*:\s*/, '')
          : result.kind === 'small_talk'
            ? `small talk (${result.intent})`
            : `declined: ${result.reason}`;
      rows.push({ ok: ok ? '✓' : '✗', question, expected: expectation(expected), got: got.slice(0, 90) });
    }
    const embeddings = resolve(Tokens.Embeddings);
    console.log(
      `\nplugin-support question table (${llm.offline ? 'offline provider' : 'configured model'}, embeddings ${embeddings.model})`,
    );
    console.table(rows);
    console.log(
      `accuracy: ${correct}/${QUESTION_TABLE.length} = ${((100 * correct) / QUESTION_TABLE.length).toFixed(1)}%`,
    );
  } finally {
    await app.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
