/**
 * The reference app's commentator demo, as a person plays it in the playground: the Guest posts
 * in "Acme news", the draft appears in "Comment review" (and the panel), the Guest approves it
 * and it appears under the post in "Acme news chat".
 */
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import botloomConfig from '../botloom.config.js';
import {
  prepareSandboxCommentator,
  prepareSandboxCommentatorData,
  type SandboxCommentatorChats,
  sandboxCommentatorSettings,
  sandboxReviewChatId,
} from '../src/sandbox-commentator.js';
import { prepareSandboxDesk } from '../src/sandbox-desk.js';

const WAIT = { timeoutMs: 60_000 };
let t: TestApp;
let chats: SandboxCommentatorChats;

beforeAll(async () => {
  t = await startTestApp({ plugins: botloomConfig.plugins });
  await prepareSandboxDesk(t.emulator.url);
  // Another chat first, so the demo's ids differ from what a fresh emulator would hand out:
  // nothing may depend on predicting them.
  const other = await t.sandbox.createUser({ first_name: 'Other' });
  await t.sandbox.createChat({ type: 'supergroup', title: 'Someone else', memberIds: [other.id] });
  chats = await prepareSandboxCommentator(t.emulator.url);
  expect(await prepareSandboxCommentatorData(t.app)).toBe(true);
  expect(await prepareSandboxCommentatorData(t.app)).toBe(false);
});

afterAll(() => t?.stop());

describe('the commentator demo in the sandbox', { timeout: 240_000 }, () => {
  it('takes the chat ids from the emulator, not from a prediction', async () => {
    expect(sandboxCommentatorSettings(true)).toEqual({ brandName: 'Acme' });
    expect(sandboxCommentatorSettings(false)).toEqual({});
    expect(sandboxReviewChatId()).toBe(chats.reviewChatId);
    const all = await t.sandbox.listChats();
    expect(all.find((c) => c.chat.id === chats.reviewChatId)?.chat.title).toBe('Comment review');
    expect(all.find((c) => c.chat.id === chats.channelChatId)?.linkedChatId).toBe(chats.discussionChatId);
    const channels = await t.admin.get('/admin/api/commentator/channels');
    expect(channels.body.items.map((c: { chatId: number }) => c.chatId)).toEqual([chats.channelChatId]);
  });

  it('a channel post becomes an approved comment under the post', async () => {
    const guest = (await t.sandbox.listUsers()).find((u) => u.first_name === 'Guest')!;
    await t.sandbox.postInChannel(chats.channelChatId, 'We open a new bike shop on Friday!', guest.id);
    const card = await t.sandbox.waitForBotMessage(chats.reviewChatId, {
      ...WAIT,
      match: 'Draft #',
    });
    expect(card.text).toContain('We open a new bike shop on Friday!');
    const pending = await t.admin.get('/admin/api/commentator/drafts?status=pending');
    expect(pending.body.items).toHaveLength(1);

    const pressed = await t.sandbox.pressButton(guest.id, chats.reviewChatId, card.message_id, {
      text: '✅ Approve',
    });
    expect(pressed.answer?.text).toBe('Done.');
    const comment = await t.sandbox.waitForBotMessage(chats.discussionChatId, WAIT);
    expect(comment.text).toMatch(/— Acme$/);
    expect(
      (comment.reply_to_message as { is_automatic_forward?: boolean } | undefined)?.is_automatic_forward,
    ).toBe(true);
  });
});
