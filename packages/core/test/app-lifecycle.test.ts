import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type App, createApp } from '../src/app/create-app.js';
import { createToken } from '../src/di/tokens.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import type { AnyPlugin } from '../src/plugin/types.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { Tokens } from '../src/tokens.js';
import { startFakeTelegram } from './helpers/fake-telegram.js';
import { quietLogger } from './helpers/quiet-logger.js';

declare module '../src/events/types.js' {
  interface BotloomEvents {
    'reporter.counted': { n: number };
  }
}

let db: TestDatabase;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
beforeAll(async () => {
  db = await createTestDatabase();
  telegram = await startFakeTelegram();
});
afterAll(async () => {
  await telegram?.close();
  await db?.drop();
});

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function appWith(plugins: AnyPlugin[], extra: Record<string, unknown> = {}): App {
  return createApp({
    plugins,
    config: {
      DATABASE_URL: db.url,
      PORT: 0,
      HOST: '127.0.0.1',
      KV_URL: 'memory://',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      SHUTDOWN_TIMEOUT_MS: 15_000,
      ...extra,
    },
    env: {},
    dotenv: false,
    logger: quietLogger(),
  });
}

describe('app lifecycle', () => {
  it('starts every service, runs plugins in dependency order, and stops them in reverse', async () => {
    const order: string[] = [];
    const Counter = createToken<{ next(): Promise<number> }>('counter.Counter');
    const jobRan = deferred<unknown>();
    const counter = definePlugin({
      id: 'counter',
      version: '1.0.0',
      core: '^0.1.0',
      config: z.object({ step: z.number().default(1).describe('Added per count') }),
      settingDescriptions: { ru: { step: 'Прибавляется за один счёт' } },
      options: { step: 2 },
      migrations: [
        {
          name: '0001-create-counter',
          up: async ({ queryInterface, transaction }) => {
            await queryInterface.sequelize.query('CREATE TABLE counter_values (n int NOT NULL)', {
              transaction,
            });
            await queryInterface.sequelize.query('INSERT INTO counter_values VALUES (0)', { transaction });
          },
        },
      ],
      jobs: [
        {
          name: 'ping',
          handler: async (data, ctx) => {
            jobRan.resolve({ data, name: ctx.name });
          },
        },
      ],
      register: ({ expose, config }) => {
        expose(Counter, (resolve) => ({
          async next() {
            const [rows] = await resolve(Tokens.Database).query(
              `UPDATE counter_values SET n = n + ${config.step} RETURNING n`,
            );
            return (rows as Array<{ n: number }>)[0]!.n;
          },
        }));
      },
      start: async ({ resolve }) => {
        order.push('start counter');
        await resolve(Tokens.Kv).set('started', true);
      },
      stop: () => {
        order.push('stop counter');
      },
      health: async () => ({ ok: true, details: { fine: 1 } }),
    });
    const reporter = definePlugin({
      id: 'reporter',
      version: '1.0.0',
      core: '^0.1.0',
      dependsOn: ['counter'],
      events: ['reporter.counted'],
      start: async ({ resolve }) => {
        order.push('start reporter');
        // Kv is namespaced per plugin: the counter's key is invisible here.
        expect(await resolve(Tokens.Kv).get('started')).toBeUndefined();
        const crypto = resolve(Tokens.Crypto);
        expect(crypto.decrypt(crypto.encrypt('secret'))).toBe('secret');
        const n = await resolve(Counter).next();
        await resolve(Tokens.Events).emit('reporter.counted', { n });
      },
      stop: () => {
        order.push('stop reporter');
      },
    });
    const counted: unknown[] = [];
    const adminToken = 'bootstrap-admin-token-0123456789';
    const app = appWith([reporter, counter], { BOTLOOM_ADMIN_TOKEN: adminToken });
    app
      .resolver()(Tokens.Events)
      .on('reporter.counted', (p) => {
        counted.push(p);
      });
    await app.start();
    try {
      expect(app.state).toBe('ready');
      expect(order).toEqual(['start counter', 'start reporter']);
      expect(counted).toEqual([{ n: 2 }]);
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect(await app.health()).toEqual({
        counter: { ok: true, details: { fine: 1 } },
        reporter: { ok: true },
      });
      expect(telegram.calls).toContain('getMe');

      // The core admin API is served from the app's own data.
      const admin = (p: string) =>
        fetch(`${app.url}/admin/api/core${p}`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect((await fetch(`${app.url}/admin/api/core/settings`)).status).toBe(401);
      const settings = (await (await admin('/settings')).json()) as Array<Record<string, unknown>>;
      expect(settings.find((r) => r.name === 'BOTLOOM_ADMIN_TOKEN')?.value).toBe('********');
      expect(settings.find((r) => r.owner === 'counter' && r.name === 'step')).toMatchObject({
        value: 2,
        source: 'options',
        env: ['BOTLOOM_COUNTER_STEP'],
      });
      expect(JSON.stringify(settings)).not.toContain(adminToken);
      // Descriptions come in each panel language: core's own and a plugin's manifest ones.
      expect(settings.find((r) => r.name === 'PORT')?.descriptions).toEqual({
        en: 'HTTP port of the Koa server (0 = any free port)',
        ru: 'HTTP-порт сервера Koa (0 = любой свободный порт)',
      });
      expect(settings.find((r) => r.owner === 'counter')?.descriptions).toEqual({
        en: 'Added per count',
        ru: 'Прибавляется за один счёт',
      });
      for (const row of settings.filter((r) => r.owner === 'core' && r.description)) {
        expect((row.descriptions as { ru?: string }).ru, String(row.name)).toMatch(/[а-я]/);
      }
      const plugins = (await (await admin('/plugins')).json()) as Array<Record<string, unknown>>;
      expect(plugins.map((p) => p.id)).toEqual(['counter', 'reporter']);
      expect(plugins[0]).toMatchObject({ version: '1.0.0', health: { ok: true } });
      const migrationStatus = JSON.stringify(await (await admin('/migrations')).json());
      expect(migrationStatus).toContain('counter:0001-create-counter');

      await app.resolver('counter')(Tokens.Jobs).send('ping', { hello: 'jobs' });
      expect(await jobRan.promise).toEqual({ data: { hello: 'jobs' }, name: 'counter.ping' });

      const migrations = await app.database!.sequelize.query('SELECT name FROM botloom_migrations', {
        plain: false,
        raw: true,
      });
      expect(JSON.stringify(migrations)).toContain('counter:0001-create-counter');
    } finally {
      await app.stop();
    }
    expect(app.state).toBe('stopped');
    expect(order).toEqual(['start counter', 'start reporter', 'stop reporter', 'stop counter']);
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();
  });

  it('graceful shutdown finishes an in-flight handler: the reply still goes out', async () => {
    const handlerStarted = deferred();
    const release = deferred();
    const events: string[] = [];
    const slow = definePlugin({
      id: 'slow',
      version: '1.0.0',
      core: '^0.1.0',
      commands: [{ command: 'slow', description: { en: 'Slow', ru: 'Медленно' } }],
      bot: ({ composer }) => {
        composer.command('slow', async (ctx) => {
          handlerStarted.resolve();
          await release.promise;
          await ctx.reply('finished after shutdown began');
          events.push('replied');
        });
      },
      stop: () => {
        events.push('plugin stopped');
      },
    });
    const app = appWith([slow]);
    await app.start();
    telegram.sendText('/slow');
    await handlerStarted.promise;

    const stopping = app.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(app.state).toBe('stopping');
    // Readiness answers 503 while shutting down.
    expect((await fetch(`${app.url}/readyz`)).status).toBe(503);
    expect(events).toEqual([]);

    release.resolve();
    await stopping;
    expect(app.state).toBe('stopped');
    expect(events).toEqual(['replied', 'plugin stopped']);
    expect(telegram.sent.map((m) => m.text)).toContain('finished after shutdown began');
  });

  it('webhook mode: registers the webhook with its secret and answers updates sent to /telegram/webhook', async () => {
    const echo = definePlugin({
      id: 'echo',
      version: '1.0.0',
      core: '^0.1.0',
      bot: ({ composer }) => {
        composer.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
      },
    });
    const callsBefore = telegram.calls.length;
    const app = appWith([echo], {
      WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
      WEBHOOK_SECRET: 'webhook-secret-123',
    });
    await app.start();
    try {
      const setWebhook = telegram.bodies.find((b) => b.method === 'setWebhook');
      expect(setWebhook?.body).toMatchObject({
        url: 'https://bot.example.com/telegram/webhook',
        secret_token: 'webhook-secret-123',
      });
      const update = telegram.textUpdate('ping over webhook');
      const wrong = await fetch(`${app.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'nope' },
        body: JSON.stringify(update),
      });
      expect(wrong.status).toBe(401);
      const ok = await fetch(`${app.url}/telegram/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': 'webhook-secret-123',
        },
        body: JSON.stringify(update),
      });
      expect(ok.status).toBe(200);
      await telegram.waitForMessage((m) => m.text === 'echo: ping over webhook');
      expect(telegram.calls.slice(callsBefore)).not.toContain('getUpdates');
    } finally {
      await app.stop();
    }
  });

  it('refuses to start with pending migrations when BOTLOOM_AUTO_MIGRATE=false', async () => {
    const app = appWith(
      [
        definePlugin({
          id: 'late',
          version: '1.0.0',
          core: '^0.1.0',
          migrations: [{ name: '0001-never-run', up: async () => {} }],
        }),
      ],
      { BOTLOOM_AUTO_MIGRATE: 'false' },
    );
    await expect(app.start()).rejects.toMatchObject({ code: 'PENDING_MIGRATIONS' });
    expect(app.state).toBe('failed');
  });
});
