import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BotApiEmulator, createBotApiEmulator, SandboxClient } from '@botloom/core/sandbox';
import {
  createTestDatabase,
  type FakeOpenAI,
  startFakeOpenAI,
  type TestDatabase,
} from '@botloom/core/testing';
import { type FakeGraphApi, startFakeGraphApi, WebhookSender } from '@botloom/plugin-instagram/testing';
import { signInitData } from '@botloom/plugin-support';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { prepareSandboxDesk, SANDBOX_DESK } from '../src/sandbox-desk.js';

/**
 * Three processes of the reference app (every plugin) in webhook mode on one PostgreSQL (and
 * Redis when TEST_REDIS_URL is set), one Bot API emulator, a fake OpenAI and a fake Graph API.
 * Telegram's webhook points at a round-robin balancer in this test process, which passes each
 * update to the next instance (or to one named instance, for the steps that need it). The
 * crash test (kill -9 mid-load) stays in packages/core/test/multi-instance.test.ts.
 *
 * Which instance handles an update: the one that stored it claims it at once; only B polls the
 * shared inbox (A and C poll once an hour), so an update sent to A or C during a quiet step is
 * handled there (B could take it only in the milliseconds between storing and claiming).
 */
const serverDatabase = Boolean(process.env.TEST_DATABASE_URL);
const redisUrl = process.env.TEST_REDIS_URL;
if (!serverDatabase) {
  console.warn(
    'apps/reference/test/multi-instance.test.ts: TEST_DATABASE_URL is not set, the three-process test is skipped',
  );
}
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = path.resolve(appDir, '../..');
const SECRET = 'reference-multi-secret';
const ADMIN_TOKEN = `blt_${randomBytes(24).toString('base64url')}`;
const APP_SECRET = 'reference-multi-app-secret';
const RATE_LIMIT = 12;
const USERS = 100;
const MESSAGES_PER_USER = 10;
/** Tokens per day of the Instagram customer of the budget step (each fake LLM call costs 100). */
const BUDGET = 1000;
const BUDGET_DMS = 12;
const JOB_DMS = 12;
/**
 * Ids of this run's people. The rate windows and sessions live in the KV, which is the shared
 * Redis when TEST_REDIS_URL is set and outlives the test database: ids of an earlier run (a
 * minute ago, or another test) must not count against these.
 */
const RUN_ID_BASE = 3_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1_000;
let nextId = RUN_ID_BASE;
const A = 0;
const B = 1;
const C = 2;

interface Instance {
  name: string;
  process: ChildProcess;
  url: string;
  output(): string;
}

let db: TestDatabase;
let emulator: BotApiEmulator;
let client: SandboxClient;
let openai: FakeOpenAI;
let graph: FakeGraphApi;
let pool: pg.Pool;
let balancer: Balancer;
/** The sandbox desk's manager group, as the emulator numbered it. */
let groupId: number;
const dirs: string[] = [];
const instances: Instance[] = [];

/**
 * The load balancer: passes each webhook delivery to the next instance in turn (no stickiness),
 * or to the pinned one. Counts what each instance took.
 */
class Balancer {
  private server: Server | undefined;
  private turn = 0;
  pinned: number | undefined;
  readonly delivered = [0, 0, 0];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const index = this.pinned ?? this.turn++ % instances.length;
        const target = instances[index];
        try {
          if (!target) throw new Error('no instance yet');
          const answer = await fetch(`${target.url}${req.url}`, {
            method: req.method,
            headers: {
              'content-type': String(req.headers['content-type'] ?? 'application/json'),
              'x-telegram-bot-api-secret-token': String(req.headers['x-telegram-bot-api-secret-token'] ?? ''),
            },
            body: Buffer.concat(chunks),
          });
          const body = Buffer.from(await answer.arrayBuffer());
          if (answer.status === 200) this.delivered[index]!++;
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'text/plain',
          });
          res.end(body);
        } catch {
          res.writeHead(502);
          res.end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Built JavaScript when the build is current (CI builds before the tests): the bundle `npm start`
 * runs (bundle.mjs; the check covers it), or dist/src/main.js without esbuild. The sources otherwise.
 */
function appCommand(): string[] {
  const check = spawnSync(process.execPath, ['scripts/ensure-built.mjs', '--check'], { cwd: rootDir });
  if (check.status === 0) {
    return existsSync(path.join(appDir, 'dist', 'bundle', 'main.mjs'))
      ? ['dist/bundle/main.mjs']
      : ['dist/src/main.js'];
  }
  console.warn('multi-instance.test.ts: the build is missing or stale, the instances run the sources (tsx)');
  return ['--import', 'tsx', '--conditions=botloom-source', 'src/main.ts'];
}

function startInstance(
  name: string,
  command: string[],
  options: { pollIntervalMs: number; dataDir: string; key: string },
) {
  const child = spawn(process.execPath, command, {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      ...(redisUrl ? { KV_URL: redisUrl } : {}),
      BOTLOOM_DATA_DIR: options.dataDir,
      ENCRYPTION_KEY: options.key,
      BOTLOOM_ADMIN_TOKEN: ADMIN_TOKEN,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      WEBHOOK_URL: `${balancer.url}/telegram/webhook`,
      WEBHOOK_SECRET: SECRET,
      MANAGER_GROUP_CHAT_ID: String(groupId),
      ADMIN_USER_ID: String(SANDBOX_DESK.manager.id),
      INBOX_POLL_INTERVAL_MS: String(options.pollIntervalMs),
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      // The emulator has no flood limits; the bot's own pacing would only slow the load down.
      TELEGRAM_FLOOD_GLOBAL_PER_SECOND: '10000',
      TELEGRAM_FLOOD_PER_CHAT_PER_SECOND: '1000',
      TELEGRAM_FLOOD_GROUP_PER_MINUTE: '10000',
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-test-fake',
      INSTAGRAM_APP_SECRET: APP_SECRET,
      INSTAGRAM_VERIFY_TOKEN: 'reference-multi-verify',
      INSTAGRAM_ACCESS_TOKEN: graph.accessToken,
      INSTAGRAM_ACCOUNT_ID: graph.accountId,
      INSTAGRAM_API_ROOT: graph.url,
      BOTLOOM_INSTAGRAM_PER_THREAD_INTERVAL_MS: '0',
      BOTLOOM_INSTAGRAM_SEND_RETRY_BASE_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise<Instance>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /HTTP:\s+(http:\/\/\S+)/.exec(output);
      if (match && output.includes('Stop with Ctrl+C'))
        resolve({ name, process: child, url: match[1]!, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) =>
      reject(new Error(`instance ${name} exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
}

async function poll<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every update the emulator queued was delivered, and the shared inbox has none left open. */
async function settled(timeoutMs = 120_000): Promise<void> {
  await poll(
    'the emulator and the inbox to settle',
    async () => {
      const { webhook } = (await client.bot()) as { webhook: { pending_update_count?: number } };
      if ((webhook.pending_update_count ?? 0) > 0) return false;
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM core_update_inbox WHERE status IN ('pending', 'leased')`,
      );
      return rows[0]!.n === 0;
    },
    timeoutMs,
  );
}

/** Meta's webhook deliveries, signed with the app secret, straight to one instance. */
const senderTo = (index: number) =>
  new WebhookSender(`${instances[index]!.url}/p/instagram/webhook`, APP_SECRET, graph.accountId);

/** A new person in the emulator, with an id of this run. */
const newUser = (firstName: string) =>
  client.createUser({ id: ++nextId, first_name: firstName, language_code: 'en' });
/** A new Instagram customer id of this run. */
const newIgsid = () => String(++nextId);

const botTexts = async (chatId: number) =>
  (await client.transcript(chatId)).filter((m) => m.from?.is_bot).map((m) => m.text ?? m.caption ?? '');

/** Sends `text` as `userId` and waits for the bot's next message in that chat. */
async function ask(userId: number, text: string): Promise<string> {
  await client.sendMessage(userId, text);
  return (await client.waitForBotMessage(userId, { timeoutMs: 90_000 })).text ?? '';
}

/** A socket with every event it received. */
async function openSocket(url: string) {
  const events: any[] = [];
  const ws = new WebSocket(url);
  ws.on('message', (raw) => events.push(JSON.parse(String(raw))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    send: (event: unknown) => ws.send(JSON.stringify(event)),
    waitFor: (what: string, test: (e: any) => boolean): Promise<any> =>
      poll(what, async () => events.find(test), 90_000).catch((error: Error) => {
        throw new Error(`${error.message}; got ${JSON.stringify(events).slice(0, 2000)}`);
      }),
    close: () => ws.close(),
  };
}

/**
 * The fake OpenAI's answers to the calls these steps make; each costs exactly 100 tokens. Other
 * purposes get the fake's defaults.
 */
function scriptOpenAI(fake: FakeOpenAI): void {
  const usage = { prompt_tokens: 80, completion_tokens: 20 };
  // The session's summary is its transcript: what the user said is what is remembered.
  fake.script({
    match: { purpose: 'memory.summarize' },
    reply: (request) => ({
      content: { title: 'The lighthouse', summary: request.lastUser.slice(0, 500), facts: [] },
      usage,
    }),
  });
  // The system messages carry the memories retrieved for this turn, never the user's text.
  fake.script({
    match: { purpose: 'memory.reply' },
    reply: (request) => ({
      content: request.system.includes('Oswin') ? 'From memory: Oswin.' : 'Nothing remembered.',
      usage,
    }),
  });
  fake.script({
    match: { purpose: 'instagram.analyze' },
    reply: { content: { sentiment: 'neutral', intent: 'question', confidence: 0.9 }, usage },
  });
  fake.script({ match: { purpose: /^instagram\./ }, reply: { content: 'We do, within a week.', usage } });
}

describe.skipIf(!serverDatabase)('three reference-app processes behind a round-robin balancer', () => {
  beforeAll(async () => {
    db = await createTestDatabase('botloom_reference_multi');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    emulator = createBotApiEmulator();
    await emulator.listen(0, '127.0.0.1');
    groupId = (await prepareSandboxDesk(emulator.apiRoot)).managerGroupChatId;
    client = new SandboxClient(emulator.apiRoot);
    openai = await startFakeOpenAI();
    scriptOpenAI(openai);
    graph = await startFakeGraphApi();
    balancer = new Balancer();
    await balancer.start();
    const key = randomBytes(32).toString('hex');
    const command = appCommand();
    const bootStarted = Date.now();
    for (const [name, pollIntervalMs] of [
      ['A', 3_600_000],
      ['B', 500],
      ['C', 3_600_000],
    ] as const) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `botloom-ref-multi-${name}-`));
      dirs.push(dataDir);
      // One after another: the first runs the migrations.
      instances.push(await startInstance(name, command, { pollIntervalMs, dataDir, key }));
    }
    console.log(
      `[reference multi-instance] 3 instances ready in ${((Date.now() - bootStarted) / 1000).toFixed(1)} s (${command[0]!.startsWith('dist/') ? `built JavaScript, ${command[0]}` : 'sources through tsx'})`,
    );
  }, 400_000);

  let failed = false;
  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    // The instances log warnings and errors only: show them when a step failed.
    if (failed) {
      for (const instance of instances)
        console.warn(`--- instance ${instance.name} (last lines) ---\n${instance.output().slice(-6000)}`);
    }
    for (const instance of instances) {
      if (instance.process.exitCode === null && instance.process.signalCode === null)
        instance.process.kill('SIGKILL');
    }
    await pool?.end();
    await balancer?.close();
    await emulator?.close();
    await openai?.close();
    await graph?.close();
    await db?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("shows the manager's topic reply, handled by B, in the support web app open on A", async () => {
    const customer = (await client.listUsers()).find(
      (u) => u.first_name === SANDBOX_DESK.customer.first_name,
    )!;
    const initData = signInitData(emulator.token, {
      user: { id: customer.id, first_name: customer.first_name, language_code: 'en' },
    });
    // The customer's bot chat exists (they wrote /start), so a fallback to it would show.
    await ask(customer.id, '/start');
    const webApp = await openSocket(
      `${instances[A]!.url.replace(/^http/, 'ws')}/p/support/ws?initData=${encodeURIComponent(initData)}`,
    );
    try {
      await webApp.waitFor('the history', (e) => e.type === 'history');
      // The customer asks for a person in the web app on A: a ticket and its topic are created.
      webApp.send({ type: 'call_manager' });
      const intro = await client.waitForBotMessage(groupId, { timeoutMs: 90_000 });
      const threadId = intro.message_thread_id!;
      expect(threadId).toBeGreaterThan(0);
      // The manager answers in the topic: the balancer passes it to B.
      balancer.pinned = B;
      await client.sendMessage(SANDBOX_DESK.manager.id, 'Hello from the desk, via B', {
        chatId: groupId,
        threadId,
      });
      const shown = await webApp.waitFor(
        "the manager's reply",
        (e) => e.type === 'message' && e.message?.text === 'Hello from the desk, via B',
      );
      expect(shown.message).toMatchObject({ author: 'manager' });
      await settled();
      // B knew the web app was open on A: nothing went to the customer's bot chat.
      expect(await botTexts(customer.id)).not.toContain('Hello from the desk, via B');
    } finally {
      balancer.pinned = undefined;
      webApp.close();
    }
  }, 240_000);

  it('shows on A a live Instagram inbox event of a DM posted to B', async () => {
    const res = await fetch(`${instances[A]!.url}/admin/api/instagram/inbox/ticket`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const { ticket } = (await res.json()) as { ticket: string };
    const inbox = await openSocket(
      `${instances[A]!.url.replace(/^http/, 'ws')}/p/instagram/inbox?ticket=${ticket}`,
    );
    try {
      await inbox.waitFor('hello', (e) => e.type === 'hello');
      const igsid = newIgsid();
      expect((await senderTo(B).message(igsid, 'Is the shop open on Sunday?')).status).toBe(200);
      await inbox.waitFor(
        'the new conversation',
        (e) => e.type === 'conversation' && e.conversation?.igsid === igsid,
      );
    } finally {
      inbox.close();
    }
  }, 180_000);

  it('retrieves on C a memory written through A', async () => {
    const user = await newUser('Keeper');
    const memories = async () =>
      (
        await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM memory_items WHERE user_id = $1', [
          String(user.id),
        ])
      ).rows[0]!.n;
    try {
      // A first session on C: nothing is remembered yet (the fake model says so); its summary
      // becomes a memory, so C now holds this user's index, loaded, before A writes to it.
      balancer.pinned = C;
      await ask(user.id, '/start_session');
      expect(await ask(user.id, 'Who keeps the lighthouse?')).toContain('Nothing remembered.');
      await ask(user.id, '/end_session');
      expect(await memories()).toBe(1);
      // A session on A: the user says who they are; its summary is stored through A.
      balancer.pinned = A;
      await ask(user.id, '/start_session');
      await ask(user.id, 'My name is Oswin and I am the keeper of the lighthouse.');
      await ask(user.id, '/end_session');
      expect(await memories()).toBe(2);
      // A new session, on C: the agent's prompt carries the memory only if C's index has it.
      balancer.pinned = C;
      await ask(user.id, '/start_session');
      let attempts = 0;
      await poll(
        "C's answer from memory",
        async () => {
          attempts++;
          return (await ask(user.id, 'Who keeps the lighthouse?')).includes('From memory: Oswin');
        },
        90_000,
      );
      console.log(`[reference multi-instance] vector sync: found on C after ${attempts} question(s)`);
    } finally {
      balancer.pinned = undefined;
    }
  }, 240_000);

  it('holds one user to the rate limit exactly, whichever instance takes the update', async () => {
    const user = await newUser('Hasty');
    for (let i = 0; i < RATE_LIMIT + 4; i++) await client.sendMessage(user.id, '/help');
    await settled();
    const texts = await botTexts(user.id);
    expect(texts.filter((t) => t.startsWith('Available commands:'))).toHaveLength(RATE_LIMIT);
    expect(texts.filter((t) => !t.startsWith('Available commands:'))).toHaveLength(1);
  }, 180_000);

  it('runs each durable job once: Instagram DMs of 12 customers posted round-robin', async () => {
    const customers = Array.from({ length: JOB_DMS }, () => newIgsid());
    const statuses = await Promise.all(
      customers.map((igsid, i) =>
        senderTo(i % instances.length)
          .message(igsid, 'Do you ship to Porto?')
          .then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Each DM is stored, then processed by a pg-boss job of its thread's lane on whichever instance fetches it; the
    // agent's answer goes out through a second job (the outbox).
    const deliveries = await poll('every delivery processed', async () => {
      const { rows } = await pool.query<{ id: string; attempts: number; status: string }>(
        `SELECT d.id::text, d.attempts, d.status FROM instagram_deliveries d
         WHERE EXISTS (SELECT 1 FROM instagram_events e WHERE e.delivery_id = d.id AND e.igsid = ANY($1::text[]))`,
        [customers],
      );
      return rows.length === JOB_DMS && rows.every((r) => r.status === 'processed') && rows;
    });
    await poll('a reply to every customer', async () =>
      customers.every((igsid) => graph.sentTo(igsid).length > 0),
    );
    const { rows: jobs } = await pool.query<{ delivery: string; state: string; retry_count: number }>(
      `SELECT data->>'deliveryId' AS delivery, state, retry_count FROM botloom_jobs.job
       WHERE name LIKE 'instagram.process-lane-%' AND data->>'deliveryId' = ANY($1::text[])`,
      [deliveries.map((d) => d.id)],
    );
    const sent = customers.map((igsid) => graph.sentTo(igsid).length);
    console.log(
      `[reference multi-instance] jobs: ${deliveries.length} deliveries, process jobs: ${jobs.length} (runs per delivery: ${deliveries.map((d) => d.attempts).join(',')}); replies per customer: ${sent.join(',')}`,
    );
    // `attempts` counts each run of the processing (one UPDATE per run).
    expect(deliveries.filter((d) => d.attempts !== 1)).toEqual([]);
    expect(jobs).toHaveLength(JOB_DMS);
    expect(jobs.filter((j) => j.state !== 'completed' || j.retry_count !== 0)).toEqual([]);
    expect(sent.every((n) => n === 1)).toBe(true);
  }, 180_000);

  it(`answers ${USERS * MESSAGES_PER_USER} commands from ${USERS} users once each, spread round-robin`, async () => {
    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => newUser(`Load ${i}`)));
    const before = [...balancer.delivered];
    const started = Date.now();
    // Each user's messages one after another (as a person types), users in parallel.
    await Promise.all(
      users.map(async (user) => {
        for (let m = 0; m < MESSAGES_PER_USER; m++) await client.sendMessage(user.id, '/help');
      }),
    );
    // Wide: in a full `npm test` the three processes share two cores with every other test.
    await settled(400_000);
    const seconds = (Date.now() - started) / 1000;
    const transcripts = await Promise.all(users.map((user) => botTexts(user.id)));
    const counts = transcripts.map((texts) => texts.length);
    const helpCounts = transcripts.map(
      (texts) => texts.filter((t) => t.startsWith('Available commands:')).length,
    );
    const perInstance = balancer.delivered.map((n, i) => n - before[i]!);
    const lost = counts.filter((n) => n < MESSAGES_PER_USER).length;
    const extra = counts.filter((n) => n > MESSAGES_PER_USER).length;
    console.log(
      `[reference multi-instance] replies: ${USERS * MESSAGES_PER_USER} updates from ${USERS} users; delivered to A/B/C: ${perInstance.join('/')}; ` +
        `users missing a reply: ${lost}; users with an extra reply: ${extra}; ${seconds.toFixed(1)} s from the first send to settled`,
    );
    expect(perInstance.every((n) => n > 0)).toBe(true);
    expect(counts.every((n) => n === MESSAGES_PER_USER)).toBe(true);
    expect(helpCounts.every((n) => n === MESSAGES_PER_USER)).toBe(true);
  }, 600_000);

  it('does not spend past a budget with concurrent LLM calls on the three', async () => {
    const igsid = newIgsid();
    // The customer's daily budget across plugins (an override, as an admin sets one).
    await pool.query(
      `INSERT INTO core_llm_budgets (plugin, user_id, daily_tokens, updated_at) VALUES ('*', $1, $2, now())`,
      [igsid, BUDGET],
    );
    // Nothing else calls the model during this step: the fake's log counts this customer's calls.
    const callsBefore = openai.chatRequests.length;
    const logsBefore = instances.map((instance) => instance.output().length);
    const { rows: clock } = await pool.query<{ at: Date }>('SELECT now() AS at');
    const statuses = await Promise.all(
      Array.from({ length: BUDGET_DMS }, (_, i) =>
        senderTo(i % instances.length)
          .message(igsid, `Question ${i}: do you ship to Porto?`)
          .then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    // A reply the budget refuses (spent, or held by another call) is no fault: its DM is handled
    // without one, the thread goes to a person, and nothing is retried. So every delivery is
    // processed in one run; once no Instagram job of this step is left (the summary job may call
    // the model too), every admitted call has settled.
    const deliveries = await poll(
      'every delivery processed and no Instagram job of this step left',
      async () => {
        const { rows } = await pool.query<{ status: string; attempts: number }>(
          `SELECT d.status, d.attempts FROM instagram_deliveries d
            WHERE EXISTS (SELECT 1 FROM instagram_events e WHERE e.delivery_id = d.id AND e.igsid = $1)`,
          [igsid],
        );
        const { rows: open } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM botloom_jobs.job
            WHERE name LIKE 'instagram.%' AND created_on >= $1 AND state IN ('created', 'retry', 'active')`,
          [clock[0]!.at],
        );
        return (
          rows.length === BUDGET_DMS &&
          rows.every((r) => r.status === 'processed') &&
          open[0]!.n === 0 &&
          rows
        );
      },
      300_000,
    );
    expect(deliveries.filter((d) => d.attempts !== 1)).toEqual([]);
    const { rows: threads } = await pool.query<{ status: string; handoff_reason: string | null }>(
      `SELECT c.status, c.handoff_reason FROM instagram_conversations c WHERE c.thread_id = $1`,
      [igsid],
    );
    expect(threads).toEqual([{ status: 'handoff', handoff_reason: 'budget' }]);
    const logs = instances.map((instance, i) => instance.output().slice(logsBefore[i]));
    expect(logs.filter((log) => /job failed/.test(log))).toEqual([]);
    expect(logs.some((log) => /refused by the LLM budget/.test(log))).toBe(true);
    const { rows } = await pool.query<{ used: number }>(
      `SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0)::int AS used FROM core_llm_usage WHERE user_id = $1`,
      [igsid],
    );
    const { used } = rows[0]!;
    const calls = openai.chatRequests.slice(callsBefore).filter((r) => r.status === 200).length;
    console.log(
      `[reference multi-instance] budget: ${BUDGET_DMS} DMs of one customer over 3 instances (2 LLM calls each wanted); ${calls} calls reached the model, ${used} of ${BUDGET} tokens spent`,
    );
    expect(calls).toBeGreaterThan(0);
    expect(used).toBe(calls * 100);
    expect(used).toBeLessThanOrEqual(BUDGET);
  }, 360_000);
});
