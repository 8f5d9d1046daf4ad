import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { botIdFromToken, createSandbox, type Sandbox, SandboxClient } from '@botloom/core/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prepareSandboxDesk,
  SANDBOX_DESK,
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

  it('names the sandbox group and admin only in sandbox mode', () => {
    expect(sandboxSupportSettings(true)).toEqual({
      managerGroupChatId: -1_002_000_000_001,
      adminUserId: SANDBOX_DESK.manager.id,
    });
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

  it('creates the customer first, the manager, and the forum group with the promised id', async () => {
    await prepareSandboxDesk(sandbox.apiRoot);
    const client = new SandboxClient(sandbox.apiRoot);
    const users = await client.listUsers();
    expect(users.map((u) => u.first_name)).toEqual(['Guest', 'Maria Manager']);
    const group = await client.getChat(-1_002_000_000_001);
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

  it('refuses a world that is not empty (the group id would not be the promised one)', async () => {
    await expect(prepareSandboxDesk(sandbox.apiRoot)).rejects.toThrow(/empty emulator world/);
  });
});
