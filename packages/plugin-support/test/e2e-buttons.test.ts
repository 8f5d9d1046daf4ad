import { rm } from 'node:fs/promises';
import type { TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOW, type SupportTestApp, startSupportApp } from './support/e2e-app.js';

let s: SupportTestApp;
let t: TestApp;

beforeAll(async () => {
  s = await startSupportApp();
  t = s.t;
});

afterAll(async () => {
  await s?.t.stop();
  if (s) await rm(s.kbDir, { recursive: true, force: true });
});

type Markup = { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> };

function callbackData(message: { reply_markup?: unknown }): string[] {
  return ((message.reply_markup as Markup | undefined)?.inline_keyboard ?? [])
    .flat()
    .map((b) => b.callback_data ?? '');
}

/** Polls until the message's inline buttons are gone (the bot edits them away). */
async function buttonsRemoved(chatId: number, messageId: number) {
  await expect
    .poll(
      async () => {
        const message = (await t.sandbox.transcript(chatId)).find((m) => m.message_id === messageId);
        return callbackData(message ?? {}).length;
      },
      { timeout: SLOW.timeoutMs, interval: 200 },
    )
    .toBe(0);
}

/**
 * Presses a button with this callback data as a client that still shows an old keyboard would
 * (the bot's edit that removed it may have failed, or came after the press; a message sent
 * before buttons carried their ticket has the old data): the bot posts a message carrying
 * it in the customer's chat, and the customer presses it.
 */
async function pressOld(userId: number, data: string) {
  const message = await t.app.bot!.api.sendMessage(userId, 'an old message with buttons', {
    reply_markup: { inline_keyboard: [[{ text: 'old button', callback_data: data }]] },
  });
  const press = await t.sandbox.pressButton(userId, userId, message.message_id, { data }, 30_000);
  return { press, messageId: message.message_id };
}

describe('inline buttons belong to the ticket and answer they were sent with (issue 12 §4)', () => {
  it('an old "I\'m satisfied" after a new question, or after a handoff, does not close the ticket', async () => {
    const alice = t.user('alice_buttons', { first_name: 'Alice', language_code: 'en' });
    const aliceId = await alice.id();
    await alice.send('How big is the deposit?');
    const first = await alice.expectReply(/300 euros/);
    const ticket = await s.latestTicketOf(aliceId);
    const [firstSatisfied, firstHandoff] = callbackData(first);
    expect(firstSatisfied).toMatch(new RegExp(`^support:satisfied:${ticket.id}:\\d+$`));
    expect(firstHandoff).toBe(`support:handoff:${ticket.id}`);

    await alice.send('When is your office open?');
    const second = await alice.expectReply(/office is open/);
    const [secondSatisfied] = callbackData(second);
    expect(secondSatisfied).not.toBe(firstSatisfied);
    // The first answer's buttons no longer apply: they are taken away.
    await buttonsRemoved(aliceId, first.message_id);
    expect(callbackData(second)).toHaveLength(2);

    // Pressed anyway (a client still showing it): a short notice, and nothing changes.
    const stale = await pressOld(aliceId, firstSatisfied!);
    expect(stale.press.answer?.text).toBe('This button no longer applies. Nothing was changed.');
    expect((await s.latestTicketOf(aliceId)).status).toBe('ai');
    await buttonsRemoved(aliceId, stale.messageId);
    // The format from before buttons carried their ticket is answered as stale too.
    const legacy = await pressOld(aliceId, 'support:satisfied');
    expect(legacy.press.answer?.text).toBe('This button no longer applies. Nothing was changed.');
    expect((await s.latestTicketOf(aliceId)).status).toBe('ai');

    // After a handoff, even the latest answer's "I'm satisfied" no longer closes the ticket.
    await alice.press({ data: callbackData(second)[1]! });
    await alice.expectReply(/I've called a manager/, SLOW);
    await buttonsRemoved(aliceId, second.message_id);
    const afterHandoff = await pressOld(aliceId, secondSatisfied!);
    expect(afterHandoff.press.answer?.text).toBe('This button no longer applies. Nothing was changed.');
    expect((await s.latestTicketOf(aliceId)).status).toBe('waiting_manager');

    // The current answer's button still works when nothing moved on: a fresh ticket shows it.
    await t.admin.post(`/admin/api/support/tickets/${ticket.id}/close`);
    await alice.expectReply(/closed your request/, SLOW);
    await alice.send('How big is the deposit?');
    const fresh = await alice.expectReply(/300 euros/);
    await alice.press({ data: callbackData(fresh)[0]! });
    await alice.expectReply(/Glad I could help/, SLOW);
    const closed = await s.latestTicketOf(aliceId);
    expect(closed).toMatchObject({ status: 'closed', closedBy: 'customer' });
    expect(closed.id).not.toBe(ticket.id);
  });

  it('an old "Call a manager" does not open an empty ticket; the notice is in the user\'s language', async () => {
    const boris = t.user('boris_buttons', { first_name: 'Борис', language_code: 'ru' });
    const borisId = await boris.id();
    await boris.send('Do you rent yachts?');
    const offer = await boris.expectReply('Я не могу на это ответить. Позвать менеджера?');
    const ticket = await s.latestTicketOf(borisId);
    expect(callbackData(offer)).toEqual([`support:handoff:${ticket.id}`]);

    await boris.send('How big is the deposit?');
    const answer = await boris.expectReply(/300 euros/);
    await buttonsRemoved(borisId, offer.message_id);
    await boris.press({ data: callbackData(answer)[0]! });
    await boris.expectReply(/закрыт/i, SLOW);
    await buttonsRemoved(borisId, answer.message_id);
    expect((await s.latestTicketOf(borisId)).status).toBe('closed');

    for (const data of [`support:handoff:${ticket.id}`, 'support:handoff']) {
      const stale = await pressOld(borisId, data);
      expect(stale.press.answer?.text).toBe('Эта кнопка уже неактуальна. Ничего не изменено.');
    }
    const tickets = (await t.admin.get(`/admin/api/support/tickets?customerId=${borisId}`)).body.tickets;
    expect(tickets.map((x: { id: number }) => x.id)).toEqual([ticket.id]);
    expect(tickets[0].status).toBe('closed');
  });
});

describe('the customer hears back (issue 12 §7)', () => {
  it('the first message after a handoff is acknowledged, later ones are not', async () => {
    const carl = t.user('carl_acks', { first_name: 'Carl', language_code: 'en' });
    const carlId = await carl.id();
    await carl.send('Do you rent yachts?');
    await carl.expectReply("I can't answer that, shall I call a manager?");
    await carl.press('🙋 Call a manager');
    await carl.expectReply(/I've called a manager/, SLOW);
    const ticket = await s.latestTicketOf(carlId);
    const topic = await s.topicOf(ticket.id, /Telegram id/);

    await carl.send('Is it expensive?');
    await carl.expectReply('Sent to the manager. Their reply will come right here.', SLOW);
    await carl.send('Hello?');
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: '💬 Carl: Hello?',
      ...SLOW,
    });
    // Updates of one chat are handled in order: once /support is answered, "Hello?" is done.
    await carl.send('/support');
    await carl.expectReply(/support assistant/, SLOW);
    const acks = (await carl.transcript()).filter((m) => m.text?.startsWith('Sent to the manager'));
    expect(acks).toHaveLength(1);
  });

  it("a rating edits the rating message to say which rating was given, in the user's language", async () => {
    const dasha = t.user('dasha_rates', { first_name: 'Даша', language_code: 'ru' });
    const dashaId = await dasha.id();
    await dasha.send('How big is the deposit?');
    const answer = await dasha.expectReply(/300 euros/);
    await dasha.press({ data: callbackData(answer)[0]! });
    const closing = await dasha.expectReply(/Оцените/, SLOW);
    const ticket = await s.latestTicketOf(dashaId);

    const press = await dasha.press('4 ⭐');
    expect((press as { answer: { text?: string } }).answer?.text).toBe('Спасибо за оценку!');
    const edited = await dasha.expectEdit(/вы оценили/, { messageId: closing.message_id, ...SLOW });
    expect(edited.text).toBe(`Обращение №${ticket.id} закрыто. Спасибо, вы оценили нашу помощь на 4 ⭐.`);
    await buttonsRemoved(dashaId, closing.message_id);
    expect((await s.latestTicketOf(dashaId)).rating).toBe(4);
  });
});
