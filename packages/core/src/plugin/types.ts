import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Router, RouterMiddleware } from '@koa/router';
import type { Command } from 'commander';
import type { Composer } from 'grammy';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { DependencyContainer } from 'tsyringe';
import type { ZodTypeAny, z } from 'zod';
import type { AdminPageDefinition, AdminWidgetDefinition } from '../admin-panel/page-schema.js';
import type { BotContext } from '../bot/context.js';
import type { MigrationDefinition } from '../db/migration-types.js';
import type { Resolve } from '../di/tokens.js';
import type { BotloomEvents } from '../events/types.js';
import type { AdminRole, AdminState } from '../http/types.js';
import type { ResolvedDependencies, ServiceDependency, ServiceRef } from './service-ref.js';

export type { MigrationContext, MigrationDefinition } from '../db/migration-types.js';

/** Text in every language the bot speaks. English is required; Russian is expected. */
export interface LocalizedText {
  en: string;
  ru?: string;
  [locale: string]: string | undefined;
}

export interface CommandDefinition {
  /** Without the slash: `start`, `list_sessions`. Lowercase letters, digits and underscores. */
  command: string;
  description: LocalizedText;
  /** Where Telegram shows it: private chats (default), groups, or both. */
  scope?: 'private' | 'group' | 'all';
  /** Hidden commands work but are not listed in /help or setMyCommands (e.g. manager tools). */
  hidden?: boolean;
  /**
   * For a hidden command: /help lists it to those for whom this says true (e.g. managers).
   * `config` is the plugin's validated settings.
   */
  visibleTo?(who: CommandViewer, config: any): boolean | Promise<boolean>;
}

/** Who asks /help: the user and the chat they ask in. */
export interface CommandViewer {
  userId: number;
  chatId: number;
  chatType: 'private' | 'group' | 'supergroup' | 'channel';
}

/**
 * How a plugin takes part in private chats, where one plugin at a time owns the conversation
 * (core's chat ownership). Texts are Fluent keys of the plugin's locales.
 */
export interface ConversationDeclaration {
  /** A short paragraph /start shows about the plugin. */
  intro?: string;
  /** Its button in the /start main menu (also its name in /help); choosing it makes it the owner. */
  menu?: string;
  /** /start payloads that hand the chat to it: `support` matches exactly, `sales-` any payload it starts. */
  deepLinks?: string[];
  /**
   * Free text (any non-command message) in private chats: `all` = it answers every message (it may
   * be the default owner); `claimed` = only while it owns the chat (`ctx.chatOwner.claim()`, its
   * commands, its menu button, its deep links). Absent: commands and buttons only.
   */
  freeText?: 'all' | 'claimed';
  /**
   * Chosen in the /start menu, it opens its conversation itself: its handlers get the button's
   * callback query with `ctx.chatOwner.handedOver()` true (calling `next()` leaves it to core).
   * Absent: core says "You are now talking to ..." with its intro, and the plugin sees nothing.
   */
  opensOnMenu?: boolean;
}

/** What a plugin keeps about a Telegram user, erased by core's /delete_my_data. */
export interface UserDataDeclaration<Ctx> {
  /** Fluent key: one line saying what erasing removes. */
  describe: string;
  erase(userId: number, ctx: Ctx): Promise<void>;
}

export interface JobContext<Svc = unknown> {
  id: string;
  /** The full job name, `<plugin>.<name>`. */
  name: string;
  logger: Logger;
  resolve: Resolve;
  /** What the plugin's `services.init` returned. */
  services: Svc;
  /** Attempt number, starting at 1. */
  attempt: number;
}

/** A durable background job. Declared by a plugin, stored in PostgreSQL (pg-boss). */
export interface JobDefinition<D = any, Svc = any> {
  /** Unique within the plugin; the queue is `<plugin>.<name>`. */
  name: string;
  handler(data: D, ctx: JobContext<Svc>): Promise<void>;
  /** Cron expression (UTC) to run it on a schedule, e.g. `*\/5 * * * *`. */
  cron?: string;
  /** Data passed to scheduled runs. */
  cronData?: D;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Seconds before a running job is considered failed. */
  expireInSeconds?: number;
}

export interface PluginContextBase<C> {
  plugin: { id: string; version: string };
  config: C;
  logger: Logger;
  resolve: Resolve;
}

/** What every hook after `services` gets: the plugin's own services, built once. */
export interface PluginContext<C, Svc = unknown> extends PluginContextBase<C> {
  services: Svc;
}

export interface RegisterContext<C> extends PluginContextBase<C> {
  /** The plugin's own child container, for tsyringe classes the plugin resolves itself. */
  container: DependencyContainer;
  /**
   * Low-level: register a factory in the ROOT container under a token. Prefer `provides` and
   * `expose` in the `services` stage, which the app checks against `dependsOn` at boot.
   */
  expose<T>(token: symbol & { readonly __service?: T }, factory: (resolve: Resolve) => T): void;
}

export interface ServicesInitContext<C, D extends Record<string, ServiceDependency>>
  extends PluginContextBase<C> {
  /** The declared dependencies, resolved (optional ones may be `undefined`). */
  deps: ResolvedDependencies<D>;
  /** Makes a service listed in `provides` available to the plugins that depend on this one. */
  expose<T>(ref: ServiceRef<T>, service: T): void;
}

/**
 * Where a plugin builds its services: once, after migrations and before `bot`, `admin`,
 * `http`, jobs and `start`. What `init` returns is `ctx.services` in every later hook.
 */
export interface ServicesStage<C, D extends Record<string, ServiceDependency>, Svc> {
  /** Services of core (`coreServices.*`) and of the plugins in `dependsOn`. */
  deps?: D;
  init(ctx: ServicesInitContext<C, D>): Svc | Promise<Svc>;
}

export interface BotSetupContext<C, Svc = unknown> extends PluginContext<C, Svc> {
  /** Handlers registered here run after core middleware, in dependency order of plugins. */
  composer: Composer<BotContext>;
}

export interface RouteSetupContext<C, Svc = unknown> extends PluginContext<C, Svc> {
  /**
   * A @koa/router mounted at `/admin/api/<plugin>` (admin) or `/p/<plugin>` (http).
   * Admin routes: every route needs a valid bearer token; GET/HEAD need role `viewer`,
   * other methods need role `admin`. Use `requireRole` to demand more.
   */
  router: Router<AdminState>;
  requireRole(role: AdminRole): RouterMiddleware<AdminState>;
  /**
   * `http()` only: handle HTTP upgrades (WebSocket handshakes) on `/p/<plugin><path>`, e.g. with
   * `new WebSocketServer({ noServer: true })`. The handler authenticates the request itself;
   * close the sockets in `stop()`.
   */
  onUpgrade?(path: string, handler: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): void;
}

/**
 * What a plugin's `cli` hook gets: the `botloom` commander program (name commands
 * `<plugin>:<verb>`), a way to build the app from the config module without starting it
 * (`pluginConfig(id)`, `openMaintenance()` for the database), and the CLI's output.
 */
export interface CliSetupContext {
  program: Command;
  getApp(): Promise<CliApp>;
  io: { out(text: string): void; err(text: string): void };
}

/** The part of an app a CLI command uses: settings, and the database without starting the bot. */
export interface CliApp {
  pluginConfig<T = unknown>(pluginId: string): T;
  openMaintenance(): Promise<CliMaintenance>;
}

export interface CliMaintenance {
  database: { sequelize: Sequelize };
  migrator: { up(): Promise<string[]> };
  close(): Promise<void>;
}

export interface HealthStatus {
  ok: boolean;
  details?: Record<string, unknown>;
}

export interface PluginManifest<
  S extends ZodTypeAny = ZodTypeAny,
  D extends Record<string, ServiceDependency> = Record<string, ServiceDependency>,
  Svc = unknown,
> {
  /** Lowercase id: letters, digits and dashes. Tables are prefixed with it (dashes become underscores). */
  id: string;
  version: string;
  /** Semver range of compatible @botloom/core versions, checked at load. */
  core: string;
  /** Plugins that must be loaded (and started) before this one. */
  dependsOn?: string[];
  /** Plugins used when present: loaded before this one if the app has them. */
  optionalDependsOn?: string[];
  /** Refs of the services this plugin exposes in its `services` stage. */
  provides?: readonly ServiceRef<any>[];
  /** zod object schema of the plugin's settings (env `BOTLOOM_<ID>_<KEY>`, .env, options). */
  config?: S;
  /** Values passed in code (typically the plugin factory's options); env overrides them. */
  options?: Partial<z.input<S>>;
  /** Extra environment names for settings, e.g. `{ managerGroupChatId: ['MANAGER_GROUP_CHAT_ID'] }`. */
  env?: Record<string, string[]>;
  /** Fluent files: a directory with `en.ftl`, `ru.ftl`, ... or the sources inline. */
  locales?: string | Record<string, string>;
  migrations?: MigrationDefinition[];
  /** The events this plugin emits (declared in `BotloomEvents` by declaration merging). */
  events?: (keyof BotloomEvents)[];
  commands?: CommandDefinition[];
  /** Intro, main-menu entry, deep links and free text in private chats. */
  conversation?: ConversationDeclaration;
  /** What the plugin keeps about a user, for /delete_my_data. */
  userData?: UserDataDeclaration<PluginContext<z.output<S>, Svc>>;
  /**
   * Durable jobs, or a function of the validated config (e.g. a cron schedule from settings).
   * Type handlers with the services type (`JobDefinition<Data, MyServices>`): a static list takes
   * part in inferring `ctx.services`.
   */
  jobs?: JobDefinition<any, Svc>[] | ((config: z.output<S>) => JobDefinition<any, Svc>[]);
  register?(ctx: RegisterContext<z.output<S>>): void | Promise<void>;
  /** Write `services` before the hooks below, so their `ctx.services` is typed from it. */
  services?: ServicesStage<z.output<S>, D, Svc>;
  bot?(ctx: BotSetupContext<z.output<S>, Svc>): void;
  admin?(ctx: RouteSetupContext<z.output<S>, Svc>): void;
  http?(ctx: RouteSetupContext<z.output<S>, Svc>): void;
  start?(ctx: PluginContext<z.output<S>, Svc>): void | Promise<void>;
  stop?(ctx: PluginContext<z.output<S>, Svc>): void | Promise<void>;
  health?(ctx: PluginContext<z.output<S>, Svc>): Promise<HealthStatus>;
  /** Pages of the admin panel over this plugin's admin routes (README: Admin panel). */
  adminPages?: AdminPageDefinition[];
  /**
   * Keys of `config` an admin may change from the panel while the app runs: the new value is
   * written into `ctx.config`, so list only keys read from `ctx.config` when used.
   */
  runtimeSettings?: string[];
  /**
   * Descriptions of `config` keys in other panel languages (`{ ru: { key: 'текст' } }`); the
   * schema's `.describe()` is the English one. The Settings page shows the panel's language.
   */
  settingDescriptions?: { ru?: Partial<Record<keyof z.output<S> & string, string>> };
  /** Dashboard widgets over this plugin's admin routes. */
  adminWidgets?: AdminWidgetDefinition[];
  /** Adds `botloom <plugin>:<verb>` commands to the CLI (see `CliSetupContext`). */
  cli?(ctx: CliSetupContext): void;
}

export type AnyPlugin = PluginManifest<any, any, any>;
