/**
 * SIGKILL between the webhook's 200 and the end of processing: the delivery is stored, so the
 * restarted app processes it, and the customer gets exactly one reply.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  type FakeOpenAI,
  startFakeOpenAI,
  type TestDatabase,
} from '@botloom/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGraphApi, startFakeGraphApi, WebhookSender } from '../src/testing/index.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'crash-app-secret';

let db: TestDatabase;
let graph: FakeGraphApi;
let openai: FakeOpenAI;
let dataDir: string;
const children: ChildProcess[] = [];
const encryptionKey = randomBytes(32).toString('hex');

beforeAll(async () => {
  db = await createTestDatabase('botloom_instagram_crash');
  graph = await startFakeGraphApi();
  openai = await startFakeOpenAI();
  dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-ig-crash-'));
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await openai?.close();
  await graph?.close();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function startChild(): { process: ChildProcess; url: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=botloom-source', 'test/support/crash-app.ts'],
    {
      cwd: packageDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        KV_URL: 'memory://',
        BOTLOOM_DATA_DIR: dataDir,
        ENCRYPTION_KEY: encryptionKey,
        OPENAI_BASE_URL: openai.url,
        OPENAI_API_KEY: 'test-key',
        INSTAGRAM_APP_SECRET: SECRET,
        INSTAGRAM_VERIFY_TOKEN: 'verify',
        INSTAGRAM_ACCESS_TOKEN: graph.accessToken,
        INSTAGRAM_ACCOUNT_ID: graph.accountId,
        INSTAGRAM_API_ROOT: graph.url,
        BOTLOOM_INSTAGRAM_PER_THREAD_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) =>
      reject(new Error(`the app exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
  return { process: child, url };
}

describe('crash safety', () => {
  it('processes a delivery acknowledged before a SIGKILL exactly once after the restart', async () => {
    // Processing starts by analysing the message: hold that call until the process is killed.
    let started!: () => void;
    const processingStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    openai.script({
      match: { purpose: 'instagram.analyze' },
      times: 1,
      reply: async () => {
        started();
        await gate;
        return { content: { sentiment: 'neutral', intent: 'question', confidence: 0.5 } };
      },
    });
    openai.script({ match: { purpose: 'instagram.reply' }, reply: 'We open at nine.' });

    const first = startChild();
    const sender = new WebhookSender(`${await first.url}/p/instagram/webhook`, SECRET, graph.accountId);
    const res = await sender.message('5551', 'When do you open?');
    expect(res.status).toBe(200);
    await processingStarted;
    first.process.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.process.exitCode !== null || first.process.signalCode !== null
        ? resolve()
        : first.process.once('exit', () => resolve()),
    );
    release();
    expect(graph.sentTo('5551')).toEqual([]);

    const second = startChild();
    await second.url;
    const reply = await graph.waitForSent((m) => m.recipient === '5551', 60_000);
    expect(reply.text).toBe('We open at nine.');

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const until = Date.now() + 30_000;
      // The delivery is marked processed after the reply's outbox row is sent: wait for both.
      for (;;) {
        const { rows } = await client.query(`SELECT status FROM instagram_outbox WHERE recipient = '5551'`);
        const { rows: deliveries } = await client.query(`SELECT status FROM instagram_deliveries`);
        const settled = rows[0]?.status === 'sent' && deliveries.every((d) => d.status === 'processed');
        if (settled || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const messages = await client.query(
        `SELECT count(*)::int AS n FROM instagram_messages WHERE mid = $1`,
        [res.mid],
      );
      const outbox = await client.query(`SELECT status FROM instagram_outbox WHERE recipient = '5551'`);
      const delivery = await client.query(`SELECT status FROM instagram_deliveries`);
      expect(messages.rows[0].n).toBe(1);
      expect(outbox.rows).toEqual([{ status: 'sent' }]);
      expect(delivery.rows).toEqual([{ status: 'processed' }]);
    } finally {
      await client.end();
    }
    expect(graph.sentTo('5551')).toHaveLength(1);
    second.process.kill('SIGTERM');
  }, 120_000);
});
