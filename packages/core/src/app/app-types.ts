import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import type { BotRuntime } from '../bot/bot-runtime.js';
import type { FloodControlOptions } from '../bot/outgoing-api.js';
import type { CoreConfig } from '../config/core-config.js';
import type { AppConfigInput } from '../config/resolve-config.js';
import type { SettingRow } from '../config/settings.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Migrator } from '../db/migrator.js';
import type { ServiceOverride } from '../di/service-overrides.js';
import type { Resolve } from '../di/tokens.js';
import type { AdminTokenService } from '../http/admin-tokens.js';
import type { AdminUserService } from '../http/admin-users.js';
import type { Metrics } from '../http/metrics.js';
import type { HttpServer } from '../http/server.js';
import type { AnyPlugin, HealthStatus } from '../plugin/types.js';
import type { SandboxFactory, SandboxHandle } from './sandbox-seam.js';

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
  /**
   * In a terminal (pretty logs), log only warnings and above until the app calls
   * `endQuietBoot(app.logger)`, typically after printing its own banner. Default false.
   */
  quietBoot?: boolean;
  /** Install SIGINT/SIGTERM handlers that stop the app (CLI and apps: yes; tests: no). Default false. */
  handleSignals?: boolean;
  /**
   * Sandbox mode (no TELEGRAM_BOT_TOKEN): the emulator to start. Default: core's sandbox
   * (`startSandbox` from `@botloom/core/sandbox`).
   * `false` runs without a bot at all (HTTP, jobs and plugins only).
   */
  sandbox?: SandboxFactory | false;
  /** Services that replace core's, in the root and in every plugin's container (test doubles). */
  serviceOverrides?: readonly ServiceOverride<any>[];
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
  /** What a plugin's `services.init` returned (after start). */
  services<T = unknown>(pluginId: string): T;
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
  adminUsers: AdminUserService;
  close(): Promise<void>;
}
