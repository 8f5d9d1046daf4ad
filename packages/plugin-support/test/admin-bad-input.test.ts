/**
 * Issue 11 §6: every write route of the support plugin (admin API and the web app's upload)
 * answers hostile input with a clear 4xx, never a 500. Manager ids are Telegram user ids:
 * positive and within Telegram's 52-bit range, so they never overflow BIGINT or get rounded.
 */
import { type BadInputCase, findBadInputMismatches, startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supportPlugin from '../src/index.js';
import { signInitData } from '../src/services/init-data.js';

const API = '/admin/api/support';
const BOUNDARY = 'botloom-bad-input';
const FORM = `multipart/form-data; boundary=${BOUNDARY}`;
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

let app: TestApp;
let itemId: string;

beforeAll(async () => {
  app = await startTestApp({ plugins: [supportPlugin()] });
  const created = await app.admin.post(`${API}/knowledge`, { title: 'Hours', content: 'Open 9 to 5.' });
  expect(created.status).toBe(201);
  itemId = created.body.item.id;
});

afterAll(async () => {
  await app?.stop();
});

describe('support API: bad input', () => {
  it('answers every admin write route with 4xx and an error code, never 500', async () => {
    const item = `${API}/knowledge/${itemId}`;
    const cases: BadInputCase[] = [
      // POST /managers
      { method: 'POST', path: `${API}/managers`, raw: '{"userId":1e30,"name":"Eve"}' },
      { method: 'POST', path: `${API}/managers`, raw: '{"userId":12345678901234567890123,"name":"Eve"}' },
      { method: 'POST', path: `${API}/managers`, body: { userId: 2 ** 62, name: 'Eve' } },
      { method: 'POST', path: `${API}/managers`, body: { userId: -5, name: 'Eve' } },
      { method: 'POST', path: `${API}/managers`, body: { userId: 0, name: 'Eve' } },
      { method: 'POST', path: `${API}/managers`, body: { userId: 1.5, name: 'Eve' } },
      { method: 'POST', path: `${API}/managers`, body: { userId: '500002', name: 'Eve' } },
      { method: 'POST', path: `${API}/managers`, body: { userId: 500002, name: ' ' } },
      { method: 'POST', path: `${API}/managers`, body: { userId: 500002, name: 'x'.repeat(101) } },
      { method: 'POST', path: `${API}/managers`, body: { userId: 500002, name: 'Eve', role: 'owner' } },
      { method: 'POST', path: `${API}/managers`, raw: '{"userId":', status: 400, code: 'MALFORMED_JSON' },
      { method: 'POST', path: `${API}/managers`, raw: 'userId=1', contentType: 'text/plain', status: 415 },
      // DELETE /managers/:id
      { method: 'DELETE', path: `${API}/managers/12345678901234567890123` },
      { method: 'DELETE', path: `${API}/managers/-5` },
      { method: 'DELETE', path: `${API}/managers/1e3` },
      { method: 'DELETE', path: `${API}/managers/abc` },
      { method: 'DELETE', path: `${API}/managers/500009`, status: 404, code: 'MANAGER_NOT_FOUND' },
      // PUT /managers/:id (rename)
      { method: 'PUT', path: `${API}/managers/-5`, body: { name: 'Eve' } },
      { method: 'PUT', path: `${API}/managers/500009`, body: { name: ' ' } },
      { method: 'PUT', path: `${API}/managers/500009`, body: { name: 'x'.repeat(101) } },
      { method: 'PUT', path: `${API}/managers/500009`, body: { name: 'Eve', userId: 1 } },
      {
        method: 'PUT',
        path: `${API}/managers/500009`,
        body: { name: 'Eve' },
        status: 404,
        code: 'MANAGER_NOT_FOUND',
      },
      // POST /tickets/:id/close
      { method: 'POST', path: `${API}/tickets/99999999999/close` },
      { method: 'POST', path: `${API}/tickets/0/close` },
      { method: 'POST', path: `${API}/tickets/1e3/close` },
      { method: 'POST', path: `${API}/tickets/123/close`, status: 404, code: 'TICKET_NOT_FOUND' },
      // POST /knowledge
      { method: 'POST', path: `${API}/knowledge`, body: {} },
      { method: 'POST', path: `${API}/knowledge`, body: { title: '', content: 'x' } },
      { method: 'POST', path: `${API}/knowledge`, body: { title: 'x'.repeat(201), content: 'x' } },
      { method: 'POST', path: `${API}/knowledge`, body: { title: 'T', content: 42 } },
      { method: 'POST', path: `${API}/knowledge`, raw: '{"title":', status: 400, code: 'MALFORMED_JSON' },
      // PUT / PATCH / DELETE /knowledge/:id
      { method: 'PUT', path: item, body: {} },
      { method: 'PUT', path: item, body: { title: 7 } },
      { method: 'PATCH', path: item, body: { content: '' } },
      { method: 'PATCH', path: item, raw: '[', status: 400, code: 'MALFORMED_JSON' },
      { method: 'PUT', path: `${API}/knowledge/not-a-uuid`, body: { title: 'T' } },
      { method: 'PATCH', path: `${API}/knowledge/12345678901234567890123`, body: { title: 'T' } },
      { method: 'PUT', path: `${API}/knowledge/${MISSING_UUID}`, body: { title: 'T' }, status: 404 },
      { method: 'DELETE', path: `${API}/knowledge/not-a-uuid` },
      { method: 'DELETE', path: `${API}/knowledge/${MISSING_UUID}`, status: 404 },
      // Routes without input still refuse a broken body.
      { method: 'POST', path: `${API}/status/check`, raw: '{', status: 400, code: 'MALFORMED_JSON' },
      { method: 'POST', path: `${API}/knowledge/sync`, raw: '{', status: 400, code: 'MALFORMED_JSON' },
      // Roles still come first.
      {
        method: 'POST',
        path: `${API}/managers`,
        body: { userId: 1, name: 'V' },
        token: app.viewerToken,
        status: 403,
      },
    ];
    expect(await findBadInputMismatches(app.url, app.adminToken, cases)).toEqual([]);
  });

  it('answers the web app upload with 4xx for bad initData and bad bodies', async () => {
    const botToken = app.app.bot!.api.token;
    const initData = (id: number) => signInitData(botToken, { user: { id, first_name: 'Eve' } });
    const upload = '/p/support/api/upload';
    const cases: BadInputCase[] = [
      { method: 'POST', path: upload, raw: 'x', contentType: FORM, status: 401 },
      {
        method: 'POST',
        path: upload,
        raw: 'x',
        contentType: FORM,
        headers: { authorization: 'tma junk' },
        status: 401,
      },
      // Signed, but with a user id no Telegram user has.
      {
        method: 'POST',
        path: upload,
        raw: 'x',
        contentType: FORM,
        headers: { authorization: `tma ${initData(2 ** 62)}` },
        status: 401,
      },
      {
        method: 'POST',
        path: upload,
        raw: '{}',
        headers: { authorization: `tma ${initData(700001)}` },
        status: 415,
      },
      {
        method: 'POST',
        path: upload,
        raw: 'not multipart',
        contentType: FORM,
        headers: { authorization: `tma ${initData(700001)}` },
        status: 400,
      },
      {
        method: 'POST',
        path: upload,
        raw: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nhi\r\n--${BOUNDARY}--\r\n`,
        contentType: FORM,
        headers: { authorization: `tma ${initData(700001)}` },
        status: 400,
        code: 'NO_FILE',
      },
    ];
    expect(await findBadInputMismatches(app.url, null, cases)).toEqual([]);
  });

  it('keeps a manager id at the top of Telegram range exactly', async () => {
    const id = 2 ** 52 - 1;
    const added = await app.admin.post(`${API}/managers`, { userId: id, name: 'Max' });
    expect(added.status).toBe(201);
    expect(added.body.manager.userId).toBe(id);
    expect((await app.admin.delete(`${API}/managers/${id}`)).status).toBe(204);
  });
});
