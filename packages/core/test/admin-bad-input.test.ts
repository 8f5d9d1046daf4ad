/**
 * Issue 11 §6: every write route of core's admin API answers hostile input with a clear 4xx
 * (never a 500), Telegram ids are checked with the shared zod schemas, and budgets are only
 * accepted for loaded plugins. Real app, real PostgreSQL, HTTP as a client sends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../src/plugin/define-plugin.js';
import {
  type BadInputCase,
  findBadInputMismatches,
  startTestApp,
  type TestApp,
} from '../src/testing/index.js';
import {
  MAX_SERIAL_ID,
  MAX_TELEGRAM_ID,
  serialIdParam,
  telegramChatId,
  telegramChatIdParam,
  telegramUserId,
  telegramUserIdParam,
} from '../src/validation/index.js';

describe('Telegram id schemas', () => {
  it('accept ids in Telegram ranges and refuse the rest', () => {
    for (const ok of [1, 777000, 5_000_000_000, MAX_TELEGRAM_ID])
      expect(telegramUserId.safeParse(ok)).toEqual({ success: true, data: ok });
    for (const bad of [0, -5, 1.5, 1e30, 2 ** 62, MAX_TELEGRAM_ID + 1, Number.NaN, Infinity, '42', null])
      expect(telegramUserId.safeParse(bad).success, String(bad)).toBe(false);

    for (const ok of [42, -4_000_000_000, -1001234567890, -MAX_TELEGRAM_ID])
      expect(telegramChatId.safeParse(ok).success, String(ok)).toBe(true);
    for (const bad of [0, 1e30, -(2 ** 62), 2.5, '-100123'])
      expect(telegramChatId.safeParse(bad).success, String(bad)).toBe(false);
  });

  it('parse path parameters strictly', () => {
    expect(telegramUserIdParam.parse('424242')).toBe(424242);
    expect(telegramUserIdParam.parse(String(MAX_TELEGRAM_ID))).toBe(MAX_TELEGRAM_ID);
    for (const bad of ['12345678901234567890123', '0', '-5', '007', '1e3', '0x10', ' 42', '+42', '4.0', ''])
      expect(telegramUserIdParam.safeParse(bad).success, bad).toBe(false);
    expect(telegramChatIdParam.parse('-1001234567890')).toBe(-1001234567890);
    for (const bad of ['-0', '0', '--5', '-', '1e30', '99999999999999999'])
      expect(telegramChatIdParam.safeParse(bad).success, bad).toBe(false);
    expect(serialIdParam.parse('17')).toBe(17);
    expect(serialIdParam.parse(String(MAX_SERIAL_ID))).toBe(MAX_SERIAL_ID);
    for (const bad of ['0', '2147483648', '1e3', '-1', '3.5'])
      expect(serialIdParam.safeParse(bad).success, bad).toBe(false);
  });
});

describe("core's admin API refuses bad input with a clear 4xx", () => {
  let app: TestApp;

  beforeAll(async () => {
    const greeter = definePlugin({ id: 'greeter', version: '1.0.0', core: '*' });
    app = await startTestApp({ plugins: [greeter] });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('answers every write route with 4xx and an error code, never 500', async () => {
    const tokens = '/admin/api/core/tokens';
    const budgets = '/admin/api/core/llm/budgets';
    const cases: BadInputCase[] = [
      // POST /tokens
      { method: 'POST', path: tokens, raw: '{"name":', status: 400, code: 'MALFORMED_JSON' },
      { method: 'POST', path: tokens, raw: 'name=x', contentType: 'text/plain', status: 415 },
      { method: 'POST', path: tokens, body: {} },
      { method: 'POST', path: tokens, body: [] },
      { method: 'POST', path: tokens, body: { name: 'x', role: 'root' } },
      { method: 'POST', path: tokens, body: { name: '', role: 'admin' } },
      { method: 'POST', path: tokens, body: { name: 'x'.repeat(101), role: 'viewer' } },
      { method: 'POST', path: tokens, body: { name: 'x', role: 'admin', extra: true } },
      { method: 'POST', path: tokens, raw: '{"name":1e30,"role":"admin"}' },
      // DELETE /tokens/:id
      { method: 'DELETE', path: `${tokens}/not-a-uuid`, status: 404, code: 'TOKEN_NOT_FOUND' },
      { method: 'DELETE', path: `${tokens}/12345678901234567890123`, status: 404 },
      { method: 'DELETE', path: `${tokens}/00000000-0000-4000-8000-000000000000`, status: 404 },
      // PUT /llm/budgets/:user
      { method: 'PUT', path: `${budgets}/u1`, body: { plugin: 'ghost', tokens: 5 }, code: 'UNKNOWN_PLUGIN' },
      { method: 'PUT', path: `${budgets}/u1`, body: { plugin: 'Bad Plugin', tokens: 5 } },
      { method: 'PUT', path: `${budgets}/u1`, raw: '{"plugin":"greeter","tokens":1e30}' },
      { method: 'PUT', path: `${budgets}/u1`, body: { plugin: 'greeter', tokens: 2 ** 62 } },
      { method: 'PUT', path: `${budgets}/u1`, body: { plugin: 'greeter', tokens: -1 } },
      { method: 'PUT', path: `${budgets}/u1`, body: { plugin: '*', tokens: '5' } },
      { method: 'PUT', path: `${budgets}/u1`, body: { plugin: '*' } },
      { method: 'PUT', path: `${budgets}/${'u'.repeat(65)}`, body: { plugin: '*', tokens: 5 } },
      { method: 'PUT', path: `${budgets}/u1`, raw: '[1,', status: 400, code: 'MALFORMED_JSON' },
      // Roles and tokens still come first.
      { method: 'PUT', path: `${budgets}/u1`, body: { plugin: '*', tokens: 5 }, token: null, status: 401 },
      {
        method: 'POST',
        path: tokens,
        body: { name: 'x', role: 'admin' },
        token: app.viewerToken,
        status: 403,
      },
    ];
    expect(await findBadInputMismatches(app.url, app.adminToken, cases)).toEqual([]);
  });

  it('accepts budgets for loaded plugins and for all plugins', async () => {
    const put = await app.admin.put('/admin/api/core/llm/budgets/424242', { plugin: 'greeter', tokens: 100 });
    expect(put.status).toBe(200);
    expect(put.body.limits).toEqual([{ plugin: 'greeter', tokens: 100 }]);
    const all = await app.admin.put('/admin/api/core/llm/budgets/424242', { plugin: '*', tokens: 1000 });
    expect(all.body.limits).toEqual([
      { plugin: '*', tokens: 1000 },
      { plugin: 'greeter', tokens: 100 },
    ]);
    const refused = await app.admin.put('/admin/api/core/llm/budgets/424242', { plugin: 'ghost', tokens: 1 });
    expect(refused.body.error).toMatchObject({ code: 'UNKNOWN_PLUGIN', details: { loaded: ['greeter'] } });
  });
});
