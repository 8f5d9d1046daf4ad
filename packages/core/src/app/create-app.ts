import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { type BotRuntime, createBotRuntime } from '../bot/bot-runtime.js';
import type { FloodControlOptions } from '../bot/outgoing-api.js';
import type { CoreConfig } from '../config/core-config.js';
import { loadEnvSources } from '../config/env-sources.js';
import { type AppConfigInput, resolveCoreConfig, resolvePluginConfig } from '../config/resolve-config.js';
import type { SettingRow } from '../config/settings.js';
import { createAesGcmCrypto } from '../crypto/aes-gcm.js';
import { loadEncryptionKey } from '../crypto/encryption-key.js';
import type { Crypto } from '../crypto/types.js';
import { coreMigrations } from '../db/core-migrations.js';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { Migrator } from '../db/migrator.js';
import { createRootContainer, ExposedTokens, registerWhenAvailable } from '../di/container.js';
import { type Resolve, resolverFor } from '../di/tokens.js';
import { BootError, BotloomError } from '../errors/botloom-error.js';
import { createEventBus } from '../events/event-bus.js';
import type { EventBus } from '../events/types.js';
import { createFileStorage, type ManagedFileStorage } from '../files/file-storage.js';
import { AdminTokenService } from '../http/admin-tokens.js';
import { createMetrics, type Metrics } from '../http/metrics.js';
import { createHttpServer, type HttpServer, type RouteSetup } from '../http/server.js';
import { type BotI18n, createI18n } from '../i18n/create-i18n.js';
import { createUpdateInboxService, type UpdateInboxService } from '../inbox/update-inbox-service.js';
import { JobQueue } from '../jobs/job-queue.js';
import { createKvFactory, type KvFactory } from '../kv/kv-factory.js';
import { llmAdminRoutes } from '../llm/admin-routes.js';
import { type AiServices, createAiServices } from '../llm/ai-services.js';
import { createLogger, pluginLogger } from '../logger/logger.js';
import { type BootProblem, bootErrorFrom } from '../plugin/boot-problems.js';
import { loadPlugins } from '../plugin/loader.js';
import type { AnyPlugin, HealthStatus, PluginContextBase } from '../plugin/types.js';
import { startSandbox } from '../sandbox/index.js';
import { Tokens } from '../tokens.js';
import { CORE_VERSION } from '../version.js';
import { Deadline } from './deadline.js';
import type { SandboxFactory, SandboxHandle } from './sandbox-seam.js';
import { installSignalHandlers } from './signals.js';

export interface CreateAppOptions {
  /** Plugin manifests (from `definePlugin`), in any order: load order comes from `dependsOn`. */
  plugins: readonly AnyPlugin[];
  /**
   * Outgoing flood control. The default keeps under Telegram's limits (30/s overall, 1/s per
   * chat, 20/min per group); `startTestApp` passes a faster profile for the emulator.
   */
  floodControl?: FloodControlOptions | false;
  /** Settings in code; they override the environment and `.env`. */
  config?: AppConfigInput;
  /** Environment to read instead of `process.env` (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** Base for `.env` and a relative BOTLOOM_DATA_DIR; default `process.cwd()`. */
  cwd?: string;
  /** `false` skips `.env`; a path reads that file; default `<cwd>/.env`. */
  dotenv?: boolean | string;
  /** A logger to use instead of creating one from LOG_LEVEL. */
  logger?: Logger;
  /** Install SIGINT/SIGTERM handlers that stop the app (CLI and apps: yes; tests: no). Default false. */
  handleSignals?: boolean;
  /**
   * Sandbox mode (no TELEGRAM_BOT_TOKEN): the emulator to start. Default: core's sandbox
   * (`startSandbox` from `@botloom/core/sandbox`).
   * `false` runs without a bot at all (HTTP, jobs and plugins only).
   */
  sandbox?: SandboxFactory | false;
}

export type AppState = 'created' | 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';

export interface PluginInfo {
  id: string;
  version: string;
  dependsOn: string[];
  commands: string[];
  migrations: string[];
  jobs: string[];
  events: string[];
}

export interface App {
  readonly state: AppState;
  /** Validated core settings. */
  readonly config: CoreConfig;
  readonly logger: Logger;
  /** Root DI container (core services and what plugins expose). */
  readonly container: DependencyContainer;
  /** Plugins in load (dependency) order. */
  readonly plugins: readonly AnyPlugin[];
  readonly metrics: Metrics;
  /** Base URL of the HTTP server once started, e.g. `http://127.0.0.1:3000`. */
  readonly url: string | undefined;
  readonly httpServer: HttpServer | undefined;
  readonly bot: BotRuntime | undefined;
  readonly database: DatabaseHandle | undefined;
  readonly sandbox: SandboxHandle | undefined;
  /** Absolute data directory. */
  readonly dataDir: string;
  /** Every setting of core and plugins, secrets masked. */
  settings(): SettingRow[];
  /** A plugin's validated settings. */
  pluginConfig<T = unknown>(pluginId: string): T;
  pluginInfo(): PluginInfo[];
  /** Each plugin's `health()` (plugins without one report ok). */
  health(): Promise<Record<string, HealthStatus>>;
  /** Resolve a service from a plugin's container (or the root with 'core'). */
  resolver(pluginId?: string): Resolve;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Opens only the database (for CLI tasks: migrations, admin tokens). Close it when done. */
  openMaintenance(): Promise<Maintenance>;
}

export interface Maintenance {
  database: DatabaseHandle;
  migrator: Migrator;
  adminTokens: AdminTokenService;
  close(): Promise<void>;
}

interface PluginRuntime {
  manifest: AnyPlugin;
  id: string;
  config: unknown;
  logger: Logger;
  container: DependencyContainer;
  resolve: Resolve;
  context: PluginContextBase<any>;
}

interface Running {
  sandbox?: SandboxHandle;
  database?: DatabaseHandle;
  kv?: KvFactory;
  jobs?: JobQueue;
  ai?: AiServices;
  files?: ManagedFileStorage;
  i18n?: BotI18n;
  bot?: BotRuntime;
  inbox?: UpdateInboxService;
  http?: HttpServer;
  url?: string;
  crypto?: Crypto;
  started: PluginRuntime[];
  removeSignalHandlers?: () => void;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Wraps an error from a plugin hook as a BootError that names the plugin and the hook. */
function pluginBootError(pluginId: string, hook: string, err: unknown): BootError {
  if (err instanceof BootError && (err.details as { problems?: unknown })?.problems) return err;
  const code = err instanceof BotloomError ? err.code : 'PLUGIN_FAILED';
  return bootErrorFrom([{ code, plugin: pluginId, message: `${hook}() failed: ${errorMessage(err)}` }]);
}

/** The webhook secret: WEBHOOK_SECRET, or one derived from the bot token (stable across instances). */
function webhookSecret(config: CoreConfig, token: string): string {
  return config.WEBHOOK_SECRET ?? createHmac('sha256', token).update('botloom-webhook').digest('hex');
}

/**
 * Composes plugins into an app. Validates every manifest, the dependency graph and every
 * setting of core and of every plugin up front, throwing ONE BootError that lists all
 * problems. Nothing starts until `start()`.
 */
export function createApp(options: CreateAppOptions): App {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const sources = loadEnvSources({ cwd, env: options.env, dotenv: options.dotenv });
  const problems: BootProblem[] = [];

  const core = resolveCoreConfig(sources, options.config ?? {});
  problems.push(...core.problems);
  const loaded = loadPlugins(options.plugins, { coreVersion: CORE_VERSION });
  problems.push(...loaded.problems);

  const pluginConfigs = new Map<string, unknown>();
  const settingRows: SettingRow[] = [...core.rows];
  const overrides = options.config?.plugins ?? {};
  for (const id of Object.keys(overrides)) {
    if (!options.plugins.some((p) => p?.id === id)) {
      problems.push({
        code: 'INVALID_CONFIG',
        plugin: id,
        message: 'settings are given for a plugin the app does not load',
      });
    }
  }
  for (const plugin of loaded.ordered) {
    const result = resolvePluginConfig(plugin, sources, overrides[plugin.id]);
    problems.push(...result.problems);
    settingRows.push(...result.rows);
    pluginConfigs.set(plugin.id, result.value);
  }
  if (core.value?.NODE_ENV === 'production' && !core.value.ENCRYPTION_KEY) {
    problems.push({
      code: 'INVALID_CONFIG',
      plugin: 'core',
      message: 'ENCRYPTION_KEY: required in production',
    });
  }
  if (problems.length) throw bootErrorFrom(problems);

  const config = core.value!;
  const plugins = loaded.ordered;
  const dataDir = path.resolve(cwd, config.BOTLOOM_DATA_DIR);
  const logger =
    options.logger ??
    createLogger({
      level: config.LOG_LEVEL,
      production: config.NODE_ENV === 'production',
      secrets: [
        config.TELEGRAM_BOT_TOKEN,
        config.OPENAI_API_KEY,
        config.ENCRYPTION_KEY,
        config.WEBHOOK_SECRET,
        config.BOTLOOM_ADMIN_TOKEN,
        config.S3_SECRET_ACCESS_KEY,
      ],
    });
  const metrics = createMetrics({ defaultMetrics: config.NODE_ENV !== 'test' });
  const root = createRootContainer();
  const events: EventBus = createEventBus({
    logger: logger.child({ component: 'events' }),
    declaredEvents: plugins.flatMap((p) => p.events ?? []),
  });
  const running: Running = { started: [] };
  let state: AppState = 'created';
  let runtimes: PluginRuntime[] = [];
  let startPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;

  // Core services. The ones that exist only after start() fail clearly when resolved earlier.
  root.register(Tokens.CoreConfig, { useValue: config });
  root.register(Tokens.Logger, { useValue: logger });
  root.register(Tokens.Events, { useValue: events });
  registerWhenAvailable(root, Tokens.Database, () => running.database?.sequelize);
  registerWhenAvailable(root, Tokens.Crypto, () => running.crypto);
  registerWhenAvailable(root, Tokens.TelegramApi, () => running.bot?.api);
  registerWhenAvailable(root, Tokens.I18n, () => running.i18n?.translator);
  registerWhenAvailable(root, Tokens.Files, () => running.files);
  registerWhenAvailable(root, Tokens.Embeddings, () => running.ai?.embeddings);
  registerWhenAvailable(root, Tokens.VectorStore, () => running.ai?.vectorStore);
  registerWhenAvailable(root, Tokens.LlmUsage, () => running.ai?.usage);
  registerWhenAvailable(root, Tokens.Kv, () => running.kv?.namespace('core'));
  registerWhenAvailable(root, Tokens.Jobs, () => running.jobs?.forPlugin('core'));
  registerWhenAvailable(root, Tokens.Llm, () => running.ai?.llmFor('core'));

  const exposed = new ExposedTokens();

  function createPluginRuntime(manifest: AnyPlugin): PluginRuntime {
    const id = manifest.id;
    const child = root.createChildContainer();
    const log = pluginLogger(logger, id);
    const pluginConfig = pluginConfigs.get(id);
    const resolve = resolverFor(child, id);
    child.register(Tokens.Logger, { useValue: log });
    child.register(Tokens.PluginConfig, { useValue: pluginConfig });
    registerWhenAvailable(child, Tokens.Kv, () => running.kv?.namespace(id));
    registerWhenAvailable(child, Tokens.Jobs, () => running.jobs?.forPlugin(id));
    registerWhenAvailable(child, Tokens.Llm, () => running.ai?.llmFor(id));
    return {
      manifest,
      id,
      config: pluginConfig,
      logger: log,
      container: child,
      resolve,
      context: { plugin: { id, version: manifest.version }, config: pluginConfig, logger: log, resolve },
    };
  }

  async function registerPlugins(): Promise<void> {
    runtimes = plugins.map(createPluginRuntime);
    const failures: BootProblem[] = [];
    for (const runtime of runtimes) {
      if (!runtime.manifest.register) continue;
      try {
        await runtime.manifest.register({
          ...runtime.context,
          container: runtime.container,
          expose: (token, factory) => exposed.expose(root, runtime, token, factory),
        });
      } catch (err) {
        failures.push({
          code: err instanceof BotloomError ? err.code : 'PLUGIN_FAILED',
          plugin: runtime.id,
          message: `register() failed: ${errorMessage(err)}`,
        });
      }
    }
    if (failures.length) throw bootErrorFrom(failures);
  }

  function migrationSources() {
    return [
      { pluginId: 'core', migrations: coreMigrations },
      ...plugins.map((p) => ({ pluginId: p.id, migrations: p.migrations ?? [] })),
    ];
  }

  async function openDb(): Promise<DatabaseHandle> {
    return openDatabase({
      url: config.DATABASE_URL,
      dataDir,
      logger: logger.child({ component: 'database' }),
    });
  }

  async function runMigrations(database: DatabaseHandle): Promise<void> {
    const migrator = new Migrator({
      sequelize: database.sequelize,
      logger: logger.child({ component: 'migrations' }),
      sources: migrationSources(),
    });
    if (config.BOTLOOM_AUTO_MIGRATE) {
      const executed = await migrator.up();
      if (executed.length) logger.info({ migrations: executed }, `applied ${executed.length} migration(s)`);
      return;
    }
    const pending = await migrator.pending();
    if (pending.length) {
      throw new BootError(
        'PENDING_MIGRATIONS',
        `BOTLOOM_AUTO_MIGRATE=false and ${pending.length} migration(s) are pending (${pending.join(', ')}): run \`botloom migrate\` first`,
      );
    }
  }

  async function startBotRuntime(): Promise<void> {
    let token = config.TELEGRAM_BOT_TOKEN;
    let apiRoot = config.TELEGRAM_API_ROOT;
    if (!token) {
      const factory = options.sandbox ?? startSandbox;
      if (!factory) {
        logger.warn('TELEGRAM_BOT_TOKEN is not set and the sandbox is turned off: the bot does not run');
        return;
      }
      running.sandbox = await factory({ logger: logger.child({ component: 'sandbox' }), config, dataDir });
      token = running.sandbox.token;
      apiRoot = running.sandbox.apiRoot;
      logger.info({ apiRoot }, 'sandbox mode: the bot talks to the local Bot API emulator');
    }
    running.bot = createBotRuntime({
      token,
      apiRoot,
      logger: logger.child({ component: 'bot' }),
      kv: running.kv!,
      i18n: running.i18n!,
      rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
      metrics,
      floodControl: options.floodControl,
      plugins: runtimes.map((runtime) => ({
        id: runtime.id,
        commands: runtime.manifest.commands ?? [],
        setup: runtime.manifest.bot
          ? (composer) => {
              try {
                runtime.manifest.bot!({ ...runtime.context, composer });
              } catch (err) {
                throw pluginBootError(runtime.id, 'bot', err);
              }
            }
          : undefined,
      })),
    });
    running.inbox = createUpdateInboxService({
      databaseUrl: running.database!.url,
      crypto: running.crypto!,
      bot: running.bot,
      logger,
      settings: config,
      metrics,
    });
  }

  async function startHttp(): Promise<void> {
    const adminTokens = new AdminTokenService(running.database!.sequelize);
    if (config.BOTLOOM_ADMIN_TOKEN) {
      const result = await adminTokens.ensureBootstrapToken(config.BOTLOOM_ADMIN_TOKEN);
      if (result.revoked)
        logger.warn('BOTLOOM_ADMIN_TOKEN was revoked through the admin API and no longer works');
    }
    const bot = running.bot;
    try {
      running.http = createHttpServer({
        config,
        logger: logger.child({ component: 'http' }),
        metrics,
        adminTokens,
        plugins: runtimes.map((runtime) => ({
          id: runtime.id,
          admin: runtime.manifest.admin
            ? (routeCtx: RouteSetup) => runtime.manifest.admin!({ ...runtime.context, ...routeCtx })
            : undefined,
          http: runtime.manifest.http
            ? (routeCtx: RouteSetup) => runtime.manifest.http!({ ...runtime.context, ...routeCtx })
            : undefined,
        })),
        coreInfo: {
          plugins: async () => {
            const health = await app.health();
            return app.pluginInfo().map((info) => ({ ...info, health: health[info.id] }));
          },
          settings: async () => app.settings(),
          migrations: async () =>
            new Migrator({
              sequelize: running.database!.sequelize,
              logger: logger.child({ component: 'migrations' }),
              sources: migrationSources(),
            }).status(),
        },
        webhook:
          config.WEBHOOK_URL && bot && config.TELEGRAM_BOT_TOKEN
            ? {
                secret: webhookSecret(config, config.TELEGRAM_BOT_TOKEN),
                handle: (update) => running.inbox!.accept(update),
              }
            : undefined,
        isReady: () => state === 'ready',
        extraRoutes: running.sandbox?.routes,
        adminRoutes: [
          ...(running.ai ? [llmAdminRoutes(running.ai)] : []),
          ...(running.inbox ? [running.inbox.adminRoutes()] : []),
        ],
      });
    } catch (err) {
      if (err instanceof BootError) throw err;
      // Route clashes and other route setup failures are boot errors, never warnings.
      throw bootErrorFrom([
        { code: err instanceof BotloomError ? err.code : 'HTTP_SETUP_FAILED', message: errorMessage(err) },
      ]);
    }
    const { url } = await running.http.listen(config.PORT, config.HOST);
    running.url = url;
  }

  async function startPlugins(): Promise<void> {
    for (const runtime of runtimes) {
      if (runtime.manifest.start) {
        try {
          await runtime.manifest.start(runtime.context);
        } catch (err) {
          throw pluginBootError(runtime.id, 'start', err);
        }
      }
      running.started.push(runtime);
      runtime.logger.debug('started');
    }
  }

  async function startBotIntake(): Promise<void> {
    const bot = running.bot;
    if (!bot) return;
    await bot.init();
    running.inbox!.start();
    if (config.WEBHOOK_URL && config.TELEGRAM_BOT_TOKEN) {
      await bot.api.setWebhook(config.WEBHOOK_URL, {
        secret_token: webhookSecret(config, config.TELEGRAM_BOT_TOKEN),
      });
      logger.info({ webhook: config.WEBHOOK_URL }, 'bot receives updates by webhook');
    } else {
      await running.inbox!.startPolling(bot.api);
      logger.info('bot receives updates by long polling');
    }
  }

  async function doStart(): Promise<void> {
    state = 'starting';
    const started = Date.now();
    try {
      await registerPlugins();
      running.crypto = createAesGcmCrypto(
        await loadEncryptionKey({
          value: config.ENCRYPTION_KEY,
          dataDir,
          production: config.NODE_ENV === 'production',
          logger,
        }),
      );
      running.database = await openDb();
      await runMigrations(running.database);
      running.kv = createKvFactory({ url: config.KV_URL, databaseUrl: running.database.url, logger });
      running.jobs = new JobQueue({ databaseUrl: running.database.url, logger });
      for (const runtime of runtimes) {
        running.jobs.register(runtime.id, runtime.manifest.jobs ?? [], runtime.resolve, runtime.logger);
      }
      const files = createFileStorage({ dataDir, sequelize: running.database.sequelize, logger, config });
      await files.init(); // S3: a missing bucket or rejected credentials stop the boot here
      running.files = files;
      running.ai = createAiServices({
        config,
        sequelize: running.database.sequelize,
        crypto: running.crypto,
        dataDir,
        logger,
        metrics,
      });
      await running.ai.start();
      const ai = running.ai.describe();
      if (ai.offline)
        logger.warn(
          'LLM: no OPENAI_API_KEY or OPENAI_BASE_URL, the offline provider answers (no real model)',
        );
      else
        logger.info(
          { endpoint: ai.endpoint, model: ai.model, embeddings: ai.embeddings },
          'LLM endpoint configured',
        );
      running.i18n = createI18n({
        sources: runtimes
          .filter((r) => r.manifest.locales)
          .map((r) => ({ pluginId: r.id, locales: r.manifest.locales! })),
        logger: logger.child({ component: 'i18n' }),
      });
      await startBotRuntime();
      await startHttp();
      await running.jobs.start();
      await startPlugins();
      await startBotIntake();
      state = 'ready';
      if (options.handleSignals)
        running.removeSignalHandlers = installSignalHandlers(() => app.stop(), logger);
      logger.info(
        {
          url: running.url,
          plugins: plugins.map((p) => p.id),
          sandbox: running.sandbox?.urls,
          ms: Date.now() - started,
        },
        `Botloom is ready: HTTP on ${running.url}`,
      );
    } catch (err) {
      state = 'failed';
      logger.error({ err }, 'boot failed');
      await shutdown(true).catch((closeErr) =>
        logger.error({ err: closeErr }, 'cleanup after failed boot failed'),
      );
      state = 'failed';
      throw err;
    }
  }

  /** Reverse of start; each step is bounded by SHUTDOWN_TIMEOUT_MS overall. */
  async function shutdown(afterFailure = false): Promise<void> {
    const deadline = new Deadline(config.SHUTDOWN_TIMEOUT_MS);
    const step = async (name: string, fn: () => Promise<unknown> | unknown) => {
      try {
        const outcome = await deadline.run(fn);
        if (outcome === 'timeout')
          logger.error({ step: name }, `shutdown step "${name}" exceeded SHUTDOWN_TIMEOUT_MS`);
      } catch (err) {
        logger.error({ err, step: name }, `shutdown step "${name}" failed`);
      }
    };
    running.removeSignalHandlers?.();
    if (running.inbox) await step('update inbox', () => running.inbox!.stop());
    if (running.bot) await step('bot', () => running.bot!.stop());
    for (const runtime of [...running.started].reverse()) {
      if (runtime.manifest.stop)
        await step(`plugin ${runtime.id}`, () => runtime.manifest.stop!(runtime.context));
    }
    running.started = [];
    if (running.jobs) await step('jobs', () => running.jobs!.stop());
    if (running.http) await step('http', () => running.http!.close());
    if (running.sandbox) await step('sandbox', () => running.sandbox!.stop());
    if (running.ai) await step('ai', () => running.ai!.close());
    if (running.files) await step('files', () => running.files!.close());
    if (running.kv) await step('kv', () => running.kv!.close());
    if (running.database) await step('database', () => running.database!.close());
    if (!afterFailure) logger.info('Botloom stopped');
  }

  const app: App = {
    get state() {
      return state;
    },
    config,
    logger,
    container: root,
    plugins,
    metrics,
    dataDir,
    get url() {
      return running.url;
    },
    get httpServer() {
      return running.http;
    },
    get bot() {
      return running.bot;
    },
    get database() {
      return running.database;
    },
    get sandbox() {
      return running.sandbox;
    },
    settings: () => settingRows.map((row) => ({ ...row })),
    pluginConfig: <T>(pluginId: string) => {
      if (!pluginConfigs.has(pluginId))
        throw new BotloomError('UNKNOWN_PLUGIN', `No plugin "${pluginId}" in this app`);
      return pluginConfigs.get(pluginId) as T;
    },
    pluginInfo: () =>
      plugins.map((p) => ({
        id: p.id,
        version: p.version,
        dependsOn: p.dependsOn ?? [],
        commands: (p.commands ?? []).map((c) => c.command),
        migrations: (p.migrations ?? []).map((m) => m.name),
        jobs: (p.jobs ?? []).map((j) => j.name),
        events: p.events ?? [],
      })),
    async health() {
      const result: Record<string, HealthStatus> = {};
      await Promise.all(
        runtimes.map(async (runtime) => {
          if (!runtime.manifest.health) {
            result[runtime.id] = { ok: state === 'ready' };
            return;
          }
          try {
            result[runtime.id] = await runtime.manifest.health(runtime.context);
          } catch (err) {
            result[runtime.id] = { ok: false, details: { error: errorMessage(err) } };
          }
        }),
      );
      return result;
    },
    resolver(pluginId?: string) {
      if (!pluginId || pluginId === 'core') return resolverFor(root, 'core');
      const runtime = runtimes.find((r) => r.id === pluginId);
      if (!runtime) throw new BotloomError('UNKNOWN_PLUGIN', `No started plugin "${pluginId}" in this app`);
      return runtime.resolve;
    },
    start() {
      if (state !== 'created') {
        return (
          startPromise ??
          Promise.reject(new BotloomError('APP_STATE', `Cannot start an app that is ${state}`))
        );
      }
      startPromise = doStart();
      return startPromise;
    },
    stop() {
      if (stopPromise) return stopPromise;
      if (state === 'created' || state === 'failed') {
        state = 'stopped';
        return Promise.resolve();
      }
      stopPromise = (async () => {
        await startPromise?.catch(() => {});
        if ((state as AppState) === 'failed') return;
        state = 'stopping';
        logger.info('stopping: readiness is 503, finishing in-flight updates');
        await shutdown();
        state = 'stopped';
      })();
      return stopPromise;
    },
    async openMaintenance() {
      const database = await openDb();
      return {
        database,
        migrator: new Migrator({
          sequelize: database.sequelize,
          logger: logger.child({ component: 'migrations' }),
          sources: migrationSources(),
        }),
        adminTokens: new AdminTokenService(database.sequelize),
        close: () => database.close(),
      };
    },
  };
  return app;
}
