/**
 * Issue 11 §6: every write route of the memory admin API answers hostile input with a clear
 * 4xx, never a 500. User ids in paths are Telegram user ids (memory keys users by them).
 */
import { type BadInputCase, findBadInputMismatches, startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import memoryPlugin from '../src/index.js';

const API = '/admin/api/memory';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ plugins: [memoryPlugin()] });
});

afterAll(async () => {
  await app?.stop();
});

describe('memory admin API: bad input', () => {
  it('answers every write route with 4xx and an error code, never 500', async () => {
    const limits = `${API}/users/424242/limits`;
    const cases: BadInputCase[] = [
      // PUT /users/:userId/limits
      { method: 'PUT', path: `${API}/users/12345678901234567890123/limits`, body: { dailyTokens: 5 } },
      { method: 'PUT', path: `${API}/users/-5/limits`, body: { dailyTokens: 5 } },
      { method: 'PUT', path: `${API}/users/1e3/limits`, body: { dailyTokens: 5 } },
      { method: 'PUT', path: `${API}/users/bob/limits`, body: { dailyTokens: 5 } },
      { method: 'PUT', path: limits, raw: '{"dailyTokens":1e30}' },
      { method: 'PUT', path: limits, body: { dailyTokens: 2 ** 62 } },
      { method: 'PUT', path: limits, body: { dailyTokens: -1 } },
      { method: 'PUT', path: limits, body: { dailyTokens: 1.5 } },
      { method: 'PUT', path: limits, body: { dailyTokens: '5' } },
      { method: 'PUT', path: limits, body: { scope: 'everything', dailyTokens: 5 } },
      { method: 'PUT', path: limits, body: { dailyTokens: 5, plugin: 'support' } },
      { method: 'PUT', path: limits, body: {} },
      { method: 'PUT', path: limits, raw: '{"dailyTokens":', status: 400, code: 'MALFORMED_JSON' },
      { method: 'PUT', path: limits, raw: 'dailyTokens=5', contentType: 'text/plain', status: 415 },
      { method: 'PUT', path: limits, body: { dailyTokens: 5 }, token: app.viewerToken, status: 403 },
      // DELETE /users/:userId
      { method: 'DELETE', path: `${API}/users/12345678901234567890123` },
      { method: 'DELETE', path: `${API}/users/4611686018427387904` },
      { method: 'DELETE', path: `${API}/users/0` },
      { method: 'DELETE', path: `${API}/users/alice` },
      { method: 'DELETE', path: `${API}/users/424242`, token: app.viewerToken, status: 403 },
    ];
    expect(await findBadInputMismatches(app.url, app.adminToken, cases)).toEqual([]);
  });

  it('still serves a valid Telegram user id', async () => {
    const put = await app.admin.put(`${API}/users/424242/limits`, { dailyTokens: 500 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ userId: '424242', overrides: [{ plugin: 'memory', tokens: 500 }] });
    const deleted = await app.admin.delete(`${API}/users/424242`);
    expect(deleted.status).toBe(200);
  });
});
