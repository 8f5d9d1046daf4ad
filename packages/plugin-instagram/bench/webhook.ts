/**
 * Webhook intake and reply latency: N signed deliveries posted to a running app (DATABASE_URL,
 * or embedded PostgreSQL in a temporary folder; offline LLM; the fake Graph API), C at a time. Reports the
 * webhook's 200 latency (store + queue, what Meta waits for) and the time until the reply
 * reached the Graph API (durable jobs, analysis, rules, Send API).
 *
 *   npx tsx --conditions=botloom-source packages/plugin-instagram/bench/webhook.ts [--deliveries 200] [--concurrency 8]
 *     [--thread-concurrency 1,4] [--llm-ms 500]
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type ChatRequest,
  type ChatResult,
  createApp,
  type StructuredRequest,
  type StructuredResult,
  Tokens,
} from '@botloom/core';
import { ScriptedLlm, serviceOverride } from '@botloom/core/testing';
import pg from 'pg';
import instagramPlugin from '../src/index.js';
import { startFakeGraphApi, WebhookSender } from '../src/testing/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const deliveries = arg('deliveries', 200);
const concurrency = arg('concurrency', 8);
/** Simulated model latency per LLM call, ms (0: the offline LLM, no calls at all). */
const llmMs = arg('llm-ms', 0);
/** Thread lanes to compare, e.g. `--thread-concurrency 1,4`: each run in turn, ratios to the first. */
const laneCounts = (() => {
  const i = process.argv.indexOf('--thread-concurrency');
  return i > 0 ? process.argv[i + 1]!.split(',').map(Number) : [4];
})();
const secret = 'bench-secret';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The scripted model with a fixed latency: what a slow LLM does to a thread's turn. */
class SlowLlm extends ScriptedLlm {
  override async chat(request: ChatRequest): Promise<ChatResult> {
    await sleep(llmMs);
    return super.chat(request);
  }
  override async structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
    await sleep(llmMs);
    return super.structured(request);
  }
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/**
 * With DATABASE_URL, a database of its own for one run (dropped after): a reused one holds
 * earlier runs' rows, encrypted with another run's key.
 */
async function freshDatabase(): Promise<{ url?: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { drop: async () => {} };
  const name = `botloom_ig_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function run(threadConcurrency: number, users: number) {
  const database = await freshDatabase();
  const graph = await startFakeGraphApi();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-instagram-bench-'));
  await chmod(dataDir, 0o755);
  const app = createApp({
    sandbox: false,
    dotenv: false,
    env: { ...process.env, LOG_LEVEL: 'warn', ...(database.url ? { DATABASE_URL: database.url } : {}) },
    config: { BOTLOOM_DATA_DIR: dataDir, PORT: 0, HOST: '127.0.0.1' } as never,
    ...(llmMs > 0
      ? { serviceOverrides: [serviceOverride(Tokens.Llm, new SlowLlm({ reply: 'Thanks!' }))] }
      : {}),
    plugins: [
      instagramPlugin({
        appSecret: secret,
        verifyToken: 'bench',
        accessToken: graph.accessToken,
        accountId: graph.accountId,
        apiRoot: graph.url,
        perThreadIntervalMs: 0,
        sendsPerSecond: 300,
        threadConcurrency,
      }),
    ],
  });
  await app.start();
  const sender = new WebhookSender(`${app.url}/p/instagram/webhook`, secret, graph.accountId);
  const ack: number[] = [];
  const sentAt = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < deliveries) {
        const i = next++;
        const igsid = String(users + i);
        const t0 = performance.now();
        const res = await sender.message(igsid, `Hello, how much is item ${i}?`);
        ack.push(performance.now() - t0);
        sentAt.set(igsid, t0);
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      }
    }),
  );
  const intakeSeconds = (performance.now() - started) / 1000;
  const replies: number[] = [];
  for (const [igsid, t0] of sentAt) {
    await graph.waitForSent((m) => m.recipient === igsid, 600_000);
    replies.push(graph.sentTo(igsid)[0]!.at.getTime() - (performance.timeOrigin + t0));
  }
  const totalSeconds = (performance.now() - started) / 1000;
  await app.stop();
  await graph.close();
  await rm(dataDir, { recursive: true, force: true });
  await database.drop();
  return { ack, replies, intakeSeconds, totalSeconds };
}

console.log(`deliveries ${deliveries}, concurrency ${concurrency}, LLM latency ${llmMs} ms per call`);
let baseline: number | undefined;
for (const [index, lanes] of laneCounts.entries()) {
  const r = await run(lanes, 100_000 + index * 1_000_000);
  const p50 = pct(r.replies, 0.5) / 1000;
  baseline ??= p50;
  console.log(`threadConcurrency ${lanes}:`);
  console.log(
    `  webhook 200: p50 ${pct(r.ack, 0.5).toFixed(1)} ms, p95 ${pct(r.ack, 0.95).toFixed(1)} ms, ${(deliveries / r.intakeSeconds).toFixed(1)} deliveries/s`,
  );
  console.log(
    `  reply at the Graph API: p50 ${p50.toFixed(2)} s, p95 ${(pct(r.replies, 0.95) / 1000).toFixed(2)} s; all ${deliveries} replied in ${r.totalSeconds.toFixed(1)} s; p50 ratio to the first run ${(p50 / baseline).toFixed(2)}`,
  );
}
