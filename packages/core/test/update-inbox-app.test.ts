import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/app/create-app.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { startFakeTelegram } from './helpers/fake-telegram.js';
import { quietLogger } from './helpers/quiet-logger.js';

const SECRET = 'webhook-secret-123';
const ADMIN_TOKEN = 'inbox-admin-token-0123456789abcdef';

let db: TestDatabase;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
let app: App;
let viewerToken: string;
let broken = true;

beforeAll(async () => {
  db = await createTestDatabase('botloom_inbox_app');
  telegram = await startFakeTelegram();
  const fragile = definePlugin({
    id: 'fragile',
    version: '1.0.0',
    core: '^0.1.0',
    bot: ({ composer }) => {
      composer.on('message:text', (ctx) => {
        if (broken && ctx.message.text.startsWith('fail')) throw new Error('the handler is broken today');
        return ctx.reply(`echo: ${ctx.message.text}`);
      });
    },
  });
  app = createApp({
    plugins: [fragile],
    config: {
      DATABASE_URL: db.url,
      PORT: 0,
      HOST: '127.0.0.1',
      KV_URL: 'memory://',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
      WEBHOOK_SECRET: SECRET,
      BOTLOOM_ADMIN_TOKEN: ADMIN_TOKEN,
      INBOX_MAX_ATTEMPTS: 1,
    },
    env: {},
    dotenv: false,
    logger: quietLogger(),
  });
  await app.start();
  const created = await call('POST', '/admin/api/core/tokens', ADMIN_TOKEN, {
    name: 'viewer',
    role: 'viewer',
  });
  viewerToken = ((await created.json()) as { token: string }).token;
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await telegram?.close();
  await db?.drop();
});

function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function deliver(update: unknown): Promise<Response> {
  return fetch(`${app.url}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
}

async function waitForDead(updateId: number): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await call('GET', '/admin/api/core/updates/dead', ADMIN_TOKEN);
    const { items } = (await res.json()) as { items: Array<{ updateId: number }> };
    if (items.some((i) => i.updateId === updateId)) return;
    if (Date.now() > until) throw new Error(`update ${updateId} was not dead-lettered`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('update inbox in a webhook app', () => {
  it('answers a redelivered update once', async () => {
    const update = telegram.textUpdate('hello once', { id: 2001, first_name: 'Ann', language_code: 'en' });
    expect((await deliver(update)).status).toBe(200);
    expect((await deliver(update)).status).toBe(200);
    await telegram.waitForMessage((m) => m.text === 'echo: hello once', 60_000);
    const later = telegram.textUpdate('marker', { id: 2001, first_name: 'Ann', language_code: 'en' });
    expect((await deliver(later)).status).toBe(200);
    await telegram.waitForMessage((m) => m.text === 'echo: marker', 60_000);
    expect(telegram.sent.filter((m) => m.text === 'echo: hello once')).toHaveLength(1);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/botloom_inbox_updates_total\{outcome="stored"\} [2-9]/);
    expect(metrics).toMatch(/botloom_inbox_updates_total\{outcome="duplicate"\} 1/);
    expect(metrics).toMatch(/botloom_inbox_updates_total\{outcome="done"\} [1-9]/);
  });

  it('refuses a malformed update with 400', async () => {
    const res = await deliver({ update_id: 5, message: 'not an object' });
    expect(res.status).toBe(400);
  });

  it('lists dead-lettered updates (content for admins only) and retries one', async () => {
    const update = telegram.textUpdate('fail with private words', {
      id: 2002,
      first_name: 'Bob',
      language_code: 'en',
    });
    expect((await deliver(update)).status).toBe(200);
    await waitForDead(update.update_id);

    const asAdmin = await call('GET', '/admin/api/core/updates/dead?limit=10', ADMIN_TOKEN);
    expect(asAdmin.status).toBe(200);
    const adminBody = (await asAdmin.json()) as { items: any[]; nextBefore: number | null };
    const item = adminBody.items.find((i) => i.updateId === update.update_id);
    expect(item).toMatchObject({ updateType: 'message', chatKey: '2002', userId: 2002, attempts: 1 });
    expect(item.error).toContain('the handler is broken today');
    expect(item.update.message.text).toBe('fail with private words');

    const asViewer = await call('GET', '/admin/api/core/updates/dead', viewerToken);
    expect(asViewer.status).toBe(200);
    const viewerText = await asViewer.text();
    expect(viewerText).toContain(String(update.update_id));
    expect(viewerText).not.toContain('private words');
    expect(viewerText).not.toContain('broken today');

    expect((await call('GET', '/admin/api/core/updates/dead')).status).toBe(401);
    expect((await call('GET', '/admin/api/core/updates/dead?limit=0', ADMIN_TOKEN)).status).toBe(422);
    expect((await call('GET', '/admin/api/core/updates/dead?before=-1', ADMIN_TOKEN)).status).toBe(422);

    // Bad and unknown ids: 4xx, never 500. Viewers may not retry.
    const retry = (id: string, token = ADMIN_TOKEN) =>
      call('POST', `/admin/api/core/updates/dead/${id}/retry`, token);
    expect((await retry(String(update.update_id), viewerToken)).status).toBe(403);
    for (const bad of ['abc', '-1', '1.5', '1e3', '99999999999999999999999', '%00']) {
      expect((await retry(bad)).status, bad).toBe(400);
    }
    expect((await retry('987654321')).status).toBe(404);

    broken = false;
    const res = await retry(String(update.update_id));
    expect(res.status).toBe(202);
    await telegram.waitForMessage((m) => m.text === 'echo: fail with private words', 60_000);
    expect((await retry(String(update.update_id))).status).toBe(404); // no longer dead
  });
});
