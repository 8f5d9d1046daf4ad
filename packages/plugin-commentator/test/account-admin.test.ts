import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxGateway, SANDBOX_LOGIN_CODE } from '../src/gateway/sandbox-gateway.js';
import type { UserAccountGateway } from '../src/gateway/user-account-gateway.js';
import commentatorPlugin from '../src/index.js';
import { createChannel, eventually, type SandboxChannel, servicesOf } from './support/helpers.js';

// An admin edits an account's voice guide and takes an account out of use and back, over HTTP.
const OWNER = 650_001;
const API = '/admin/api/commentator';
let gateway: UserAccountGateway | null = null;
let t: TestApp;
let ch: SandboxChannel;
let accountId: number;
let botAccountId: number;

beforeAll(async () => {
  t = await startTestApp({
    plugins: [
      commentatorPlugin({ brandName: 'Acme', minSpacingSeconds: 0 }, { accountGateway: () => gateway }),
    ],
  });
  gateway = createSandboxGateway(t.emulator.url);
  await t.sandbox.createUser({ id: OWNER, first_name: 'Olga' });
  ch = await createChannel(t, OWNER, 'Trail news');
  const created = await t.admin.post(`${API}/accounts`, { phone: '+15550004321', label: 'Ann from Acme' });
  accountId = created.body.account.id;
  const signedIn = await t.admin.post(`${API}/accounts/${accountId}/code`, { code: SANDBOX_LOGIN_CODE });
  expect(signedIn.body.status).toBe('signed_in');
  botAccountId = (await servicesOf(t).accounts.botAccount('Acme')).id;
});

afterAll(() => t?.stop());

async function account(id: number) {
  const res = await t.viewer.get(`${API}/accounts`);
  return res.body.items.find((a: { id: number }) => a.id === id);
}

async function draftOf(text: string) {
  return eventually(async () => {
    await servicesOf(t).channels.pollAccountChannels();
    const res = await t.admin.get(`${API}/drafts?limit=200`);
    return res.body.items.find((d: { postText: string }) => d.postText === text);
  });
}

describe("an account's voice guide and its use, from the admin API", { timeout: 180_000 }, () => {
  it('replaces the voice guide as a whole (what is left out is cleared); the disclosure line is untouched', async () => {
    const url = `${API}/accounts/${accountId}/voice`;
    const voice = {
      style: 'Short, friendly answers from the rental desk; says "we" for the shop.',
      tone: 'warm',
      interests: ['trail maintenance', 'e-bike batteries'],
      vocabulary: ['ride', 'trail'],
      phrases: ['See you on the trail'],
    };
    const saved = await t.admin.put(url, { voice });
    expect(saved.status).toBe(200);
    expect(saved.body.account).toMatchObject({ id: accountId, voice, disclosureEnabled: true });
    expect((await account(accountId)).voice).toEqual(voice);
    expect(await servicesOf(t).accounts.voice(accountId)).toEqual(voice);

    const styleOnly = await t.admin.put(url, { voice: { style: 'Plain and brief.' } });
    expect(styleOnly.body.account.voice).toEqual({
      style: 'Plain and brief.',
      tone: '',
      interests: [],
      vocabulary: [],
      phrases: [],
    });
    expect((await t.admin.put(url, {})).body.account.voice.style).toBe('');

    // Core records the write in the audit log, with who made it.
    const audit = await t.admin.get('/admin/api/core/panel/audit?limit=100');
    expect(audit.body.entries).toContainEqual(
      expect.objectContaining({ method: 'PUT', path: url, status: 200, actor: 'test-admin' }),
    );
  });

  it('refuses a bad voice guide with a 4xx that names the field, and a viewer with 403', async () => {
    const url = `${API}/accounts/${accountId}/voice`;
    expect((await t.viewer.put(url, { voice: { style: 'x' } })).status).toBe(403);
    const long = await t.admin.put(url, { voice: { style: 'x'.repeat(501) } });
    expect(long.status).toBe(422);
    expect(long.body.error.issues[0].path).toBe('voice.style');
    expect((await t.admin.put(url, { voice: { interests: 'bikes' } })).status).toBe(422);
    expect((await t.admin.put(url, { voice: { interests: Array(31).fill('bikes') } })).status).toBe(422);
    // No other keys: a "persona" (who the account pretends to be) has no place to go.
    expect((await t.admin.put(url, { voice: { persona: 'a happy customer' } })).status).toBe(422);
    expect((await t.admin.put(url, { disclosureEnabled: false })).status).toBe(422);
    expect((await t.admin.put(`${API}/accounts/99999/voice`, {})).status).toBe(404);
    expect((await t.admin.put(`${API}/accounts/abc/voice`, {})).status).toBe(422);
    expect((await account(accountId)).disclosureEnabled).toBe(true);
  });

  it('deactivation withdraws scheduled comments and refuses approvals; reactivation signs in again with a code', async () => {
    const channel = await t.admin.post(`${API}/channels`, {
      chatId: ch.channelId,
      route: 'account',
      accountId,
    });
    expect(channel.status).toBe(201);
    // FLOOD_WAIT for an hour: an approved comment is scheduled for after it, not sent now.
    await servicesOf(t).security.pause(accountId, 'flood_wait', new Date(Date.now() + 3_600_000));
    await t.sandbox.postInChannel(ch.channelId, 'Forest trail reopened after the storm.', OWNER);
    await t.sandbox.postInChannel(ch.channelId, 'New bike wash station at the trailhead.', OWNER);
    const first = await draftOf('Forest trail reopened after the storm.');
    const second = await draftOf('New bike wash station at the trailhead.');
    const approved = await t.admin.post(`${API}/drafts/${first.id}/approve`);
    expect(approved.body.draft.status).toBe('scheduled');

    const url = `${API}/accounts/${accountId}/deactivate`;
    expect((await t.viewer.post(url)).status).toBe(403);
    const off = await t.admin.post(url);
    expect(off.status).toBe(200);
    expect(off.body.account).toMatchObject({
      status: 'deactivated',
      signedIn: false,
      canDeactivate: false,
      canReactivate: true,
    });
    const withdrawn = (await t.viewer.get(`${API}/drafts/${first.id}`)).body.draft;
    expect(withdrawn.status).toBe('failed');
    expect(withdrawn.failureReason).toMatch(/^ACCOUNT_DEACTIVATED/);
    const refused = await t.admin.post(`${API}/drafts/${second.id}/approve`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ACCOUNT_DEACTIVATED');
    const retry = await t.admin.post(`${API}/drafts/${first.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('ACCOUNT_DEACTIVATED');
    const again = await t.admin.post(url);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ACCOUNT_DEACTIVATED');
    const log = (await t.viewer.get(`${API}/accounts/${accountId}/log`)).body.items;
    expect(log[0]).toMatchObject({ event: 'deactivated', details: { by: 'admin:test-admin', withdrawn: 1 } });

    // The bot's own account is never taken out of use, and is never "reactivated".
    for (const action of ['deactivate', 'reactivate']) {
      const bot = await t.admin.post(`${API}/accounts/${botAccountId}/${action}`);
      expect(bot.status).toBe(409);
      expect(bot.body.error.code).toBe('BOT_ACCOUNT');
    }
    expect((await t.admin.post(`${API}/accounts/99999/deactivate`)).status).toBe(404);

    const on = await t.admin.post(`${API}/accounts/${accountId}/reactivate`);
    expect(on.status).toBe(200);
    expect(on.body.account).toMatchObject({ status: 'pending_code', canReactivate: false });
    const signedIn = await t.admin.post('/admin/api/commentator/login-codes', {
      accountId,
      code: SANDBOX_LOGIN_CODE,
    });
    expect(signedIn.body).toMatchObject({
      status: 'signed_in',
      account: { status: 'active', signedIn: true },
    });
    const twice = await t.admin.post(`${API}/accounts/${accountId}/reactivate`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ACCOUNT_NOT_DEACTIVATED');
    const events = (await t.viewer.get(`${API}/accounts/${accountId}/log`)).body.items.map(
      (e: { event: string }) => e.event,
    );
    expect(events.slice(0, 3)).toEqual(['login', 'code_requested', 'reactivation_requested']);

    // Back in use: the held draft can be approved, the withdrawn comment sent again on a person's word.
    expect((await t.admin.post(`${API}/drafts/${second.id}/approve`)).body.draft.status).toBe('scheduled');
    expect((await t.admin.post(`${API}/drafts/${first.id}/retry`)).body.draft.status).toBe('scheduled');
  });
});
