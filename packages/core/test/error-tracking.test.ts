import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scrubEvent, scrubText, sensitiveNeedles, stringsOf } from '../src/errors/scrub-report.js';
import { createErrorReporter } from '../src/errors/sentry-reporter.js';
import { definePlugin, Tokens } from '../src/index.js';
import { type FakeSentry, startFakeSentry } from '../src/testing/fake-sentry.js';
import { startTestApp, type TestApp } from '../src/testing/index.js';

// What users type, and what must never reach the error tracker.
const SECRET_TEXT = 'my plan is tomato-volcano, call me at +7 912 345-67-89';

function boomPlugin() {
  return definePlugin({
    id: 'boom',
    version: '2.3.4',
    core: '*',
    commands: [{ command: 'job', description: { en: 'Queue a job', ru: 'Поставить задачу' } }],
    bot({ composer, resolve }) {
      composer.command('job', async (ctx) => {
        await resolve(Tokens.Jobs).send('explode', { note: ctx.match }, { retryLimit: 0 });
        await ctx.reply('queued');
      });
      composer.on('message:text', (ctx) => {
        throw new Error(`cannot understand "${ctx.message.text}"`);
      });
    },
    admin({ router }) {
      router.post('/explode/:id', (ctx) => {
        const body = ctx.request.body as { note?: string };
        throw new Error(`failed to store note "${body.note}" for ${ctx.params.id}`);
      });
    },
    jobs: () => [
      {
        name: 'explode',
        retryLimit: 0,
        handler: async (data: { note: string }) => {
          throw new Error(`job choked on ${data.note.slice(0, 20)}`);
        },
      },
    ],
  });
}

describe('error tracking with SENTRY_DSN', () => {
  let sentry: FakeSentry;
  let app: TestApp;

  beforeAll(async () => {
    sentry = await startFakeSentry();
    app = await startTestApp({
      plugins: [boomPlugin()],
      env: { SENTRY_DSN: sentry.dsn, SENTRY_ENVIRONMENT: 'staging', SENTRY_SAMPLE_RATE: '1' },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await sentry?.close();
  });
  beforeEach(() => sentry.reset());

  it('reports an error in a plugin handler with its tags and without the user text', async () => {
    const alice = app.user('alice', { first_name: 'Alisandra', last_name: 'Quince' });
    await alice.send(`Hello! ${SECRET_TEXT}`);
    const reply = await alice.expectReply(/Error ID|Код ошибки/);
    const errorId = /(?:Error ID|Код ошибки):?\s*([0-9a-f]{8})/.exec(reply.text ?? '')![1]!;
    const [event] = await sentry.waitForEvents(1);
    expect(event.tags).toMatchObject({
      source: 'update',
      plugin: 'boom',
      correlation_id: errorId,
      update_type: 'message',
    });
    expect(event.environment).toBe('staging');
    expect(event.release).toMatch(/^botloom-core@\d+\.\d+\.\d+/);
    expect(event.contexts.botloom).toMatchObject({ plugins: { boom: '2.3.4' } });
    expect(event.exception.values[0].value).toBe('cannot understand "[redacted]"');
    const sent = JSON.stringify(sentry.envelopes);
    for (const secret of [
      'tomato',
      '345-67-89',
      'Alisandra',
      'Quince',
      app.app.config.TELEGRAM_BOT_TOKEN ?? 'x'.repeat(20),
    ]) {
      expect(sent).not.toContain(secret);
    }
    expect(event.user).toBeUndefined();
    expect(event.breadcrumbs ?? []).toEqual([]);
  });

  it('reports a failing route (5xx) with the route pattern and without the request data', async () => {
    const response = await app.admin.post('/admin/api/boom/explode/987654321', { note: SECRET_TEXT });
    expect(response.status).toBe(500);
    const correlationId = response.body.error.correlationId;
    const [event] = await sentry.waitForEvents(1);
    expect(event.tags).toMatchObject({
      source: 'http',
      plugin: 'boom',
      correlation_id: correlationId,
      route: 'POST /admin/api/boom/explode/:id',
    });
    expect(event.exception.values[0].value).toMatch(
      /^failed to store note "\[redacted\]" for \[(redacted|phone)\]$/,
    );
    const sent = JSON.stringify(sentry.envelopes);
    for (const secret of ['tomato', '345-67-89', '987654321', app.adminToken])
      expect(sent).not.toContain(secret);
  });

  it('reports a failed job with its plugin and job name, without its data', async () => {
    const bob = app.user('bob');
    await bob.send(`/job ${SECRET_TEXT}`);
    await bob.expectReply('queued');
    const [event] = await sentry.waitForEvents(1, 60_000);
    expect(event.tags).toMatchObject({
      source: 'job',
      plugin: 'boom',
      job: 'boom.explode',
      job_attempt: '1',
    });
    expect(event.exception.values[0].value).toBe('job choked on [redacted]');
    expect(JSON.stringify(sentry.envelopes)).not.toContain('tomato');
  });
});

describe('error tracking without SENTRY_DSN', () => {
  it('loads nothing and sends nothing', async () => {
    const sentry = await startFakeSentry();
    const app = await startTestApp({ plugins: [boomPlugin()] });
    try {
      const carol = app.user('carol');
      await carol.send('this fails');
      await carol.expectReply(/Error ID|Код ошибки/);
      const response = await app.admin.post('/admin/api/boom/explode/1', { note: 'x' });
      expect(response.status).toBe(500);
      expect(sentry.envelopes).toEqual([]);
    } finally {
      await app.stop();
      await sentry.close();
    }
    const reporter = createErrorReporter({
      config: { SENTRY_SAMPLE_RATE: 1, NODE_ENV: 'test' },
      logger: pino({ level: 'silent' }),
    });
    await reporter.start();
    expect(reporter.enabled).toBe(false);
  });
});

describe('error tracking sampling', () => {
  it('sends no events at SENTRY_SAMPLE_RATE=0 and every event at 1', async () => {
    const sentry = await startFakeSentry();
    const logger = pino({ level: 'silent' });
    const reporterAt = (rate: number) =>
      createErrorReporter({
        config: { SENTRY_DSN: sentry.dsn, SENTRY_SAMPLE_RATE: rate, NODE_ENV: 'test' },
        logger,
      });
    const never = reporterAt(0);
    const always = reporterAt(1);
    try {
      await never.start();
      await always.start();
      for (let i = 0; i < 5; i += 1) never.report(new Error(`dropped ${i}`), { source: 'job', job: 'x.y' });
      await never.flush(10_000);
      always.report(new Error('kept'), { source: 'job', job: 'x.y' });
      const events = await sentry.waitForEvents(1);
      expect(events.map((e) => e.exception.values[0].value)).toEqual(['kept']);
    } finally {
      await never.close();
      await always.close();
      await sentry.close();
    }
  });
});

describe('report scrubbing', () => {
  it('removes tokens, secrets, phone numbers, e-mails and initData by pattern', () => {
    const text = scrubText(
      [
        'bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw failed',
        'Authorization: Bearer abcdef123456',
        'key sk-proj-abcdefghijklmnop1234',
        'password=hunter2; token: "t0ps3cret"',
        'mail jane.doe@example.org',
        'phone +44 (20) 7946-0958',
        'initData query_id=AAH&user=%7B%22id%22%3A1%7D&auth_date=1700000000&hash=abc123',
        'db postgres://app:pa55word@db.internal/app',
      ].join('\n'),
    );
    for (const leaked of [
      'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
      'abcdef123456',
      'abcdefghijklmnop1234',
      'hunter2',
      't0ps3cret',
      'jane.doe',
      '7946',
      'auth_date',
      'pa55word',
    ]) {
      expect(text).not.toContain(leaked);
    }
    expect(text).toContain('failed');
  });

  it('cuts out known user strings and their words, and drops user, request, extra and breadcrumbs', () => {
    const update = {
      update_id: 1,
      message: {
        chat: { id: 5, type: 'private', first_name: 'Zebulon' },
        text: 'Please cancel subscription number seven',
        from: { language_code: 'en', first_name: 'Zebulon' },
      },
    };
    const sensitive = stringsOf(update);
    expect(sensitive).not.toContain('private');
    expect(sensitiveNeedles(sensitive).needles).toContain('subscription');
    const event = scrubEvent(
      {
        message: 'Zebulon said Please cancel subscription number seven',
        exception: {
          values: [
            {
              type: 'Error',
              value: 'no plan "subscription" found',
              stacktrace: { frames: [{ vars: { a: 1 } }] },
            },
          ],
        },
        user: { id: 5 },
        request: { data: 'x' },
        extra: { text: 'y' },
        breadcrumbs: [{ message: 'z' }],
        server_name: 'host',
        contexts: { runtime: { name: 'node' }, culture: { locale: 'en' } },
      },
      sensitive,
    );
    expect(event.message).toBe('[redacted] said [redacted]');
    expect(event.exception!.values![0]!.value).toBe('no plan "[redacted]" found');
    expect(event.exception!.values![0]!.stacktrace!.frames![0]).toEqual({});
    expect(event).not.toHaveProperty('user');
    expect(event).not.toHaveProperty('request');
    expect(event).not.toHaveProperty('extra');
    expect(event).not.toHaveProperty('breadcrumbs');
    expect(event).not.toHaveProperty('server_name');
    expect(event.contexts).toEqual({ runtime: { name: 'node' } });
  });
});
