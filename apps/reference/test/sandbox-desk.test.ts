import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { botIdFromToken, createSandbox, type Sandbox, SandboxClient } from '@botloom/core/sandbox';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import supportPlugin from '@botloom/plugin-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prepareSandboxDesk,
  prepareSandboxDeskData,
  SANDBOX_DESK,
  sandboxManagerGroupChatId,
  sandboxSupportSettings,
  telegramTokenConfigured,
} from '../src/sandbox-desk.js';

describe('sandbox mode detection for the support desk settings', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'botloom-desk-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads TELEGRAM_BOT_TOKEN from the environment first, then .env, empty meaning unset', async () => {
    expect(telegramTokenConfigured(dir, {})).toBe(false);
    expect(telegramTokenConfigured(dir, { TELEGRAM_BOT_TOKEN: '123:abc' })).toBe(true);
    expect(telegramTokenConfigured(dir, { TELEGRAM_BOT_TOKEN: '' })).toBe(false);
    await writeFile(path.join(dir, '.env'), 'PORT=3000\nTELEGRAM_BOT_TOKEN=\n');
    expect(telegramTokenConfigured(dir, {})).toBe(false);
    await writeFile(path.join(dir, '.env'), '# real bot\nTELEGRAM_BOT_TOKEN="123:abc"\n');
    expect(telegramTokenConfigured(dir, {})).toBe(true);
  });

  it('names the sandbox admin only in sandbox mode; the group is wired, not predicted', () => {
    expect(sandboxSupportSettings(true)).toEqual({ adminUserId: SANDBOX_DESK.manager.id });
    expect(sandboxSupportSettings(false)).toEqual({});
  });
});

describe('prepareSandboxDesk', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('creates the customer first, the manager, and the forum group, and answers its id', async () => {
    const desk = await prepareSandboxDesk(sandbox.apiRoot);
    expect(desk.createdGroup).toBe(true);
    expect(sandboxManagerGroupChatId()).toBe(desk.managerGroupChatId);
    const client = new SandboxClient(sandbox.apiRoot);
    const users = await client.listUsers();
    expect(users.map((u) => u.first_name)).toEqual(['Guest', 'Maria Manager']);
    const group = await client.getChat(desk.managerGroupChatId);
    expect(group.chat).toMatchObject({ title: 'Support managers', is_forum: true });
    expect(group.botStatus).toBe('administrator');
    expect(group.members).toEqual([{ userId: SANDBOX_DESK.manager.id, status: 'creator' }]);
    // The bot may manage topics: what the support plugin checks through the Bot API.
    const member = await fetch(`${sandbox.apiRoot}/bot${sandbox.token}/getChatMember`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: group.chat.id, user_id: botIdFromToken(sandbox.token) }),
    }).then((r) => r.json());
    expect(member.result).toMatchObject({ status: 'administrator', can_manage_topics: true });
  });

  it('finds the group by its title in a world that has it, without duplicates', async () => {
    const first = sandboxManagerGroupChatId();
    const again = await prepareSandboxDesk(sandbox.apiRoot);
    expect(again).toMatchObject({ managerGroupChatId: first, createdGroup: false });
    const client = new SandboxClient(sandbox.apiRoot);
    expect((await client.listUsers()).map((u) => u.first_name)).toEqual(['Guest', 'Maria Manager']);
    const groups = (await client.listChats()).filter((c) => c.chat.title === SANDBOX_DESK.groupTitle);
    expect(groups).toHaveLength(1);
  });
});

describe('the support plugin wired to the sandbox desk, in a world that is not fresh', () => {
  let t: TestApp;
  let groupId: number;
  beforeAll(async () => {
    t = await startTestApp({
      plugins: [
        supportPlugin(sandboxSupportSettings(true), { managerGroupChatId: sandboxManagerGroupChatId }),
      ],
    });
    // Other chats first: the desk's group gets an id no one could predict.
    const other = await t.sandbox.createUser({ first_name: 'Other' });
    await t.sandbox.createChat({ type: 'supergroup', title: 'Someone else', memberIds: [other.id] });
    await t.sandbox.createChat({ type: 'supergroup', title: 'And another', memberIds: [other.id] });
    groupId = (await prepareSandboxDesk(t.emulator.url)).managerGroupChatId;
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('uses the group the emulator made: status, handoff topics, stale topics forgotten', async () => {
    expect(groupId).not.toBe(-1_002_000_000_001);
    // The group was made after boot: an admin re-checks it, and the plugin reports the wired id.
    const check = await t.admin.post('/admin/api/support/status/check');
    expect(check.body.managerGroup).toMatchObject({ state: 'ok', chatId: groupId });
    expect(await prepareSandboxDeskData(t.app)).toEqual({ topicsForgotten: 0 });

    const guest = t.user('desk-guest', { first_name: 'Gwen', language_code: 'en' });
    await guest.send('Do you rent yachts?');
    await guest.expectReply(/manager/, { timeoutMs: 45_000 });
    await guest.press('🙋 Call a manager');
    await guest.expectReply(/called a manager, ticket #\d+/, { timeoutMs: 45_000 });
    let threadId: number | undefined;
    await expect
      .poll(
        async () => {
          threadId = (await t.sandbox.getChat(groupId)).topics.find((x) =>
            x.name.endsWith(' Gwen'),
          )?.message_thread_id;
          return threadId;
        },
        { timeout: 45_000, interval: 200 },
      )
      .toBeDefined();
    // A manager's reply in the wired group reaches the customer.
    await t.sandbox.sendMessage(SANDBOX_DESK.manager.id, 'Hello from the wired group', {
      chatId: groupId,
      threadId,
    });
    await guest.expectReply('👤 Maria Manager: Hello from the wired group', { timeoutMs: 45_000 });

    // A topic the world no longer has (a previous run's) is forgotten after start.
    await t.app.bot!.api.deleteForumTopic(groupId, threadId!);
    expect(await prepareSandboxDeskData(t.app)).toEqual({ topicsForgotten: 1 });
    const managers = (await t.admin.get('/admin/api/support/managers')).body.managers;
    expect(managers).toMatchObject([{ userId: SANDBOX_DESK.manager.id, name: 'Maria Manager' }]);
  }, 180_000);
});
