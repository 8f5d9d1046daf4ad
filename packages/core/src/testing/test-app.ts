import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type App, createApp } from '../app/create-app.js';
import type { SandboxFactory } from '../app/sandbox-seam.js';
import type { FloodControlOptions } from '../bot/outgoing-api.js';
import type { AppConfigInput } from '../config/resolve-config.js';
import type { ServiceOverride } from '../di/service-overrides.js';
import { AdminTokenService } from '../http/admin-tokens.js';
import { UPDATE_INBOX_TABLE } from '../inbox/migrations.js';
import type { Llm } from '../llm/types.js';
import type { AnyPlugin } from '../plugin/types.js';
import { SandboxClient, type SandboxUser } from '../sandbox/client.js';
import type { BotApiEmulator } from '../sandbox/emulator.js';
import { createSandbox } from '../sandbox/sandbox.js';
import { Tokens } from '../tokens.js';
import type { EmbeddingsProvider, VectorStore } from '../vector/types.js';
import { type FakeOpenAI, type FakeOpenAIOptions, startFakeOpenAI } from './fake-openai.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** Fast but still ordered: the emulator answers instantly and applies no limits of its own. */
const TEST_FLOOD_CONTROL: FloodControlOptions = {
  globalPerSecond: 1000,
  perChatIntervalMs: 0,
  groupPerMinute: 6000,
};

/** Core services a test app uses instead of its own (every plugin resolves these). */
export interface TestAppServices {
  /** Replaces `Tokens.Llm` for core and for every plugin (e.g. a `ScriptedLlm`). */
  llm?: Llm;
  /** Replaces `Tokens.VectorStore` (e.g. an `InMemoryVectorStore`). */
  vectorStore?: VectorStore;
  /** Replaces `Tokens.Embeddings`. */
  embeddings?: EmbeddingsProvider;
}

export interface StartTestAppOptions {
  plugins: readonly AnyPlugin[];
  /** Settings in code (core keys and `plugins: { <id>: {...} }`). */
  config?: AppConfigInput;
  /** Environment the app reads instead of `process.env` (default: empty, so tests are hermetic). */
  env?: Record<string, string | undefined>;
  /**
   * Start the fake OpenAI-compatible server and point OPENAI_BASE_URL at it. Default: off, so
   * the app runs the offline LLM provider.
   */
  openai?: boolean | FakeOpenAIOptions;
  /**
   * Outgoing flood control of the app. Default: a fast profile (no per-chat spacing, generous
   * group limit), since the emulator does not rate-limit unless asked; pass `{}` to test with
   * Telegram's real limits.
   */
  floodControl?: FloodControlOptions | false;
  /** Bot API emulator options (faults, flood limits, bot profile). */
  sandbox?: { bot?: { first_name?: string; username?: string } };
  /** Test doubles for core services; plugins resolve them instead of the app's own. */
  services?: TestAppServices;
  /**
   * Any core token and its replacement (`serviceOverride(Tokens.Kv, kv)`), applied after
   * `services`; plugin-scoped tokens are replaced in every plugin's container.
   */
  serviceOverrides?: readonly ServiceOverride<any>[];
}

function overridesOf(options: StartTestAppOptions): ServiceOverride<any>[] {
  const services = options.services ?? {};
  const named: ServiceOverride<any>[] = [];
  if (services.llm) named.push([Tokens.Llm, services.llm]);
  if (services.vectorStore) named.push([Tokens.VectorStore, services.vectorStore]);
  if (services.embeddings) named.push([Tokens.Embeddings, services.embeddings]);
  return [...named, ...(options.serviceOverrides ?? [])];
}

export interface AdminResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** fetch with the bearer token of one role; bodies are JSON. */
export interface AdminClient {
  get<T = any>(path: string): Promise<AdminResponse<T>>;
  post<T = any>(path: string, body?: unknown): Promise<AdminResponse<T>>;
  put<T = any>(path: string, body?: unknown): Promise<AdminResponse<T>>;
  patch<T = any>(path: string, body?: unknown): Promise<AdminResponse<T>>;
  delete<T = any>(path: string): Promise<AdminResponse<T>>;
}

export interface TestApp {
  app: App;
  /** The app's HTTP server, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Control API client of the emulator the bot talks to. */
  sandbox: SandboxClient;
  emulator: BotApiEmulator;
  /** Present when `openai` was requested. */
  openai?: FakeOpenAI;
  database: TestDatabase;
  adminToken: string;
  viewerToken: string;
  /** Requests with the admin token (role `admin`). */
  admin: AdminClient;
  /** Requests with the viewer token (role `viewer`). */
  viewer: AdminClient;
  /** A sandbox person by key (`'alice'`), created on first use; the same object per key. */
  user(
    key: string,
    profile?: { first_name?: string; last_name?: string; language_code?: string },
  ): SandboxUser;
  /**
   * Resolves once every update sent so far has been fetched by the bot and fully handled
   * (the inbox has nothing pending or leased), so state written after a reply is in place.
   */
  settled(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops the app, the emulator and the fake OpenAI server, and drops the database. */
  stop(): Promise<void>;
}

function adminClient(baseUrl: string, token: string): AdminClient {
  const call = async (method: string, urlPath: string, body?: unknown): Promise<AdminResponse> => {
    const response = await fetch(`${baseUrl}${urlPath}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    put: (p, b) => call('PUT', p, b),
    patch: (p, b) => call('PATCH', p, b),
    delete: (p) => call('DELETE', p),
  };
}

async function waitUntilSettled(app: App, emulator: BotApiEmulator, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const sequelize = app.database!.sequelize;
  for (;;) {
    if (emulator.world.updates.pendingCount === 0) {
      const [rows] = await sequelize.query(
        `SELECT count(*)::int AS open FROM ${UPDATE_INBOX_TABLE} WHERE status IN ('pending', 'leased')`,
      );
      if ((rows as Array<{ open: number }>)[0]?.open === 0 && emulator.world.updates.pendingCount === 0)
        return;
    }
    if (Date.now() > deadline) throw new Error(`settled(): updates still unhandled after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Boots a whole Botloom app for one test file: a fresh PostgreSQL database, the Bot API
 * emulator in place of Telegram, the offline LLM (or the fake OpenAI server), the HTTP server
 * on a free port and two admin tokens. Call `stop()` in afterAll.
 */
export async function startTestApp(options: StartTestAppOptions): Promise<TestApp> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botloom-test-app-'));
  let openai: FakeOpenAI | undefined;
  let app: App | undefined;
  let emulator: BotApiEmulator | undefined;
  const cleanup = async () => {
    await app?.stop().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    await openai?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (options.openai) {
      openai = await startFakeOpenAI(options.openai === true ? {} : options.openai);
    }
    const sandboxFactory: SandboxFactory = async ({ logger }) => {
      const sandbox = await createSandbox({ logger, bot: options.sandbox?.bot });
      emulator = sandbox.emulator;
      return {
        token: sandbox.token,
        apiRoot: sandbox.apiRoot,
        routes: [{ prefix: sandbox.prefix, middleware: sandbox.koaMiddleware, owner: 'sandbox' }],
        urls: { botApi: sandbox.apiRoot },
        stop: () => sandbox.close(),
      };
    };
    app = createApp({
      plugins: options.plugins,
      env: options.env ?? {},
      dotenv: false,
      handleSignals: false,
      sandbox: sandboxFactory,
      floodControl: options.floodControl ?? TEST_FLOOD_CONTROL,
      serviceOverrides: overridesOf(options),
      config: {
        NODE_ENV: 'test',
        LOG_LEVEL: (process.env.TEST_LOG_LEVEL as never) ?? 'silent',
        PORT: 0,
        HOST: '127.0.0.1',
        BOTLOOM_DATA_DIR: dataDir,
        ...(openai ? { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'sk-test-fake' } : {}),
        ...options.config,
        DATABASE_URL: options.config?.DATABASE_URL ?? database.url,
      },
    });
    await app.start();
    if (!emulator)
      throw new Error('startTestApp: the app did not start the sandbox (is TELEGRAM_BOT_TOKEN set?)');
    const url = app.url!;
    const tokens = new AdminTokenService(app.database!.sequelize);
    const adminToken = (await tokens.create({ name: 'test-admin', role: 'admin' })).token;
    const viewerToken = (await tokens.create({ name: 'test-viewer', role: 'viewer' })).token;
    const sandbox = new SandboxClient(emulator.url);
    const users = new Map<string, SandboxUser>();
    const startedApp = app;
    const startedEmulator = emulator;
    return {
      app: startedApp,
      url,
      sandbox,
      emulator: startedEmulator,
      openai,
      database,
      adminToken,
      viewerToken,
      admin: adminClient(url, adminToken),
      viewer: adminClient(url, viewerToken),
      user(key, profile) {
        let user = users.get(key);
        if (!user) {
          user = sandbox.user(key, profile);
          users.set(key, user);
        }
        return user;
      },
      settled: ({ timeoutMs = 60_000 } = {}) => waitUntilSettled(startedApp, startedEmulator, timeoutMs),
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
