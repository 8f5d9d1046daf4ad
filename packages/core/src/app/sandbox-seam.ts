import type { Logger } from 'pino';
import type { CoreConfig } from '../config/core-config.js';
import type { ExtraRoute } from '../http/server.js';

/** What the app needs from a running Bot API emulator (sandbox mode, no TELEGRAM_BOT_TOKEN). */
export interface SandboxHandle {
  /** Token the bot uses against the emulator. */
  token: string;
  /** Bot API root for grammY (`client.apiRoot`). */
  apiRoot: string;
  /** Routes the app mounts on its HTTP server (playground pages, control API), each under its own prefix. */
  routes?: ExtraRoute[];
  /**
   * Token guarding the mounted playground and control API (header `X-Sandbox-Token` or
   * `?token=`); unset when the app's server is loopback-only.
   */
  controlToken?: string;
  /** Human-readable URLs to print at start (playground...). */
  urls?: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the emulator. The sandbox module (src/sandbox) provides the default one. */
export type SandboxFactory = (options: {
  logger: Logger;
  config: CoreConfig;
  dataDir: string;
}) => Promise<SandboxHandle>;
