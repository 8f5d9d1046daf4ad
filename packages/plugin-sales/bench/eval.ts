/**
 * `npm run bench`: runs `botloom sales:eval bench/conversations.jsonl` on the labelled set.
 * Offline analyser unless OPENAI_API_KEY / OPENAI_BASE_URL / LLM_PROVIDERS are set (then the
 * configured model). Database: DATABASE_URL when set, else embedded PostgreSQL in a temporary
 * folder, removed afterwards.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@botloom/core/runtime';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-sales-bench-'));
await chmod(dataDir, 0o755);
try {
  const code = await runCli(
    ['sales:eval', path.join(here, 'conversations.jsonl'), '--config', path.join(here, 'botloom.config.ts')],
    {
      cwd: here,
      env: { ...process.env, BOTLOOM_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      io: { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) },
    },
  );
  process.exitCode = code || process.exitCode;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
