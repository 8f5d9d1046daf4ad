import { rm } from 'node:fs/promises';
import { SandboxUser, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupportDeskToken } from '../src/index.js';
import { ADMIN, MANAGER, SLOW, STRANGER, type SupportTestApp, startSupportApp } from './support/e2e-app.js';

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

describe('support desk in the bot chat and the manager group', () => {
  it('answers from the knowledge file and records the passages used', async () => {
    const alice = t.user('alice', { first_name: 'Alice', language_code: 'en' });
    await alice.send('How big is the deposit?');
    const reply = await alice.expectReply(/300 euros/);
    expect(reply.text).toBe('The deposit is 300 euros and is returned within 3 days after the car is back.');
    const buttons = (reply.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
    expect(buttons).toEqual(["✅ I'm satisfied", '🙋 Call a manager']);

    const ticket = await s.latestTicketOf(await alice.id());
    const detail = await t.admin.get(`/admin/api/support/tickets/${ticket.id}`);
    const ai = detail.body.messages.find((m: { author: string }) => m.author === 'ai');
    expect(ai.knowledge).toHaveLength(1);
    expect(ai.knowledge[0].title).toBe('company context');
    expect(t.openai!.chatRequests.at(-1)!.purpose).toBe('support.answer');
  });

  it('unknown question -> offer -> handoff -> topic with history -> manager reply -> close -> rating', async () => {
    const bob = t.user('bob_customer', { first_name: 'Bob', language_code: 'en' });
    const bobId = await bob.id();
    await bob.send('Do you rent yachts?');
    await bob.expectReply("I can't answer that, shall I call a manager?");
    await bob.press('🙋 Call a manager');
    await bob.expectReply(/I've called a manager, ticket #\d+/, SLOW);

    const ticket = await s.latestTicketOf(bobId);
    expect(ticket.status).toBe('waiting_manager');
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    expect(topic.name).toBe(`#${ticket.id} Bob`);
    const topicText = (await t.sandbox.transcript(s.group, topic.message_thread_id))
      .map((m) => m.text ?? '')
      .join('\n');
    expect(topicText).toContain(`Telegram id: ${bobId}`);
    expect(topicText).toContain('Customer: Bob (@bob_customer)\nTelegram id');
    expect(topicText).toContain('Language: en\nChannel: bot chat\n');
    expect(topicText).toContain('Customer: Do you rent yachts?');
    expect(topicText).toContain("Assistant: I can't answer that");

    // The customer's next message goes to the topic.
    await bob.send('Is it expensive?');
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: '💬 Bob: Is it expensive?',
      ...SLOW,
    });

    // A manager answers in the topic; the customer gets it in the bot chat.
    await t.sandbox.sendMessage(MANAGER, 'Yes, from 400 euros a day.', {
      chatId: s.group,
      threadId: topic.message_thread_id,
    });
    await bob.expectReply('👤 Maria Manager: Yes, from 400 euros a day.');
    expect((await s.latestTicketOf(bobId)).status).toBe('with_manager');

    // Someone who is not a manager is refused; nothing reaches the customer.
    const before = (await bob.transcript()).length;
    await t.sandbox.sendMessage(STRANGER, 'Hi Bob, this is Steve', {
      chatId: s.group,
      threadId: topic.message_thread_id,
    });
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: 'Only managers can act',
      ...SLOW,
    });
    expect((await bob.transcript()).length).toBe(before);

    // The manager closes the ticket with /close.
    await t.sandbox.sendMessage(MANAGER, '/close', { chatId: s.group, threadId: topic.message_thread_id });
    const closing = await bob.expectReply(/closed your request/, SLOW);
    expect((closing.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text)).toEqual([
      '1 ⭐',
      '2 ⭐',
      '3 ⭐',
      '4 ⭐',
      '5 ⭐',
    ]);
    const deadline = Date.now() + SLOW.timeoutMs;
    let closedTopic = false;
    while (!closedTopic && Date.now() < deadline) {
      const chat = await t.sandbox.getChat(s.group);
      closedTopic =
        chat.topics.find((x) => x.message_thread_id === topic.message_thread_id)?.is_closed === true;
      if (!closedTopic) await new Promise((r) => setTimeout(r, 200));
    }
    expect(closedTopic).toBe(true);

    const press = await bob.press('5 ⭐');
    expect((press as { answer: { text?: string } }).answer?.text).toBe('Thank you for your rating!');
    const closed = await s.latestTicketOf(bobId);
    expect(closed).toMatchObject({ status: 'closed', closedBy: 'manager', rating: 5 });
    expect(closed.firstResponseSeconds).toBeGreaterThanOrEqual(0);
    expect(closed.resolutionSeconds).toBeGreaterThanOrEqual(closed.firstResponseSeconds);

    // The rating buttons disappear once used, and a replayed rating (a second web app tab, a
    // stale client) is refused by the desk itself.
    await expect
      .poll(async () => {
        const messages = await t.sandbox.transcript(bobId);
        const rated = messages.find((m) => m.message_id === closing.message_id);
        return (rated?.reply_markup?.inline_keyboard ?? []).flat().length;
      })
      .toBe(0);
    await expect(
      t.sandbox.pressButton(bobId, bobId, closing.message_id, { data: `support:rate:${ticket.id}:4` }),
    ).rejects.toThrow(/no inline button/);
    expect(await t.app.resolver('support')(SupportDeskToken).rate(bobId, ticket.id, 4)).toBe(false);
    expect((await s.latestTicketOf(bobId)).rating).toBe(5);
    const stats = await t.admin.get('/admin/api/support/stats');
    expect(stats.body.csat).toMatchObject({ ratings: 1, average: 5 });
    expect(stats.body.firstResponseSeconds.count).toBe(1);
    expect(stats.body.handoffRate).toBeGreaterThan(0);
  });

  it('the close button in the topic works too, and only for managers', async () => {
    const carol = t.user('carol_customer', { first_name: 'Carol' });
    await carol.send('I need a person please');
    await carol.expectReply("I can't answer that, shall I call a manager?");
    await carol.press('🙋 Call a manager');
    await carol.expectReply(/called a manager/, SLOW);
    const ticket = await s.latestTicketOf(await carol.id());
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    const info = (await t.sandbox.transcript(s.group, topic.message_thread_id)).find((m) => m.reply_markup);
    const denied = await t.sandbox.pressButton(
      STRANGER,
      s.group,
      info!.message_id,
      { data: `support:close:${ticket.id}` },
      30_000,
    );
    expect(denied.answer?.text).toContain('Only managers');
    expect((await s.latestTicketOf(await carol.id())).status).toBe('waiting_manager');
    await t.sandbox.pressButton(
      MANAGER,
      s.group,
      info!.message_id,
      { data: `support:close:${ticket.id}` },
      30_000,
    );
    await carol.expectReply(/closed your request/, SLOW);
    expect((await s.latestTicketOf(await carol.id())).status).toBe('closed');
  });

  it('a deleted topic is re-created with the history when the customer writes', async () => {
    const dave = t.user('dave_customer', { first_name: 'Dave' });
    await dave.send('Please call a manager');
    await dave.expectReply("I can't answer that, shall I call a manager?");
    await dave.press('🙋 Call a manager');
    await dave.expectReply(/called a manager/, SLOW);
    const ticket = await s.latestTicketOf(await dave.id());
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    await t.app.bot!.api.deleteForumTopic(s.group, topic.message_thread_id);
    await dave.send('Hello? Anyone?');
    const fresh = await s.topicOf(ticket.id, /Hello\? Anyone\?/);
    expect(fresh.message_thread_id).not.toBe(topic.message_thread_id);
    const text = (await t.sandbox.transcript(s.group, fresh.message_thread_id))
      .map((m) => m.text ?? '')
      .join('\n');
    expect(text).toContain('Please call a manager');
    expect((await s.latestTicketOf(await dave.id())).topicThreadId).toBe(fresh.message_thread_id);
  });

  it('admin commands manage managers; others are refused', async () => {
    await t.sandbox.sendMessage(ADMIN, '/addmanager 500009 Bob Builder');
    await t.sandbox.waitForBotMessage(ADMIN, { match: 'Manager Bob Builder (500009) added.' });
    await t.sandbox.sendMessage(ADMIN, '/managers');
    const list = await t.sandbox.waitForBotMessage(ADMIN, { match: 'Managers:' });
    expect(list.text).toContain('Bob Builder — 500009');
    expect(list.text).toContain('Maria — 500002');
    expect(list.text).toContain('Admin — 500001');
    await t.sandbox.sendMessage(ADMIN, '/removemanager 500009');
    await t.sandbox.waitForBotMessage(ADMIN, { match: 'Manager 500009 removed.' });
    await t.sandbox.sendMessage(ADMIN, '/addmanager nope');
    await t.sandbox.waitForBotMessage(ADMIN, { match: 'Usage: /addmanager ID NAME' });
    await t.sandbox.sendMessage(STRANGER, '/addmanager 500003 Steve');
    await t.sandbox.waitForBotMessage(STRANGER, { match: 'for the support admin only' });
    const managers = (await t.admin.get('/admin/api/support/managers')).body.managers.map(
      (m: { userId: number }) => m.userId,
    );
    expect(managers).not.toContain(STRANGER);
    expect(managers).not.toContain(500_009);
  });

  it('/support offers the web app button', async () => {
    const erin = t.user('erin_customer', { first_name: 'Erin' });
    await erin.send('/support');
    const reply = await erin.expectReply(/support assistant/);
    const button = (reply.reply_markup?.inline_keyboard ?? []).flat()[0] as { web_app?: { url: string } };
    expect(button.web_app?.url).toBe('https://support.example.com/p/support/app');
  });
});

describe('the topic header names the customer with what is known', () => {
  it('a customer without a username: name only, no placeholder dashes', async () => {
    const created = t.sandbox.createUser({ first_name: 'Guest' });
    const guest = new SandboxUser(t.sandbox, 'guest-without-username', () => created);
    const guestId = await guest.id();
    await guest.send('Do you rent yachts?');
    await guest.expectReply("I can't answer that, shall I call a manager?");
    await guest.press('🙋 Call a manager');
    await guest.expectReply(/I've called a manager, ticket #\d+/, SLOW);
    const ticket = await s.latestTicketOf(guestId);
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    const header = (await t.sandbox.transcript(s.group, topic.message_thread_id))
      .map((m) => m.text ?? '')
      .find((text) => text.includes('Telegram id'));
    expect(header).toContain(`🎫 Ticket #${ticket.id}\nCustomer: Guest\nTelegram id: ${guestId}\n`);
    expect(header).toContain('Language: en\nChannel: bot chat');
    expect(header).not.toContain('—');
  });
});
