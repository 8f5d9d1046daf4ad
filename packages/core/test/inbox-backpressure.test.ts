import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/app/create-app.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { startFakeTelegram } from './helpers/fake-telegram.js';
import { quietLogger } from './helpers/quiet-logger.js';

const SECRET = 'webhook-secret-bp';

let db: TestDatabase;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
let app: App;
let release: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  release = resolve;
});

beforeAll(async () => {
  db = await createTestDatabase('botloom_inbox_backpressure');
  telegram = await startFakeTelegram();
  const slow = definePlugin({
    id: 'slow',
    version: '1.0.0',
    core: '^0.1.0',
    bot: ({ composer }) => {
      composer.on('message:text', async (ctx) => {
        await gate;
        return ctx.reply(`echo: ${ctx.message.text}`);
      });
    },
  });
  app = createApp({
    plugins: [slow],
    config: {
      DATABASE_URL: db.url,
      PORT: 0,
      HOST: '127.0.0.1',
      KV_URL: 'memory://',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
      WEBHOOK_SECRET: SECRET,
      INBOX_MAX_PENDING: 2,
    },
    env: {},
    dotenv: false,
    logger: quietLogger(),
  });
  await app.start();
}, 60_000);

afterAll(async () => {
  release();
  await app?.stop();
  await telegram?.close();
  await db?.drop();
});

const text = (updateId: number, chatId: number, body: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: 'private', first_name: 'U' },
    from: { id: chatId, is_bot: false, first_name: 'U' },
    text: body,
  },
});

function deliver(update: unknown): Promise<Response> {
  return fetch(`${app.url}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
}

describe('webhook backpressure (INBOX_MAX_PENDING)', () => {
  it('answers 503 with Retry-After past the limit and takes the redelivery once there is room', async () => {
    expect((await deliver(text(9001, 501, 'one'))).status).toBe(200);
    expect((await deliver(text(9002, 502, 'two'))).status).toBe(200);

    const refused = await deliver(text(9003, 503, 'three'));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    release();
    await telegram.waitForMessage((m) => m.text === 'echo: one', 30_000);
    await telegram.waitForMessage((m) => m.text === 'echo: two', 30_000);

    // Telegram redelivers the refused update until it is taken: the room frees once the first
    // two are marked done, which may land just after their replies went out.
    let status = 0;
    for (let attempt = 0; attempt < 300 && status !== 200; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await deliver(text(9003, 503, 'three'))).status;
      expect([200, 503]).toContain(status);
    }
    expect(status).toBe(200);
    await telegram.waitForMessage((m) => m.text === 'echo: three', 30_000);
  }, 120_000);
});
