/**
 * Hand-back: a manager (in the ticket's topic) or an admin (admin API, the panel's row action)
 * returns a handed-off ticket to the assistant without closing it. Through the sandbox
 * emulator and HTTP, with the fake OpenAI model.
 */
import { rm } from 'node:fs/promises';
import { type EventBus, Tokens } from '@botloom/core';
import type { TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGER, SLOW, STRANGER, type SupportTestApp, startSupportApp } from './support/e2e-app.js';
import { connectWebApp } from './support/e2e-helpers.js';

let s: SupportTestApp;
let t: TestApp;
const handbacks: unknown[] = [];

beforeAll(async () => {
  s = await startSupportApp();
  t = s.t;
  const events = t.app.resolver('support')(Tokens.Events) as EventBus;
  events.on('support.handback', (payload) => {
    handbacks.push(payload);
  });
});

afterAll(async () => {
  await s?.t.stop();
  if (s) await rm(s.kbDir, { recursive: true, force: true });
});

type Markup = { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> };
const buttonsOf = (m: { reply_markup?: unknown }) =>
  ((m.reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat();

async function topicText(threadId: number): Promise<string> {
  return (await t.sandbox.transcript(s.group, threadId)).map((m) => m.text ?? '').join('\n');
}

/** Polls the ticket until `test` holds (the desk works after the update is acknowledged). */
async function ticketWhen(customerId: number, test: (ticket: any) => boolean) {
  let last: any;
  await expect
    .poll(
      async () => {
        last = await s.latestTicketOf(customerId);
        return test(last);
      },
      { timeout: SLOW.timeoutMs, interval: 200 },
    )
    .toBe(true);
  return last;
}

describe('a manager hands a ticket back to the assistant from its topic', () => {
  it('/bot: the customer is told in Russian, the topic gets a note, the assistant answers, a new call hands off again', async () => {
    const olga = t.user('olga_handback', { first_name: 'Olga', language_code: 'ru' });
    const olgaId = await olga.id();
    await olga.send('Do you rent yachts?');
    await olga.expectReply(/менеджер/i);
    await olga.press('🙋 Позвать менеджера');
    await olga.expectReply(/Я позвал менеджера, обращение №\d+/, SLOW);
    const ticket = await s.latestTicketOf(olgaId);
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    // The intro offers both actions; its text names /bot.
    const intro = (await t.sandbox.transcript(s.group, topic.message_thread_id)).find((m) => m.reply_markup)!;
    expect(buttonsOf(intro).map((b) => b.callback_data)).toEqual([
      `support:handback:${ticket.id}`,
      `support:close:${ticket.id}`,
    ]);
    expect(intro.text).toContain('/bot hands the ticket back to the assistant');

    await t.sandbox.sendMessage(MANAGER, 'Let me check, one moment.', {
      chatId: s.group,
      threadId: topic.message_thread_id,
    });
    await olga.expectReply('👤 Maria Manager: Let me check, one moment.');
    const taken = await ticketWhen(olgaId, (x) => x.status === 'with_manager');
    const firstHandoffAt = new Date(taken.handoffAt).getTime();
    expect(taken.firstResponseSeconds).toBeGreaterThanOrEqual(0);

    // The manager hands it back.
    await t.sandbox.sendMessage(MANAGER, '/bot', { chatId: s.group, threadId: topic.message_thread_id });
    const told = await olga.expectReply(/Вам снова отвечает ассистент \(обращение №\d+\)/, SLOW);
    expect(buttonsOf(told).map((b) => [b.text, b.callback_data])).toEqual([
      ['🙋 Позвать менеджера', `support:handoff:${ticket.id}`],
    ]);
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: `🤖 Maria Manager handed ticket #${ticket.id} back to the assistant.`,
      ...SLOW,
    });
    const back = await ticketWhen(olgaId, (x) => x.status === 'ai');
    // Still the same open ticket; the handoff is remembered (it counts in the statistics).
    expect(back).toMatchObject({ id: ticket.id, closedAt: null, topicThreadId: topic.message_thread_id });
    expect(new Date(back.handoffAt).getTime()).toBe(firstHandoffAt);
    await expect
      .poll(() => handbacks, { timeout: SLOW.timeoutMs })
      .toContainEqual({
        ticketId: ticket.id,
        customerId: olgaId,
        from: 'with_manager',
        by: 'manager',
        actorId: MANAGER,
      });
    const detail = await t.admin.get(`/admin/api/support/tickets/${ticket.id}`);
    expect(detail.body.events.map((e: { from: string; to: string; actor: string }) => e)).toContainEqual(
      expect.objectContaining({ from: 'with_manager', to: 'ai', actor: `manager:${MANAGER}` }),
    );

    // The assistant answers the next question; nothing goes to the topic.
    await olga.send('How big is the deposit?');
    await olga.expectReply(/300 euros/);
    expect(await topicText(topic.message_thread_id)).not.toContain('How big is the deposit?');

    // A manager writing in the topic now does not reach the customer.
    const before = (await olga.transcript()).length;
    await t.sandbox.sendMessage(MANAGER, 'Are you still there?', {
      chatId: s.group,
      threadId: topic.message_thread_id,
    });
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: `Ticket #${ticket.id} is with the assistant now`,
      ...SLOW,
    });
    expect((await olga.transcript()).length).toBe(before);
    // A second /bot changes nothing.
    await t.sandbox.sendMessage(MANAGER, '/ai', { chatId: s.group, threadId: topic.message_thread_id });
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: `Ticket #${ticket.id} is already with the assistant.`,
      ...SLOW,
    });

    // The customer calls a manager again: a new handoff time, the same topic with what was said since.
    await olga.press('🙋 Позвать менеджера');
    await olga.expectReply(/Я позвал менеджера, обращение №\d+/, SLOW);
    const again = await ticketWhen(olgaId, (x) => x.status === 'waiting_manager');
    expect(new Date(again.handoffAt).getTime()).toBeGreaterThan(firstHandoffAt);
    expect(again).toMatchObject({ firstResponseAt: null, managerId: null, firstResponseSeconds: null });
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: `🙋 The customer called a manager again (ticket #${ticket.id})`,
      ...SLOW,
    });
    await expect
      .poll(() => topicText(topic.message_thread_id), { timeout: SLOW.timeoutMs, interval: 200 })
      .toContain('Customer: How big is the deposit?');
    const chat = await t.sandbox.getChat(s.group);
    expect(chat.topics.filter((x) => x.name.startsWith(`#${ticket.id} `))).toHaveLength(1);

    // The customer's next message is acknowledged again and reaches the topic.
    await olga.send('I need a boat for Saturday');
    await olga.expectReply(/Передал менеджеру/, SLOW);
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: '💬 Olga: I need a boat for Saturday',
      ...SLOW,
    });
    await t.sandbox.sendMessage(MANAGER, 'We have no boats, sorry.', {
      chatId: s.group,
      threadId: topic.message_thread_id,
    });
    await olga.expectReply('👤 Maria Manager: We have no boats, sorry.');
    const answered = await ticketWhen(olgaId, (x) => x.status === 'with_manager');
    // First response is measured from the latest handoff.
    expect(new Date(answered.firstResponseAt).getTime()).toBeGreaterThanOrEqual(
      new Date(answered.handoffAt).getTime(),
    );
    expect(answered.firstResponseSeconds).toBeGreaterThanOrEqual(0);
    const events = (await t.admin.get(`/admin/api/support/tickets/${ticket.id}`)).body.events.map(
      (e: { from: string | null; to: string }) => `${e.from}->${e.to}`,
    );
    expect(events).toEqual([
      'null->ai',
      'ai->waiting_manager',
      'waiting_manager->with_manager',
      'with_manager->ai',
      'ai->waiting_manager',
      'waiting_manager->with_manager',
    ]);
  });

  it('the topic button works for managers only, also before any manager answered', async () => {
    const paul = t.user('paul_handback', { first_name: 'Paul', language_code: 'en' });
    const paulId = await paul.id();
    await paul.send('I need a person please');
    await paul.expectReply("I can't answer that, shall I call a manager?");
    await paul.press('🙋 Call a manager');
    await paul.expectReply(/called a manager/, SLOW);
    const ticket = await s.latestTicketOf(paulId);
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    const intro = (await t.sandbox.transcript(s.group, topic.message_thread_id)).find((m) => m.reply_markup)!;
    const data = `support:handback:${ticket.id}`;
    const denied = await t.sandbox.pressButton(STRANGER, s.group, intro.message_id, { data }, 30_000);
    expect(denied.answer?.text).toContain('Only managers');
    expect((await s.latestTicketOf(paulId)).status).toBe('waiting_manager');

    await t.sandbox.pressButton(MANAGER, s.group, intro.message_id, { data }, 30_000);
    await paul.expectReply(/The assistant is answering you again in request #\d+/, SLOW);
    await ticketWhen(paulId, (x) => x.status === 'ai');
    await expect
      .poll(() => handbacks, { timeout: SLOW.timeoutMs })
      .toContainEqual(
        expect.objectContaining({ ticketId: ticket.id, from: 'waiting_manager', by: 'manager' }),
      );
    // A second press is stale.
    const stale = await t.sandbox.pressButton(MANAGER, s.group, intro.message_id, { data }, 30_000);
    expect(stale.answer?.text).toBe('This button no longer applies. Nothing was changed.');
    // Closing still works on a handed-back ticket (it is open).
    await paul.press('🙋 Call a manager');
    await paul.expectReply(/called a manager/, SLOW);
    await t.sandbox.sendMessage(MANAGER, '/close', { chatId: s.group, threadId: topic.message_thread_id });
    await paul.expectReply(/closed your request/, SLOW);
    const closed = await ticketWhen(paulId, (x) => x.status === 'closed');
    expect(closed.firstResponseAt).toBeNull();
  });
});

describe('a customer in the web app', () => {
  it('sees the ticket back with the assistant, gets the notice there, and can call a manager again', async () => {
    const wendy = t.user('wendy_handback', { first_name: 'Wendy', language_code: 'en' });
    const wendyId = await wendy.id();
    await wendy.send('/start');
    await wendy.expectReply(/Support desk/);
    const launch = await t.sandbox.openWebApp({ userId: wendyId, url: `${t.url}/p/support/app` });
    const app = await connectWebApp(t.url, launch.initData);
    await app.waitFor((e) => e.type === 'history');
    app.send({ type: 'call_manager' });
    await app.waitFor((e) => e.type === 'ticket' && e.ticket.status === 'waiting_manager');
    const ticket = await s.latestTicketOf(wendyId);
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    await t.sandbox.sendMessage(MANAGER, 'Hi Wendy.', { chatId: s.group, threadId: topic.message_thread_id });
    await app.waitFor((e) => e.type === 'message' && e.message.author === 'manager');
    const botChatBefore = (await wendy.transcript()).length;

    app.events.length = 0; // only what comes from here on
    await t.sandbox.sendMessage(MANAGER, '/bot', { chatId: s.group, threadId: topic.message_thread_id });
    await app.waitFor((e) => e.type === 'ticket' && e.ticket.status === 'ai', SLOW.timeoutMs);
    const notice = await app.waitFor(
      (e) =>
        e.type === 'message' && e.message.author === 'system' && /answering you again/.test(e.message.text),
    );
    expect(notice.message.text).toBe(
      `The assistant is answering you again in request #${ticket.id}. Ask your question; if you need a person, call a manager.`,
    );
    app.send({ type: 'message', text: 'What are the office hours?' });
    const answer = await app.waitFor((e) => e.type === 'message' && e.message.author === 'ai');
    expect(answer.message.text).toContain('9:00 to 21:00');
    app.events.length = 0;
    app.send({ type: 'call_manager' });
    await app.waitFor(
      (e) => e.type === 'ticket' && e.ticket.status === 'waiting_manager' && e.ticket.id === ticket.id,
      SLOW.timeoutMs,
    );
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: 'The customer called a manager again',
      ...SLOW,
    });
    // Everything went to the open web app, nothing to the bot chat.
    expect((await wendy.transcript()).length).toBe(botChatBefore);
    app.close();
  });
});

describe('an admin hands a ticket back over HTTP (the panel row action)', () => {
  it('200 for a handed-off ticket; 409 when it is not; 403 for viewers, 401 without a token', async () => {
    const rita = t.user('rita_handback', { first_name: 'Rita', language_code: 'en' });
    const ritaId = await rita.id();
    await rita.send('Please call a manager');
    await rita.expectReply("I can't answer that, shall I call a manager?");
    await rita.press('🙋 Call a manager');
    await rita.expectReply(/called a manager/, SLOW);
    const ticket = await s.latestTicketOf(ritaId);
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    const path = `/admin/api/support/tickets/${ticket.id}/handback`;

    const viewer = await t.viewer.post(path);
    expect(viewer.status).toBe(403);
    const anonymous = await fetch(`${t.url}${path}`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect((await s.latestTicketOf(ritaId)).status).toBe('waiting_manager');

    const res = await t.admin.post(path);
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ id: ticket.id, status: 'ai', closedAt: null });
    await rita.expectReply(/The assistant is answering you again in request #\d+/, SLOW);
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: /handed ticket #\d+ back to the assistant/,
      ...SLOW,
    });
    expect(await topicText(topic.message_thread_id)).toMatch(/\(admin panel\) handed ticket/);
    const events = (await t.admin.get(`/admin/api/support/tickets/${ticket.id}`)).body.events;
    expect(events.at(-1)).toMatchObject({ from: 'waiting_manager', to: 'ai' });
    expect(events.at(-1).actor).toMatch(/^admin:/);
    expect(handbacks).toContainEqual(
      expect.objectContaining({ ticketId: ticket.id, by: 'admin', actorId: null }),
    );

    // Not handed off (now with the assistant), closed, or unknown.
    const twice = await t.admin.post(path);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'INVALID_TRANSITION']);
    await t.admin.post(`/admin/api/support/tickets/${ticket.id}/close`);
    const closed = await t.admin.post(path);
    expect([closed.status, closed.body.error.code]).toEqual([409, 'INVALID_TRANSITION']);
    const unknown = await t.admin.post('/admin/api/support/tickets/999999/handback');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'TICKET_NOT_FOUND']);

    // Core's audit log has the admin's write, and the refused ones.
    const audit = (await t.admin.get('/admin/api/core/panel/audit?limit=50')).body.entries.filter(
      (e: { path: string }) => e.path.endsWith(`/tickets/${ticket.id}/handback`),
    );
    expect(audit.map((e: { status: number }) => e.status).sort()).toEqual([200, 403, 409, 409]);

    // The panel offers the action on tickets with or waiting for a manager.
    const ui = await t.admin.get('/admin/api/core/panel/ui');
    const support = ui.body.plugins.find((p: { id: string }) => p.id === 'support');
    const page = support.pages.find((p: { id: string }) => p.id === 'tickets');
    expect(page.rowActions).toContainEqual(
      expect.objectContaining({
        id: 'handback',
        endpoint: '/tickets/:id/handback',
        when: { key: 'status', in: ['waiting_manager', 'with_manager'] },
      }),
    );
  });

  it('statistics: a handed-back ticket counts as handed off, once', async () => {
    const all = (await t.admin.get('/admin/api/support/tickets?limit=200')).body.tickets;
    const stats = (await t.admin.get('/admin/api/support/stats')).body;
    const handedOff = all.filter((x: { handoffAt: string | null }) => x.handoffAt !== null).length;
    expect(handedOff).toBe(4);
    expect(stats.tickets).toBe(all.length);
    expect(stats.handoffRate).toBeCloseTo(handedOff / all.length, 3);
    // A first response belongs to the latest handoff: Olga's (answered after her second
    // handoff) is the only one; Wendy's first answer was cleared by her new handoff.
    expect(stats.firstResponseSeconds.count).toBe(1);
    expect(stats.aiResolvedRate).toBe(0);
    expect(stats.firstResponseSeconds.average).toBeGreaterThanOrEqual(0);
  });
});
