import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Router, RouterMiddleware } from '@koa/router';
import type { Command } from 'commander';
import type { Composer } from 'grammy';
import type { Logger } from 'pino';
import type { QueryInterface, Sequelize, Transaction } from 'sequelize';
import type { DependencyContainer } from 'tsyringe';
import type { ZodTypeAny, z } from 'zod';
import type { App } from '../app/create-app.js';
import type { BotContext } from '../bot/context.js';
import type { Resolve } from '../di/tokens.js';
import type { AdminRole, AdminState } from '../http/types.js';

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
}

export interface MigrationContext {
  sequelize: Sequelize;
  queryInterface: QueryInterface;
  transaction: Transaction;
}

/** One schema change of a plugin; recorded as `<plugin>:<name>` in `botloom_migrations`. */
export interface MigrationDefinition {
  /** Sortable and stable, e.g. `0001-create-tickets`. */
  name: string;
  up(ctx: MigrationContext): Promise<void>;
  down?(ctx: MigrationContext): Promise<void>;
}

export interface JobContext {
  id: string;
  /** The full job name, `<plugin>.<name>`. */
  name: string;
  logger: Logger;
  resolve: Resolve;
  /** Attempt number, starting at 1. */
  attempt: number;
}

/** A durable background job. Declared by a plugin, stored in PostgreSQL (pg-boss). */
export interface JobDefinition<D = any> {
  /** Unique within the plugin; the queue is `<plugin>.<name>`. */
  name: string;
  handler(data: D, ctx: JobContext): Promise<void>;
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

export interface RegisterContext<C> extends PluginContextBase<C> {
  /** The plugin's own child container; register services here. */
  container: DependencyContainer;
  /**
   * Register a service in the ROOT container under a token created with `createToken`, so
   * plugins that depend on this one can resolve it.
   */
  expose<T>(token: symbol & { readonly __service?: T }, factory: (resolve: Resolve) => T): void;
}

export interface BotSetupContext<C> extends PluginContextBase<C> {
  /** Handlers registered here run after core middleware, in dependency order of plugins. */
  composer: Composer<BotContext>;
}

export interface RouteSetupContext<C> extends PluginContextBase<C> {
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
  getApp(): Promise<App>;
  io: { out(text: string): void; err(text: string): void };
}

export interface HealthStatus {
  ok: boolean;
  details?: Record<string, unknown>;
}

export interface PluginManifest<S extends ZodTypeAny = ZodTypeAny> {
  /** Lowercase id: letters, digits and dashes. Tables are prefixed with it (dashes become underscores). */
  id: string;
  version: string;
  /** Semver range of compatible @botloom/core versions, checked at load. */
  core: string;
  dependsOn?: string[];
  /** zod object schema of the plugin's settings (env `BOTLOOM_<ID>_<KEY>`, .env, options). */
  config?: S;
  /** Values passed in code (typically the plugin factory's options); env overrides them. */
  options?: Partial<z.input<S>>;
  /** Extra environment names for settings, e.g. `{ managerGroupChatId: ['MANAGER_GROUP_CHAT_ID'] }`. */
  env?: Record<string, string[]>;
  /** Fluent files: a directory with `en.ftl`, `ru.ftl`, ... or the sources inline. */
  locales?: string | Record<string, string>;
  migrations?: MigrationDefinition[];
  /** Names of the events this plugin emits on the event bus (documentation and validation). */
  events?: string[];
  commands?: CommandDefinition[];
  jobs?: JobDefinition[];
  register?(ctx: RegisterContext<z.output<S>>): void | Promise<void>;
  bot?(ctx: BotSetupContext<z.output<S>>): void;
  admin?(ctx: RouteSetupContext<z.output<S>>): void;
  http?(ctx: RouteSetupContext<z.output<S>>): void;
  start?(ctx: PluginContextBase<z.output<S>>): void | Promise<void>;
  stop?(ctx: PluginContextBase<z.output<S>>): void | Promise<void>;
  health?(ctx: PluginContextBase<z.output<S>>): Promise<HealthStatus>;
  /** Adds `botloom <plugin>:<verb>` commands to the CLI (see `CliSetupContext`). */
  cli?(ctx: CliSetupContext): void;
}

export type AnyPlugin = PluginManifest<ZodTypeAny>;
