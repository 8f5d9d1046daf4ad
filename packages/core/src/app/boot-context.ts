import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import type { BotRuntime } from '../bot/bot-runtime.js';
import type { CoreConfig } from '../config/core-config.js';
import type { Crypto } from '../crypto/types.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Migrator } from '../db/migrator.js';
import type { StartableErrorReporter } from '../errors/sentry-reporter.js';
import type { ManagedFileStorage } from '../files/file-storage.js';
import type { Metrics } from '../http/metrics.js';
import type { HttpServer } from '../http/server.js';
import type { BotI18n } from '../i18n/create-i18n.js';
import type { UpdateInboxService } from '../inbox/update-inbox-service.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { KvFactory } from '../kv/kv-factory.js';
import type { AiServices } from '../llm/ai-services.js';
import type { LogBuffer } from '../logger/log-buffer.js';
import type { Realtime } from '../realtime/realtime.js';
import type { SignalService } from '../signals/index.js';
import type { App, CreateAppOptions } from './app-types.js';
import type { PluginRuntime } from './plugin-runtime.js';
import type { SandboxHandle } from './sandbox-seam.js';

/** What the boot steps have brought up so far; each is set by exactly one step. */
export interface Running {
  crypto?: Crypto;
  database?: DatabaseHandle;
  kv?: KvFactory;
  signals?: SignalService;
  realtime?: Realtime;
  jobs?: JobQueue;
  files?: ManagedFileStorage;
  ai?: AiServices;
  i18n?: BotI18n;
  sandbox?: SandboxHandle;
  bot?: BotRuntime;
  inbox?: UpdateInboxService;
  http?: HttpServer;
  url?: string;
}

/** What every boot step may use: the validated settings, the app's shared parts and its state. */
export interface BootContext {
  options: CreateAppOptions;
  config: CoreConfig;
  logger: Logger;
  metrics: Metrics;
  errorReporter: StartableErrorReporter;
  root: DependencyContainer;
  runtimes: readonly PluginRuntime[];
  running: Running;
  dataDir: string;
  /** Recent log lines for the admin panel's Logs page. */
  logBuffer: LogBuffer;
  migratorFor(database: DatabaseHandle): Migrator;
  openDb(): Promise<DatabaseHandle>;
  /** The app being booted (for its health, settings, state and stop). */
  app(): App;
}
