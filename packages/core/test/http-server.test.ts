import pino from 'pino';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidUpdateError } from '../src/bot/update-validation.js';
import { CoreConfigSchema } from '../src/config/core-config.js';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnavailableError,
} from '../src/errors/domain-errors.js';
import { AdminTokenService } from '../src/http/admin-tokens.js';
import { HttpError } from '../src/http/http-error.js';
import { createMetrics } from '../src/http/metrics.js';
import {
  allowFraming,
  createHttpServer,
  type HttpServer,
  type HttpServerOptions,
} from '../src/http/server.js';
import { parseBody, parseQuery } from '../src/http/validation.js';
import { LlmBudgetExceededError, LlmRateLimitedError, LlmUnavailableError } from '../src/llm/errors.js';
import { PLUGIN_ID_PATTERN } from '../src/plugin/plugin-id.js';
import { createHttpTestDatabase } from './http-helpers.js';

const WEBHOOK_SECRET = 'webhook_secret-123';
const NoteBody = z.object({ text: z.string().min(1).max(200) }).strict();

describe('HTTP server (real PostgreSQL, real sockets)', () => {
  let sequelize: Sequelize;
  let closeDb: () => Promise<void>;
  let tokens: AdminTokenService;
  let server: HttpServer;
  let base: string;
  let ready = false;
  const handedOver: unknown[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  let adminToken: string;
  let viewerToken: string;
  let revokedToken: string;

  beforeAll(async () => {
    ({ sequelize, close: closeDb } = await createHttpTestDatabase());
    tokens = new AdminTokenService(sequelize);
    adminToken = (await tokens.create({ name: 'admin', role: 'admin' })).token;
    viewerToken = (await tokens.create({ name: 'viewer', role: 'viewer' })).token;
    const revoked = await tokens.create({ name: 'gone', role: 'admin' });
    revokedToken = revoked.token;
    await tokens.revoke(revoked.id);

    const notes: string[] = [];
    server = createHttpServer({
      config: CoreConfigSchema.parse({ CORS_ORIGINS: 'https://admin.example', SHUTDOWN_TIMEOUT_MS: 2000 }),
      logger: pino({ level: 'silent' }),
      metrics,
      adminTokens: tokens,
      jsonBodyLimit: '16kb',
      webhookBodyLimit: '16kb',
      plugins: [
        {
          id: 'notes',
          admin: ({ router, requireRole }) => {
            router.get('/notes', (ctx) => {
              const { limit } = parseQuery(
                ctx,
                z.object({ limit: z.coerce.number().int().min(1).default(10) }),
              );
              ctx.body = { notes: notes.slice(0, limit) };
            });
            router.post('/notes', (ctx) => {
              const { text } = parseBody(ctx, NoteBody);
              notes.push(text);
              ctx.status = 201;
              ctx.body = { text };
            });
            router.get('/transcripts', requireRole('admin'), (ctx) => {
              ctx.body = { transcripts: ['private'] };
            });
            router.get('/missing', () => {
              throw new HttpError(404, 'NOTE_NOT_FOUND', 'No note 7');
            });
            router.get('/boom', () => {
              throw new Error('database password is hunter2');
            });
            const domainErrors: Record<string, () => Error> = {
              'not-found': () => new NotFoundError('No note 8'),
              conflict: () =>
                new ConflictError('Note 8 is locked', { code: 'NOTE_LOCKED', details: { by: 'bob' } }),
              'invalid-input': () => new InvalidInputError('Notes cannot mention themselves'),
              forbidden: () => new ForbiddenError('Only the author may do that', { code: 'NOT_AUTHOR' }),
              unavailable: () => new UnavailableError('The note index is rebuilding'),
              'unknown-kind': () =>
                new DomainError('teapot' as never, 'NOTE_TEAPOT', 'secret internals of the teapot'),
            };
            router.get('/domain/:kind', (ctx) => {
              throw domainErrors[ctx.params.kind!]!();
            });
            const llmErrors: Record<string, () => Error> = {
              budget: () =>
                new LlmBudgetExceededError({
                  used: 1000,
                  limit: 1000,
                  resetsAt: new Date(Date.now() + 3_600_000),
                  scope: 'notes',
                  // Nine digits: the message's reset time (an ISO timestamp) never holds them, as it may hold '42'.
                  user: '918273645',
                }),
              down: () =>
                new LlmUnavailableError('circuit open for provider http://10.0.0.5', { cause: 'x' }),
              'rate-limited': () => new LlmRateLimitedError('429 from the provider', 30_000),
            };
            router.get('/llm/:kind', (ctx) => {
              throw llmErrors[ctx.params.kind!]!();
            });
            router.get('/db/int/:value', async (ctx) => {
              ctx.body = await sequelize.query('SELECT $1::int AS n', { bind: [ctx.params.value] });
            });
            router.get('/db/text/:value', async (ctx) => {
              // An array parameter, as `id = ANY($1::text[])` sends it: a NUL in it is refused.
              ctx.body = await sequelize.query('SELECT $1::text[] AS t', { bind: [[ctx.params.value]] });
            });
            router.get('/db/broken', async (ctx) => {
              ctx.body = await sequelize.query('SELECT * FROM no_such_table_here');
            });
          },
          http: ({ router, requireRole }) => {
            router.get('/stats', requireRole('viewer'), (ctx) => {
              ctx.body = { by: ctx.state.admin?.name };
            });
            router.get('/page', (ctx) => {
              allowFraming(ctx);
              ctx.type = 'text/html';
              ctx.body = '<p>web app</p>';
            });
            router.post('/echo', (ctx) => {
              ctx.body = parseBody(ctx, z.object({ n: z.number() }));
            });
          },
        },
      ],
      adminRoutes: [
        {
          owner: 'core/llm',
          setup: ({ router }) => {
            router.get('/usage', (ctx) => {
              ctx.body = { tokens: 42 };
            });
          },
        },
      ],
      extraRoutes: [
        {
          prefix: '/sandbox',
          owner: 'sandbox',
          middleware: async (ctx) => {
            ctx.body = { emulator: true, path: ctx.path };
          },
        },
      ],
      coreInfo: {
        plugins: async () => [{ id: 'notes', version: '1.0.0', health: { ok: true } }],
        settings: () => [{ name: 'OPENAI_API_KEY', value: '***' }],
        migrations: async () => [{ name: 'core:0001-http-admin-tokens', applied: true }],
      },
      webhook: {
        secret: WEBHOOK_SECRET,
        handle: async (update) => {
          if ((update as { update_id: number }).update_id === 4040)
            throw new InvalidUpdateError('message.text is not a string');
          if ((update as { update_id: number }).update_id === 5050) throw new Error('pipeline broke');
          handedOver.push(update);
        },
      },
      isReady: () => ready,
    });
    const { url, port } = await server.listen(0, '127.0.0.1');
    expect(port).toBeGreaterThan(0);
    base = url;
  });

  afterAll(async () => {
    await server?.close();
    await closeDb?.();
  });

  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(base + path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const send = (method: string, path: string, body: string, token?: string, type = 'application/json') =>
    fetch(base + path, {
      method,
      body,
      headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  async function expectError(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string; correlationId: string } };
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.correlationId).toBe(res.headers.get('x-request-id'));
    return body;
  }

  it('answers /healthz always and /readyz 503 until ready, then 200', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'starting' });
    ready = true;
    const isReady = await get('/readyz');
    expect(isReady.status).toBe(200);
    expect(await isReady.json()).toEqual({ status: 'ready' });
  });

  it('rejects admin requests without a token with 401 and a Bearer challenge', async () => {
    const res = await get('/admin/api/notes/notes');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="botloom-admin"');
    await expectError(res, 401, 'UNAUTHORIZED');
    // Letter case and doubled slashes do not get around the token check.
    await expectError(await get('/ADMIN/Api/notes/notes'), 401, 'UNAUTHORIZED');
    expect((await get('//admin/api/notes/notes')).status).toBe(404);
    // Unknown admin paths do not reveal whether they exist.
    await expectError(await get('/admin/api/nope/anything'), 401, 'UNAUTHORIZED');
  });

  it('rejects unknown, malformed and revoked tokens with 401', async () => {
    const unknown = await get('/admin/api/notes/notes', 'blt_made-up');
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await expectError(unknown, 401, 'INVALID_TOKEN');
    await expectError(await get('/admin/api/notes/notes', revokedToken), 401, 'INVALID_TOKEN');
    await expectError(
      await fetch(`${base}/admin/api/notes/notes`, { headers: { authorization: `Basic ${btoa('a:b')}` } }),
      401,
      'INVALID_TOKEN',
    );
  });

  it('lets a viewer read and an admin write; a viewer writing gets 403', async () => {
    const read = await get('/admin/api/notes/notes', viewerToken);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ notes: [] });

    await expectError(
      await send('POST', '/admin/api/notes/notes', '{"text":"hi"}', viewerToken),
      403,
      'FORBIDDEN',
    );
    const written = await send('POST', '/admin/api/notes/notes', '{"text":"hi"}', adminToken);
    expect(written.status).toBe(201);
    expect(await (await get('/admin/api/notes/notes', viewerToken)).json()).toEqual({ notes: ['hi'] });
  });

  it('requireRole("admin") guards a GET that exposes content', async () => {
    await expectError(await get('/admin/api/notes/transcripts', viewerToken), 403, 'FORBIDDEN');
    const res = await get('/admin/api/notes/transcripts', adminToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ transcripts: ['private'] });
  });

  it('lets a public route demand a token with requireRole', async () => {
    await expectError(await get('/p/notes/stats'), 401, 'UNAUTHORIZED');
    expect(await (await get('/p/notes/stats', viewerToken)).json()).toEqual({ by: 'viewer' });
  });

  it('answers 400 to malformed JSON and 413 to an oversized body', async () => {
    await expectError(
      await send('POST', '/admin/api/notes/notes', '{"text": ', adminToken),
      400,
      'MALFORMED_JSON',
    );
    const big = JSON.stringify({ text: 'x'.repeat(20_000) });
    await expectError(
      await send('POST', '/admin/api/notes/notes', big, adminToken),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    await expectError(await send('POST', '/p/notes/echo', '{"n":', undefined), 400, 'MALFORMED_JSON');
  });

  it('answers 422 with issues from parseBody/parseQuery and 415 for non-JSON bodies', async () => {
    const res = await send('POST', '/admin/api/notes/notes', '{"text":""}', adminToken);
    const body = (await expectError(res, 422, 'VALIDATION_FAILED')) as unknown as {
      error: { issues: Array<{ path: string; code: string }> };
    };
    expect(body.error.issues).toEqual([expect.objectContaining({ path: 'text', code: 'too_small' })]);
    await expectError(
      await send('POST', '/admin/api/notes/notes', '{"text":"a","x":1}', adminToken),
      422,
      'VALIDATION_FAILED',
    );
    await expectError(await send('POST', '/admin/api/notes/notes', '', adminToken), 422, 'VALIDATION_FAILED');
    await expectError(await get('/admin/api/notes/notes?limit=0', viewerToken), 422, 'VALIDATION_FAILED');
    await expectError(
      await send('POST', '/admin/api/notes/notes', 'text=hi', adminToken, 'text/plain'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('answers unknown routes with a JSON 404 and a wrong method with 405', async () => {
    await expectError(await get('/nowhere'), 404, 'NOT_FOUND');
    await expectError(await get('/p/notes/nowhere'), 404, 'NOT_FOUND');
    await expectError(await get('/admin/api/notes/nowhere', adminToken), 404, 'NOT_FOUND');
    await expectError(await get('/admin/api/notes/missing', adminToken), 404, 'NOTE_NOT_FOUND');
    const wrongMethod = await send('DELETE', '/healthz', '');
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    await expectError(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
  });

  it('hides internals of unexpected errors behind a 500', async () => {
    const res = await get('/admin/api/notes/boom', adminToken);
    const text = await res.clone().text();
    await expectError(res, 500, 'INTERNAL_ERROR');
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/\bat .*\.ts/);
  });

  it("maps core's named domain errors to statuses, with their own code, message and details", async () => {
    const cases: Array<[string, number, string, string, unknown]> = [
      ['not-found', 404, 'NOT_FOUND', 'No note 8', undefined],
      ['conflict', 409, 'NOTE_LOCKED', 'Note 8 is locked', { by: 'bob' }],
      ['invalid-input', 400, 'INVALID_INPUT', 'Notes cannot mention themselves', undefined],
      ['forbidden', 403, 'NOT_AUTHOR', 'Only the author may do that', undefined],
      ['unavailable', 503, 'UNAVAILABLE', 'The note index is rebuilding', undefined],
    ];
    for (const [kind, status, code, message, details] of cases) {
      const body = await expectError(await get(`/admin/api/notes/domain/${kind}`, viewerToken), status, code);
      expect(body.error.message).toBe(message);
      expect((body.error as { details?: unknown }).details).toEqual(details);
    }
    // A kind the HTTP layer does not know is a bug, not a client error.
    const odd = await get('/admin/api/notes/domain/unknown-kind', viewerToken);
    const text = await odd.clone().text();
    await expectError(odd, 500, 'INTERNAL_ERROR');
    expect(text).not.toContain('teapot');
  });

  it('answers a value PostgreSQL cannot take (a data exception) with 400, other database failures with 500', async () => {
    for (const value of ['abc', '99999999999999999999']) {
      await expectError(await get(`/admin/api/notes/db/int/${value}`, viewerToken), 400, 'INVALID_VALUE');
    }
    await expectError(await get('/admin/api/notes/db/text/a%00b', viewerToken), 400, 'INVALID_VALUE');
    expect((await get('/admin/api/notes/db/int/7', viewerToken)).status).toBe(200);
    await expectError(await get('/admin/api/notes/db/broken', viewerToken), 500, 'INTERNAL_ERROR');
  });

  it('answers an LLM budget refusal with 429 and Retry-After, and an LLM outage with 503, not 500', async () => {
    const budget = await get('/admin/api/notes/llm/budget', viewerToken);
    const retryAfter = Number(budget.headers.get('retry-after'));
    const body = await expectError(budget, 429, 'LLM_BUDGET_EXCEEDED');
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect((body.error as { details?: { scope?: string } }).details?.scope).toBe('notes');
    expect(JSON.stringify(body)).not.toContain('918273645');

    const down = await get('/admin/api/notes/llm/down', viewerToken);
    const downText = await down.clone().text();
    await expectError(down, 503, 'LLM_UNAVAILABLE');
    expect(downText).not.toContain('10.0.0.5');

    const limited = await get('/admin/api/notes/llm/rate-limited', viewerToken);
    expect(limited.headers.get('retry-after')).toBe('30');
    await expectError(limited, 503, 'LLM_RATE_LIMITED');
  });

  it('sets security headers, and lets a public page opt out of X-Frame-Options', async () => {
    const admin = await get('/admin/api/notes/notes', viewerToken);
    expect(admin.headers.get('x-content-type-options')).toBe('nosniff');
    expect(admin.headers.get('x-frame-options')).toBe('DENY');
    expect(admin.headers.get('referrer-policy')).toBe('no-referrer');
    expect(admin.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(admin.headers.get('cache-control')).toBe('no-store');
    expect(admin.headers.get('x-powered-by')).toBeNull();

    const page = await get('/p/notes/page');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<p>web app</p>');
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.headers.get('content-security-policy')).toBeNull();
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('echoes a valid X-Request-Id and generates one otherwise', async () => {
    const given = await get('/healthz', undefined, { 'x-request-id': 'req-123' });
    expect(given.headers.get('x-request-id')).toBe('req-123');
    const generated = await get('/healthz', undefined, { 'x-request-id': 'bad id with spaces' });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows CORS on the admin API only for configured origins', async () => {
    const preflight = await fetch(`${base}/admin/api/notes/notes`, {
      method: 'OPTIONS',
      headers: { origin: 'https://admin.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://admin.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');

    const allowed = await get('/admin/api/notes/notes', viewerToken, { origin: 'https://admin.example' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example');
    const other = await get('/admin/api/notes/notes', viewerToken, { origin: 'https://evil.example' });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const publicRoute = await get('/p/notes/page', undefined, { origin: 'https://admin.example' });
    expect(publicRoute.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves core info and manages tokens through /admin/api/core', async () => {
    expect(await (await get('/admin/api/core/plugins', viewerToken)).json()).toEqual([
      { id: 'notes', version: '1.0.0', health: { ok: true } },
    ]);
    expect(await (await get('/admin/api/core/settings', viewerToken)).json()).toEqual([
      { name: 'OPENAI_API_KEY', value: '***' },
    ]);
    expect((await get('/admin/api/core/migrations', viewerToken)).status).toBe(200);
    expect(await (await get('/admin/api/core/me', viewerToken)).json()).toMatchObject({
      admin: { name: 'viewer', role: 'viewer' },
    });

    await expectError(await get('/admin/api/core/tokens', viewerToken), 403, 'FORBIDDEN');
    const created = await send('POST', '/admin/api/core/tokens', '{"name":"ci","role":"viewer"}', adminToken);
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    expect((await get('/admin/api/notes/notes', token)).status).toBe(200);

    const list = (await (await get('/admin/api/core/tokens', adminToken)).json()) as {
      tokens: Array<{ id: string }>;
    };
    expect(list.tokens.map((t) => t.id)).toContain(id);
    expect(JSON.stringify(list)).not.toContain(token);

    await expectError(
      await send('POST', '/admin/api/core/tokens', '{"name":"x","role":"root"}', adminToken),
      422,
      'VALIDATION_FAILED',
    );
    expect(
      (
        await fetch(`${base}/admin/api/core/tokens/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${adminToken}` },
        })
      ).status,
    ).toBe(204);
    await expectError(await get('/admin/api/notes/notes', token), 401, 'INVALID_TOKEN');
    await expectError(
      await fetch(`${base}/admin/api/core/tokens/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${adminToken}` },
      }),
      404,
      'TOKEN_NOT_FOUND',
    );
  });

  it('mounts core-area admin routes behind auth and extra routes under their prefix', async () => {
    await expectError(await get('/admin/api/core/llm/usage'), 401, 'UNAUTHORIZED');
    expect(await (await get('/admin/api/core/llm/usage', viewerToken)).json()).toEqual({ tokens: 42 });
    expect(await (await get('/sandbox/bot123/getMe')).json()).toEqual({
      emulator: true,
      path: '/sandbox/bot123/getMe',
    });
  });

  describe('POST /telegram/webhook', () => {
    const update = {
      update_id: 1001,
      message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: 'hi' },
    };
    const post = (headers: Record<string, string>, body = JSON.stringify(update)) =>
      fetch(`${base}/telegram/webhook`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });

    it('rejects a missing or wrong secret with 401 and hands nothing over', async () => {
      const before = handedOver.length;
      await expectError(await post({}), 401, 'INVALID_WEBHOOK_SECRET');
      await expectError(
        await post({ 'x-telegram-bot-api-secret-token': 'wrong' }),
        401,
        'INVALID_WEBHOOK_SECRET',
      );
      await expectError(
        await post({ 'x-telegram-bot-api-secret-token': `${WEBHOOK_SECRET}x` }),
        401,
        'INVALID_WEBHOOK_SECRET',
      );
      expect(handedOver.length).toBe(before);
    });

    it('hands a valid update over and answers 200', async () => {
      const res = await post({ 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET });
      expect(res.status).toBe(200);
      expect(handedOver.at(-1)).toEqual(update);
    });

    it('rejects malformed and oversized updates without handing them over', async () => {
      const before = handedOver.length;
      const auth = { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET };
      await expectError(await post(auth, '{"update_id":'), 400, 'MALFORMED_JSON');
      await expectError(await post(auth, '{"message":{}}'), 400, 'MALFORMED_UPDATE');
      await expectError(await post(auth, '[1,2]'), 400, 'MALFORMED_UPDATE');
      await expectError(
        await post(auth, JSON.stringify({ update_id: 5, pad: 'x'.repeat(20_000) })),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      expect(handedOver.length).toBe(before);
    });

    it('answers 400 to an update the bot refuses, 500 (Telegram retries) when handing over fails', async () => {
      const auth = { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET };
      const refused = await post(auth, JSON.stringify({ update_id: 4040, message: { text: 1 } }));
      await expectError(refused, 400, 'MALFORMED_UPDATE');
      const failed = await post(auth, JSON.stringify({ update_id: 5050, message: {} }));
      expect(failed.status).toBe(500);
    });

    it('answers 503 while not ready so Telegram retries later', async () => {
      ready = false;
      try {
        await expectError(
          await post({ 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET }),
          503,
          'NOT_READY',
        );
      } finally {
        ready = true;
      }
    });
  });

  it('exposes request counters per owner at /metrics', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/botloom_http_requests_total\{owner="notes",status="2xx"\} [1-9]/);
    expect(text).toMatch(/botloom_http_requests_total\{owner="notes",status="4xx"\} [1-9]/);
    expect(text).toMatch(/botloom_http_requests_total\{owner="core\/llm",status="2xx"\} 1/);
    expect(text).toMatch(/botloom_http_requests_total\{owner="sandbox",status="2xx"\} 1/);
    expect(text).toContain('botloom_updates_total');
  });
});

describe('route clash detection', () => {
  const base = (): HttpServerOptions => ({
    config: CoreConfigSchema.parse({}),
    logger: pino({ level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
    // Never called: creating the server does not touch the database.
    adminTokens: new AdminTokenService({} as Sequelize),
    plugins: [],
    coreInfo: { plugins: async () => [], settings: async () => [], migrations: async () => [] },
    isReady: () => true,
  });

  function bootError(options: HttpServerOptions): { code?: string; message: string } {
    try {
      createHttpServer(options);
    } catch (err) {
      return err as { code?: string; message: string };
    }
    throw new Error('expected a boot error');
  }

  it('throws ROUTE_CLASH naming both plugins whose ids collide after normalisation', () => {
    const err = bootError({
      ...base(),
      plugins: [
        { id: 'notes', admin: ({ router }) => void router.get('/list', () => {}) },
        { id: 'Notes', admin: ({ router }) => void router.get('/list', () => {}) },
      ],
    });
    expect(err.code).toBe('ROUTE_CLASH');
    expect(err.message).toContain('"notes"');
    expect(err.message).toContain('"Notes"');
  });

  it('throws ROUTE_CLASH when one plugin registers the same route twice, instead of shadowing it', () => {
    const err = bootError({
      ...base(),
      plugins: [
        {
          id: 'notes',
          http: ({ router }) => {
            router.get('/items/:id', () => {});
            router.get('/items/:itemId', () => {});
          },
        },
      ],
    });
    expect(err.code).toBe('ROUTE_CLASH');
    expect(err.message).toMatch(/GET \/p\/notes\/items\/:id/);
    expect(err.message).toContain('registered twice by "notes"');
    // Different methods on one path are not a clash.
    expect(() =>
      createHttpServer({
        ...base(),
        plugins: [
          {
            id: 'notes',
            http: ({ router }) => {
              router.get('/items/:id', () => {});
              router.put('/items/:id', () => {});
            },
          },
        ],
      }),
    ).not.toThrow();
  });

  it('throws ROUTE_CLASH naming core and the extra route that reuses a core path', () => {
    const err = bootError({
      ...base(),
      extraRoutes: [{ prefix: '/healthz', owner: 'sandbox', middleware: async () => {} }],
    });
    expect(err.code).toBe('ROUTE_CLASH');
    expect(err.message).toMatch(/GET \/healthz/);
    expect(err.message).toContain('"core"');
    expect(err.message).toContain('"sandbox"');
  });

  it('throws ROUTE_CLASH when an extra route reaches into a plugin or the admin API', () => {
    const intoPlugin = bootError({
      ...base(),
      plugins: [{ id: 'support', http: ({ router }) => void router.get('/form', () => {}) }],
      extraRoutes: [{ prefix: '/p/support/form', owner: 'playground', middleware: async () => {} }],
    });
    expect(intoPlugin.code).toBe('ROUTE_CLASH');
    expect(intoPlugin.message).toContain('"playground"');

    const twoExtras = bootError({
      ...base(),
      extraRoutes: [
        { prefix: '/sandbox', owner: 'sandbox', middleware: async () => {} },
        { prefix: '/sandbox/ui', owner: 'playground', middleware: async () => {} },
      ],
    });
    expect(twoExtras.code).toBe('ROUTE_CLASH');
    expect(twoExtras.message).toContain('"sandbox"');
    expect(twoExtras.message).toContain('"playground"');
  });

  it('throws ROUTE_CLASH for a plugin called "core"', () => {
    const pluginCore = bootError({
      ...base(),
      plugins: [{ id: 'core', admin: ({ router }) => void router.get('/x', () => {}) }],
    });
    expect(pluginCore.code).toBe('ROUTE_CLASH');
    expect(pluginCore.message).toContain('plugin "core"');
  });

  it('finds the same method and path from two owners, even when parameter names differ', () => {
    const err = bootError({
      ...base(),
      adminRoutes: [
        { owner: 'stats', setup: ({ router }) => void router.get('/daily/:day', () => {}) },
        { owner: 'stats/daily', setup: ({ router }) => void router.get('/:date/', () => {}) },
      ],
    });
    expect(err.code).toBe('ROUTE_CLASH');
    expect(err.message).toContain('GET /admin/api/stats/');
    expect(err.message).toContain('"stats"');
    expect(err.message).toContain('"stats/daily"');
    // Different methods on the same path are fine.
    expect(() =>
      createHttpServer({
        ...base(),
        adminRoutes: [
          { owner: 'stats', setup: ({ router }) => void router.get('/daily/:day', () => {}) },
          { owner: 'stats/daily', setup: ({ router }) => void router.delete('/:date', () => {}) },
        ],
      }),
    ).not.toThrow();
  });

  it('wraps a failing route setup in a BootError naming the plugin', () => {
    const err = bootError({
      ...base(),
      plugins: [
        {
          id: 'broken',
          admin: () => {
            throw new Error('oops');
          },
        },
      ],
    });
    expect(err.code).toBe('ROUTE_SETUP_FAILED');
    expect(err.message).toContain('"broken"');
  });

  it('refuses a plugin id the manifest rule refuses, the same rule as manifests and the scaffold', () => {
    for (const id of ['9lives', 'two--dashes', 'trailing-', 'has_underscore']) {
      expect(PLUGIN_ID_PATTERN.test(id)).toBe(false);
      const err = bootError({ ...base(), plugins: [{ id, admin: () => {} }] });
      expect(err.code).toBe('INVALID_PLUGIN_ID');
    }
  });

  it('refuses webhook mode without a secret', () => {
    const err = bootError({ ...base(), webhook: { handle: async () => {} } });
    expect(err.code).toBe('WEBHOOK_SECRET_MISSING');
  });
});
