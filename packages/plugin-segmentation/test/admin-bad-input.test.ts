/**
 * Issue 11 §6: every write route of the segmentation admin API answers hostile input with a
 * clear 4xx, never a 500. Telegram user ids outside Telegram's range (which used to overflow
 * BIGINT or be stored rounded) are refused before they reach PostgreSQL.
 */
import { type BadInputCase, findBadInputMismatches, startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import segmentationPlugin from '../src/index.js';

const API = '/admin/api/segmentation';
const BOUNDARY = 'botloom-bad-input';

function multipart(parts: Array<{ name: string; value: string; filename?: string }>): string {
  return `${parts
    .map(
      (p) =>
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${
          p.filename ? `; filename="${p.filename}"\r\nContent-Type: text/csv` : ''
        }\r\n\r\n${p.value}\r\n`,
    )
    .join('')}--${BOUNDARY}--\r\n`;
}

const CSV =
  'card_id,timestamp,amount,currency,mcc,online,city,country\nC1,2024-01-01T00:00:00Z,10,EUR,5411,false,Lisbon,PT\n';
const FORM = `multipart/form-data; boundary=${BOUNDARY}`;

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    plugins: [segmentationPlugin({ allowedUserIds: [424242], recomputeAfterImport: false })],
  });
});

afterAll(async () => {
  await app?.stop();
});

describe('segmentation admin API: bad input', () => {
  it('answers every write route with 4xx and an error code, never 500', async () => {
    const cases: BadInputCase[] = [
      // POST /allowlist
      { method: 'POST', path: `${API}/allowlist`, raw: '{"telegramUserId":1e30}' },
      { method: 'POST', path: `${API}/allowlist`, raw: '{"telegramUserId":12345678901234567890123}' },
      { method: 'POST', path: `${API}/allowlist`, body: { telegramUserId: 2 ** 62 } },
      { method: 'POST', path: `${API}/allowlist`, body: { telegramUserId: 2 ** 52 } },
      { method: 'POST', path: `${API}/allowlist`, body: { telegramUserId: -5 } },
      { method: 'POST', path: `${API}/allowlist`, body: { telegramUserId: 0 } },
      { method: 'POST', path: `${API}/allowlist`, body: { telegramUserId: 1.5 } },
      { method: 'POST', path: `${API}/allowlist`, body: { telegramUserId: '424242' } },
      { method: 'POST', path: `${API}/allowlist`, body: { telegramUserId: 7, note: 'x'.repeat(201) } },
      { method: 'POST', path: `${API}/allowlist`, body: { telegramUserId: 7, admin: true } },
      { method: 'POST', path: `${API}/allowlist`, body: {} },
      {
        method: 'POST',
        path: `${API}/allowlist`,
        raw: '{"telegramUserId":',
        status: 400,
        code: 'MALFORMED_JSON',
      },
      {
        method: 'POST',
        path: `${API}/allowlist`,
        raw: 'telegramUserId=7',
        contentType: 'text/plain',
        status: 415,
      },
      // DELETE /allowlist/:telegramUserId
      { method: 'DELETE', path: `${API}/allowlist/12345678901234567890123` },
      { method: 'DELETE', path: `${API}/allowlist/4611686018427387904` },
      { method: 'DELETE', path: `${API}/allowlist/-5` },
      { method: 'DELETE', path: `${API}/allowlist/0` },
      { method: 'DELETE', path: `${API}/allowlist/1e3` },
      { method: 'DELETE', path: `${API}/allowlist/abc` },
      { method: 'DELETE', path: `${API}/allowlist/777`, status: 404, code: 'ALLOWLIST_NOT_FOUND' },
      // POST /recompute
      { method: 'POST', path: `${API}/recompute`, body: { k: 1 } },
      { method: 'POST', path: `${API}/recompute`, body: { k: 21 } },
      { method: 'POST', path: `${API}/recompute`, raw: '{"k":1e30}' },
      { method: 'POST', path: `${API}/recompute`, body: { k: 'five' } },
      { method: 'POST', path: `${API}/recompute`, body: { wait: 'yes' } },
      { method: 'POST', path: `${API}/recompute`, body: [] },
      { method: 'POST', path: `${API}/recompute`, raw: '{', status: 400, code: 'MALFORMED_JSON' },
      // POST /imports (multipart)
      { method: 'POST', path: `${API}/imports`, body: { file: CSV }, status: 415 },
      { method: 'POST', path: `${API}/imports`, raw: 'not multipart at all', contentType: FORM, status: 400 },
      {
        method: 'POST',
        path: `${API}/imports`,
        raw: multipart([{ name: 'skipInvalid', value: 'true' }]),
        contentType: FORM,
        status: 400,
        code: 'FILE_MISSING',
      },
      {
        method: 'POST',
        path: `${API}/imports`,
        raw: multipart([
          { name: 'skipInvalid', value: 'maybe' },
          { name: 'file', value: CSV, filename: 'a.csv' },
        ]),
        contentType: FORM,
      },
      {
        method: 'POST',
        path: `${API}/imports`,
        raw: multipart([
          { name: 'columns', value: '{not json' },
          { name: 'file', value: CSV, filename: 'a.csv' },
        ]),
        contentType: FORM,
      },
      {
        method: 'POST',
        path: `${API}/imports`,
        raw: multipart([
          { name: 'columns', value: '{"no_such_field":"x"}' },
          { name: 'file', value: CSV, filename: 'a.csv' },
        ]),
        contentType: FORM,
      },
    ];
    expect(await findBadInputMismatches(app.url, app.adminToken, cases)).toEqual([]);
  });

  it('stores the largest Telegram user id exactly', async () => {
    const id = 2 ** 52 - 1;
    const added = await app.admin.post(`${API}/allowlist`, { telegramUserId: id });
    expect(added.status).toBe(201);
    const { body } = await app.viewer.get(`${API}/allowlist`);
    expect(body.users.map((u: { telegramUserId: number }) => u.telegramUserId)).toContain(id);
    expect((await app.admin.delete(`${API}/allowlist/${id}`)).status).toBe(204);
  });
});
