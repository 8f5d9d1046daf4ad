/**
 * The reference app's sandbox demo for sales: a study group registered in the pool with a
 * disclosed assistant bot in it, so a person can play a sales conversation into Script #2.
 */
import { SandboxGroups, startTestApp, type TestApp } from '@botloom/core/testing';
import salesPlugin, { DEMO_SCRIPT_FILES } from '@botloom/plugin-sales';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_STUDY_GROUP, sandboxSalesSettings, seedSandboxStudyGroup } from '../src/sandbox-demo.js';

const WAIT = { timeoutMs: 45_000 };
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    plugins: [salesPlugin({ scriptFiles: DEMO_SCRIPT_FILES, ...sandboxSalesSettings(true) })],
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
  });
}, 120_000);
afterAll(() => t?.stop());

describe('the sandbox study group', { timeout: 180_000 }, () => {
  it('is set up only in sandbox mode', () => {
    expect(sandboxSalesSettings(false)).toEqual({});
  });

  it('is in the pool at start, so consent leads into Script #2 with the assistant bot', async () => {
    const chatId = await seedSandboxStudyGroup(t.app);
    expect(chatId).toBeLessThan(0);
    const listed = await t.admin.get('/admin/api/sales/groups');
    expect(listed.body.groups).toEqual([
      expect.objectContaining({ chatId, status: 'free', title: SANDBOX_STUDY_GROUP.title }),
    ]);

    const guest = t.user('guest', { first_name: 'Guest', language_code: 'en' });
    await guest.send('/start sales-course');
    await guest.expectReply(/automated advisor/, WAIT);
    await guest.send('I already decided, sign me up');
    const invite = await guest.expectReply(/https:\/\/t\.me\/\+/, WAIT);
    const link = invite.text!.match(/https:\/\/t\.me\/\+\S+/)![0];
    const groups = new SandboxGroups(t.sandbox);
    expect(await groups.joinByLink(await guest.id(), link)).toEqual({ status: 'joined', chatId });
    const example = await t.sandbox.waitForBotMessage(chatId!, { match: /worked example/, ...WAIT });
    expect(example.from).toMatchObject({ username: SANDBOX_STUDY_GROUP.assistant.username, is_bot: true });
  });
});
