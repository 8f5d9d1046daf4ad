import { Tokens } from '@botloom/core';
import { ScriptedLlm, type StartTestAppOptions, startTestApp, type TestApp } from '@botloom/core/testing';
import instagramPlugin, { type InstagramOptions, type InstagramWiring } from '../../src/index.js';
import { type FakeGraphApi, startFakeGraphApi, WebhookSender } from '../../src/testing/index.js';

export const APP_SECRET = 'test-app-secret-0123456789';
export const VERIFY_TOKEN = 'verify-me-please';
/** What a scripted-LLM app's model answers unless a test scripts otherwise. */
export const ASSISTANT_REPLY = 'Happy to help! (assistant)';

/** A scripted LLM answering ASSISTANT_REPLY: `startInstagramTestApp({}, {}, { services: { llm } })`. */
export const scriptedAssistant = () => new ScriptedLlm({ reply: ASSISTANT_REPLY });

/** The plugin's admin API path: `/admin/api/instagram<path>`. */
export const api = (path: string) => `/admin/api/instagram${path}`;

export interface InstagramTestApp {
  app: TestApp;
  graph: FakeGraphApi;
  sender: WebhookSender;
  query<R = Record<string, unknown>>(sql: string, bind?: unknown[]): Promise<R[]>;
  /** Polls `check` until it returns a value other than undefined/false (30 s by default). */
  waitFor<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  /** Waits until the webhook event of the DM `mid` is handled. */
  handled(mid: string): Promise<true>;
  stop(): Promise<void>;
}

/** A test app with the Instagram plugin, pointed at a fake Graph API. */
export async function startInstagramTestApp(
  options: InstagramOptions = {},
  wiring: InstagramWiring = {},
  extra: {
    openai?: boolean;
    services?: StartTestAppOptions['services'];
    /** Other plugins in the same app (e.g. support, whose knowledge the agent reuses). */
    plugins?: StartTestAppOptions['plugins'];
    /** Core settings (e.g. `LOG_LEVEL: 'warn'`, so the panel's log buffer has lines to read). */
    config?: StartTestAppOptions['config'];
  } = {},
): Promise<InstagramTestApp> {
  const graph = await startFakeGraphApi({ profiles: { '9001': { username: 'alice.ig' } } });
  const app = await startTestApp({
    plugins: [
      instagramPlugin(
        {
          appSecret: APP_SECRET,
          verifyToken: VERIFY_TOKEN,
          accessToken: graph.accessToken,
          accountId: graph.accountId,
          apiRoot: graph.url,
          sendRetryBaseSeconds: 0,
          perThreadIntervalMs: 0,
          ...options,
        },
        wiring,
      ),
      ...(extra.plugins ?? []),
    ],
    ...(extra.openai ? { openai: true } : {}),
    ...(extra.services ? { services: extra.services } : {}),
    ...(extra.config ? { config: extra.config } : {}),
  });
  const db = app.app.resolver('instagram')(Tokens.Database);
  const query = async <R>(sql: string, bind: unknown[] = []) => (await db.query(sql, { bind }))[0] as R[];
  const waitFor = async <T>(
    check: () => Promise<T | undefined | false>,
    what: string,
    timeoutMs = 30_000,
  ): Promise<T> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const handled = (mid: string) =>
    waitFor(
      async () =>
        (
          await query(`SELECT 1 FROM instagram_events WHERE dedupe_key = $1 AND status = 'handled'`, [
            `msg:${mid}`,
          ])
        ).length > 0,
      `event ${mid} handled`,
    );
  return {
    app,
    graph,
    sender: new WebhookSender(`${app.url}/p/instagram/webhook`, APP_SECRET, graph.accountId),
    query,
    waitFor,
    handled,
    async stop() {
      await app.stop();
      await graph.close();
    },
  };
}
