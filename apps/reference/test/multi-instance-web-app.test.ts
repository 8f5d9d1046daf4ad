import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BotApiEmulator, createBotApiEmulator, SandboxClient } from '@botloom/core/sandbox';
import { createTestDatabase, type TestDatabase } from '@botloom/core/testing';
import { signInitData } from '@botloom/plugin-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { prepareSandboxDesk, SANDBOX_DESK } from '../src/sandbox-desk.js';

/**
 * Two processes of the reference app (every plugin) in webhook mode on one PostgreSQL (and
 * Redis when TEST_REDIS_URL is set) and one Bot API emulator. The customer's support web app
 * is open on instance A; Telegram (the emulator) delivers the manager's reply in the ticket's
 * topic to instance B only, and B handles it (A never polls the inbox, see below). The reply
 * must reach the web app on A, not fall back to the bot chat.
 */
const serverDatabase = Boolean(process.env.TEST_DATABASE_URL);
const redisUrl = process.env.TEST_REDIS_URL;
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'reference-multi-secret';

interface Instance {
  process: ChildProcess;
  url: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let db: TestDatabase;
let emulator: BotApiEmulator;
/** The sandbox desk's manager group, as the emulator numbered it. */
let groupId: number;
const dirs: string[] = [];
const instances: Instance[] = [];

function startInstance(options: {
  port: number;
  webhookUrl: string;
  pollIntervalMs: number;
  dataDir: string;
  key: string;
}) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=botloom-source', 'src/main.ts'], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      ...(redisUrl ? { KV_URL: redisUrl } : {}),
      BOTLOOM_DATA_DIR: options.dataDir,
      ENCRYPTION_KEY: options.key,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      WEBHOOK_URL: options.webhookUrl,
      WEBHOOK_SECRET: SECRET,
      MANAGER_GROUP_CHAT_ID: String(groupId),
      ADMIN_USER_ID: String(SANDBOX_DESK.manager.id),
      INBOX_POLL_INTERVAL_MS: String(options.pollIntervalMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise<Instance>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /HTTP:\s+(http:\/\/\S+)/.exec(output);
      if (match && output.includes('Stop with Ctrl+C')) resolve({ process: child, url: match[1]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) =>
      reject(new Error(`the reference app exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
}

/** The web app's socket with every event it received. */
async function openWebApp(baseUrl: string, initData: string) {
  const events: any[] = [];
  const waiters: Array<() => void> = [];
  const ws = new WebSocket(
    `${baseUrl.replace(/^http/, 'ws')}/p/support/ws?initData=${encodeURIComponent(initData)}`,
  );
  ws.on('message', (raw) => {
    events.push(JSON.parse(String(raw)));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    send: (event: unknown) => ws.send(JSON.stringify(event)),
    async waitFor(test: (e: any) => boolean, timeoutMs = 60_000): Promise<any> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(test);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no such web app event; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    },
    close: () => ws.close(),
  };
}

describe.skipIf(!serverDatabase)('two reference-app processes: web app on A, manager reply on B', () => {
  beforeAll(async () => {
    db = await createTestDatabase('botloom_reference_multi');
    emulator = createBotApiEmulator();
    await emulator.listen(0, '127.0.0.1');
    groupId = (await prepareSandboxDesk(emulator.apiRoot)).managerGroupChatId;
    const key = randomBytes(32).toString('hex');
    const portB = await freePort();
    // Telegram's webhook points at B alone: every update of the emulator arrives there.
    const webhookUrl = `http://127.0.0.1:${portB}/telegram/webhook`;
    for (const [i, port, pollIntervalMs] of [
      // A takes no webhook and polls the shared inbox only once an hour: B handles every update.
      [0, 0, 3_600_000],
      [1, portB, 1000],
    ] as const) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `botloom-ref-multi-${i}-`));
      dirs.push(dataDir);
      // One after another: the first runs the migrations.
      instances.push(await startInstance({ port, webhookUrl, pollIntervalMs, dataDir, key }));
    }
  }, 300_000);

  afterAll(async () => {
    for (const instance of instances) {
      if (instance.process.exitCode === null && instance.process.signalCode === null)
        instance.process.kill('SIGKILL');
    }
    await emulator?.close();
    await db?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("shows the manager's topic reply, handled by B, in the web app open on A", async () => {
    const [a] = instances;
    const client = new SandboxClient(emulator.apiRoot);
    const customer = (await client.listUsers()).find(
      (u) => u.first_name === SANDBOX_DESK.customer.first_name,
    )!;
    const initData = signInitData(emulator.token, {
      user: { id: customer.id, first_name: customer.first_name, language_code: 'en' },
    });
    // The customer's bot chat exists (they wrote /start), so a fallback to it would show.
    await client.sendMessage(customer.id, '/start');
    await client.waitForBotMessage(customer.id, { timeoutMs: 60_000 });
    const webApp = await openWebApp(a!.url, initData);
    try {
      await webApp.waitFor((e) => e.type === 'history');
      // The customer asks for a person in the web app on A: a ticket and its topic are created.
      webApp.send({ type: 'call_manager' });
      const intro = await client.waitForBotMessage(groupId, { timeoutMs: 60_000 });
      const threadId = intro.message_thread_id!;
      expect(threadId).toBeGreaterThan(0);

      // The manager answers in the topic: the emulator delivers it to B's webhook.
      await client.sendMessage(SANDBOX_DESK.manager.id, 'Hello from the desk, via B', {
        chatId: groupId,
        threadId,
      });
      const shown = await webApp.waitFor(
        (e) => e.type === 'message' && e.message?.text === 'Hello from the desk, via B',
      );
      expect(shown.message).toMatchObject({ author: 'manager' });
      // B knew the web app was open on A: nothing went to the customer's bot chat.
      const botChat = await client.transcript(customer.id);
      expect(botChat.map((m) => m.text)).not.toContain('Hello from the desk, via B');
    } finally {
      webApp.close();
    }
  }, 180_000);
});
