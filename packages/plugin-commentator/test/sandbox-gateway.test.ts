import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxGateway, SANDBOX_LOGIN_CODE } from '../src/gateway/sandbox-gateway.js';
import type { UserAccountGateway } from '../src/gateway/user-account-gateway.js';
import commentatorPlugin from '../src/index.js';
import { createChannel, eventually, type SandboxChannel, servicesOf } from './support/helpers.js';

// The account route played in the sandbox: a signed-in account is a sandbox person who
// comments under the post's automatic forward, as a user account does over MTProto.
const OWNER = 640_001;
const API = '/admin/api/commentator';
let gateway: UserAccountGateway | null = null;
let t: TestApp;
let ch: SandboxChannel;
let accountId: number;
let accountUserId: number;

beforeAll(async () => {
  t = await startTestApp({
    plugins: [
      commentatorPlugin({ brandName: 'Acme', minSpacingSeconds: 0 }, { accountGateway: () => gateway }),
    ],
  });
  gateway = createSandboxGateway(t.emulator.url, { passwords: { '+15550009999': 'sandbox-2fa' } });
  await t.sandbox.createUser({ id: OWNER, first_name: 'Olga' });
  ch = await createChannel(t, OWNER, 'Trail news');
});

afterAll(() => t?.stop());

async function draftOf(text: string) {
  return eventually(async () => {
    const res = await t.admin.get(`${API}/drafts`);
    return res.body.items.find((d: { postText: string }) => d.postText === text);
  });
}

describe('the sandbox account adapter', { timeout: 180_000 }, () => {
  it('logs in with the sandbox code (and asks for 2FA where set)', async () => {
    const created = await t.admin.post(`${API}/accounts`, { phone: '+15550001234', label: 'Ann from Acme' });
    accountId = created.body.account.id;
    expect((await t.admin.post(`${API}/accounts/${accountId}/code`, { code: '99999' })).body.error.code).toBe(
      'PHONE_CODE_INVALID',
    );
    const ok = await t.admin.post(`${API}/accounts/${accountId}/code`, { code: SANDBOX_LOGIN_CODE });
    expect(ok.body.status).toBe('signed_in');
    accountUserId = ok.body.account.telegramUserId;
    expect((await t.sandbox.getUser(accountUserId)).username).toBe('acct_15550001234');

    const twoFa = await t.admin.post(`${API}/accounts`, { phone: '+15550009999', label: 'Bo' });
    const id = twoFa.body.account.id;
    expect((await t.admin.post(`${API}/accounts/${id}/code`, { code: SANDBOX_LOGIN_CODE })).body.status).toBe(
      'password_needed',
    );
    const wrong = await t.admin.post(`${API}/accounts/${id}/code`, {
      code: SANDBOX_LOGIN_CODE,
      password: 'x',
    });
    expect(wrong.body.error.code).toBe('PASSWORD_INVALID');
  });

  it('comments as the account; not being in the discussion group is CHAT_GUEST_SEND_FORBIDDEN', async () => {
    const channel = await t.admin.post(`${API}/channels`, {
      chatId: ch.channelId,
      route: 'account',
      accountId,
    });
    expect(channel.body.channel).toMatchObject({ route: 'account', commentsOpen: true, owned: false });

    await t.sandbox.postInChannel(ch.channelId, 'Forest trail reopened.', OWNER);
    const first = await draftOf('Forest trail reopened.');
    expect(first.text.endsWith('— Ann from Acme')).toBe(true);
    await t.admin.post(`${API}/drafts/${first.id}/approve`);
    const failed = await eventually(async () => {
      const d = (await t.admin.get(`${API}/drafts/${first.id}`)).body.draft;
      return d.status === 'failed' ? d : null;
    });
    expect(failed.failureReason).toMatch(/^CHAT_GUEST_SEND_FORBIDDEN/);

    await t.sandbox.addMember(ch.groupId, accountUserId);
    await t.sandbox.postInChannel(ch.channelId, 'Bike wash at the trailhead.', OWNER);
    const second = await draftOf('Bike wash at the trailhead.');
    await t.admin.post(`${API}/drafts/${second.id}/approve`);
    await eventually(
      async () => (await t.admin.get(`${API}/drafts/${second.id}`)).body.draft.status === 'sent',
    );
    const group = await t.sandbox.transcript(ch.groupId);
    const ours = group.filter((m) => m.from?.id === accountUserId && m.text === second.text);
    expect(ours).toHaveLength(1);
    expect((ours[0]!.reply_to_message as { is_automatic_forward?: boolean }).is_automatic_forward).toBe(true);

    // A reader's reaction on the comment is read through the account as engagement.
    await t.sandbox.react(OWNER, ch.groupId, ours[0]!.message_id, ['🔥']);
    // The bot, a member of the group, gets the same reaction as an update: let it be handled
    // first, so the account's reading is shown not to be counted a second time.
    await t.settled();
    await servicesOf(t).engagement.measure();
    const comments = (await t.viewer.get(`${API}/comments`)).body.items;
    expect(comments.find((c: { id: number }) => c.id === second.id)).toMatchObject({ reactions: 1 });
  });

  it('logout ends the session: the health check then fails, and it is logged', async () => {
    const out = await t.admin.post(`${API}/accounts/${accountId}/logout`);
    expect(out.body.account.status).toBe('logged_out');
    expect((await t.admin.post(`${API}/accounts/${accountId}/health`)).body).toEqual({
      ok: false,
      code: 'SESSION_REVOKED',
    });
    const log = (await t.admin.get(`${API}/accounts/${accountId}/log`)).body.items.map(
      (e: { event: string }) => e.event,
    );
    expect(log).toEqual(expect.arrayContaining(['code_requested', 'login_failed', 'login', 'logout']));
  });
});
