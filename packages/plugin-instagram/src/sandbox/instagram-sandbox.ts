import { randomBytes } from 'node:crypto';
import type { InstagramConfig } from '../config.js';
import { type FakeGraphApi, startFakeGraphApi } from '../testing/fake-graph-api.js';

/** The local Graph API stand-in and the generated credentials of sandbox mode. */
export interface InstagramSandbox {
  graph: FakeGraphApi;
  appSecret: string;
  verifyToken: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set([undefined, '', '127.0.0.1', 'localhost', '::1']);

/**
 * Sandbox mode (no Telegram token, so core runs its emulator) with no Instagram settings and a
 * loopback-only server: a fake Graph API starts in-process and the plugin points at it, so a
 * person can DM the agent from the playground. Anything configured, or a public HOST, and
 * nothing is started.
 */
export function sandboxWanted(
  config: InstagramConfig,
  core: { TELEGRAM_BOT_TOKEN?: string; HOST?: string },
): boolean {
  return !core.TELEGRAM_BOT_TOKEN && !config.appSecret && !config.accessToken && LOOPBACK.has(core.HOST);
}

export async function startInstagramSandbox(config: InstagramConfig): Promise<InstagramSandbox> {
  const graph = await startFakeGraphApi({ apiVersion: config.apiVersion });
  const appSecret = randomBytes(16).toString('hex');
  const verifyToken = randomBytes(8).toString('hex');
  // The plugin's own config object: the services built next read these.
  Object.assign(config, {
    appSecret,
    verifyToken,
    accessToken: graph.accessToken,
    accountId: graph.accountId,
    apiRoot: graph.url,
  });
  return { graph, appSecret, verifyToken, close: () => graph.close() };
}
