import { randomBytes } from 'node:crypto';
import { createAesGcmCrypto } from '@botloom/core';
import { ScriptedLlm } from '@botloom/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MessageTextCodec } from '../src/db/message-text.js';
import { AnswerService } from '../src/services/answer-service.js';
import type { KnowledgePassage } from '../src/services/knowledge-service.js';
import { ManagerService } from '../src/services/manager-service.js';
import { SupportDesk } from '../src/services/support-desk.js';
import { TicketService } from '../src/services/ticket-service.js';
import {
  canTransition,
  firstResponseSeconds,
  resolutionSeconds,
  TICKET_STATUSES,
} from '../src/services/ticket-state.js';
import { createDbFixture } from './support/db-fixture.js';
import { RecordingHub, RecordingTelegram } from './support/fakes.js';

const GROUP = -100_123;
const ADMIN = 1;
const MANAGER = 7;

describe('ticket state machine', () => {
  it('allows exactly the documented transitions', () => {
    const allowed = TICKET_STATUSES.flatMap((from) =>
      TICKET_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'ai->closed',
        'ai->waiting_manager',
        'waiting_manager->ai',
        'waiting_manager->closed',
        'waiting_manager->with_manager',
        'with_manager->ai',
        'with_manager->closed',
      ].sort(),
    );
  });

  it('computes first-response and resolution times', () => {
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
    const times = { openedAt: t(0), handoffAt: t(10), firstResponseAt: t(40), closedAt: t(55) };
    expect(firstResponseSeconds(times)).toBe(30);
    expect(resolutionSeconds(times)).toBe(55);
    expect(firstResponseSeconds({ ...times, firstResponseAt: null })).toBeNull();
    expect(resolutionSeconds({ ...times, closedAt: null })).toBeNull();
  });
});

let fx: Awaited<ReturnType<typeof createDbFixture>>;
let tickets: TicketService;
let managers: ManagerService;
let telegram: RecordingTelegram;
let hub: RecordingHub;
let llm: ScriptedLlm;
let passages: KnowledgePassage[];
let desk: SupportDesk;
let nextCustomer = 1000;

function makeDesk(
  config: { managerGroupChatId?: number; adminUserId?: number } = {
    managerGroupChatId: GROUP,
    adminUserId: ADMIN,
  },
) {
  const answers = new AnswerService({ search: async () => passages }, llm, { minConfidence: 0.3, topK: 3 });
  return new SupportDesk({
    tickets,
    managers,
    answers,
    telegram,
    hub,
    translator: fx.translator,
    events: fx.events,
    config: { ...fx.config, ...config },
    logger: fx.logger,
    fileUrl: (id, customer) => `/files/${id}?c=${customer}`,
  });
}

function customer(language = 'en') {
  const id = nextCustomer++;
  return { id, chatId: id, name: `Customer ${id}`, username: `c${id}`, language };
}

beforeAll(async () => {
  fx = await createDbFixture();
  tickets = new TicketService(fx.sequelize, new MessageTextCodec(createAesGcmCrypto(randomBytes(32))));
  managers = new ManagerService(fx.sequelize);
  await managers.add(MANAGER, 'Maria', ADMIN);
});

afterAll(async () => {
  await fx.close();
});

beforeEach(() => {
  telegram = new RecordingTelegram();
  hub = new RecordingHub();
  llm = new ScriptedLlm({ reply: () => 'The deposit is 300 euros. [1]' });
  passages = [{ itemId: 'kb-1', title: 'Rental', chunk: 0, text: 'The deposit is 300 euros.', score: 0.8 }];
  desk = makeDesk();
});

describe('TicketService', () => {
  it('keeps one open ticket per customer, stamps times and refuses invalid transitions', async () => {
    const c = customer();
    const a = await tickets.openOrContinue(c, 'bot');
    const b = await tickets.openOrContinue(c, 'webapp');
    expect(a.opened).toBe(true);
    expect(b).toMatchObject({ opened: false, ticket: { id: a.ticket.id, channel: 'webapp' } });
    await expect(tickets.transition(a.ticket.id, 'with_manager', 'test')).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    const waiting = await tickets.transition(a.ticket.id, 'waiting_manager', 'test');
    expect(waiting.handoffAt).toBeInstanceOf(Date);
    const withManager = await tickets.transition(a.ticket.id, 'with_manager', 'test', { managerId: MANAGER });
    expect(withManager).toMatchObject({ status: 'with_manager', managerId: MANAGER });
    expect(withManager.firstResponseAt).toBeInstanceOf(Date);
    const closed = await tickets.transition(a.ticket.id, 'closed', 'test', { closedBy: 'manager' });
    expect(closed).toMatchObject({ status: 'closed', closedBy: 'manager' });
    await expect(tickets.transition(a.ticket.id, 'ai', 'test')).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    expect((await tickets.events(a.ticket.id)).map((e) => e.to)).toEqual([
      'ai',
      'waiting_manager',
      'with_manager',
      'closed',
    ]);
    expect(await tickets.rate(a.ticket.id, c.id + 1, 5)).toBe(false);
    expect(await tickets.rate(a.ticket.id, c.id, 4)).toBe(true);
    expect(await tickets.rate(a.ticket.id, c.id, 5)).toBe(false);
    await expect(tickets.rate(a.ticket.id, c.id, 6)).rejects.toMatchObject({ code: 'INVALID_RATING' });
    const next = await tickets.openOrContinue(c, 'bot');
    expect(next.opened).toBe(true);
    expect(next.ticket.id).not.toBe(a.ticket.id);
  });
});

describe('SupportDesk', () => {
  it('answers from knowledge in the channel the customer used and records the passages', async () => {
    const c = customer();
    const ticket = await desk.customerMessage(c, 'bot', { text: 'How big is the deposit?' });
    const reply = telegram.to(c.chatId).at(-1)!;
    expect(reply.text).toBe('The deposit is 300 euros.');
    const messages = await tickets.messages(ticket.id);
    // The buttons carry the ticket, and "satisfied" the answer, they belong to (issue 12 §4).
    expect(reply.buttons!.flat().map((b) => b.callbackData)).toEqual([
      `support:satisfied:${ticket.id}:${messages[1]!.id}`,
      `support:handoff:${ticket.id}`,
    ]);
    expect(messages.map((m) => m.author)).toEqual(['customer', 'ai']);
    expect(messages[1]!.knowledge).toEqual([{ itemId: 'kb-1', title: 'Rental', chunk: 0, score: 0.8 }]);
    expect(
      fx.emitted.some(
        (e) =>
          e.name === 'support.ticket.opened' && (e.payload as { ticketId: number }).ticketId === ticket.id,
      ),
    ).toBe(true);
  });

  it('offers a manager on low confidence; handoff creates a topic with info and history; replies flow both ways; close asks a rating', async () => {
    passages = [{ itemId: 'kb-1', title: 'Rental', chunk: 0, text: 'Unrelated.', score: 0.1 }];
    const c = customer('ru');
    const asked = await desk.customerMessage(c, 'bot', { text: 'Можно ли арендовать яхту?' });
    const offer = telegram.to(c.chatId).at(-1)!;
    expect(offer.text).toBe(fx.translator.t('ru', 'support-cannot-answer'));
    expect(offer.buttons!.flat().map((b) => b.callbackData)).toEqual([`support:handoff:${asked.id}`]);

    const ticket = await desk.callManager(c, 'bot');
    expect(ticket.status).toBe('waiting_manager');
    const [threadId, topic] = [...telegram.topics.entries()][0]!;
    expect(topic).toMatchObject({ chatId: GROUP, name: `#${ticket.id} ${c.name}` });
    const posted = telegram
      .inThread(threadId)
      .map((m) => m.text)
      .join('\n');
    expect(posted).toContain(`Telegram id: ${c.id}`);
    expect(posted).toContain('Можно ли арендовать яхту?');
    expect(
      telegram
        .inThread(threadId)[0]!
        .buttons!.flat()
        .map((b) => b.callbackData),
    ).toEqual([`support:handback:${ticket.id}`, `support:close:${ticket.id}`]);

    await desk.customerMessage(c, 'bot', { text: 'Жду ответа' });
    expect(telegram.inThread(threadId).at(-1)!.text).toContain('Жду ответа');

    const outcome = await desk.managerMessage(
      GROUP,
      threadId,
      { id: MANAGER, name: 'Maria' },
      { text: 'Да, можно!', telegram: { chatId: GROUP, messageId: 1 } },
    );
    expect(outcome).toBe('forwarded');
    expect(telegram.to(c.chatId).at(-1)!.text).toBe('👤 Maria: Да, можно!');
    const withManager = await tickets.require(ticket.id);
    expect(withManager).toMatchObject({ status: 'with_manager', managerId: MANAGER });
    expect(firstResponseSeconds(withManager)).not.toBeNull();

    await desk.closeFromTopic(GROUP, threadId, { id: MANAGER });
    expect(telegram.topics.get(threadId)!.closed).toBe(true);
    const closing = telegram.to(c.chatId).at(-1)!;
    expect(closing.text).toContain(String(ticket.id));
    expect(closing.buttons!.flat().map((b) => b.callbackData)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `support:rate:${ticket.id}:${n}`),
    );
    expect(await desk.rate(c.id, ticket.id, 5)).toBe(true);
    expect(await tickets.require(ticket.id)).toMatchObject({
      status: 'closed',
      closedBy: 'manager',
      rating: 5,
    });
    const closedEvent = fx.emitted.find(
      (e) => e.name === 'support.ticket.closed' && (e.payload as { ticketId: number }).ticketId === ticket.id,
    );
    expect(closedEvent?.payload).toMatchObject({ closedBy: 'manager', aiResolved: false });
  });

  it('delivers manager replies to the web app instead of the bot chat while it is open', async () => {
    const c = customer();
    const ticket = await desk.callManager(c, 'webapp');
    const threadId = ticket.topicThreadId!;
    hub.connected.add(c.id);
    const before = telegram.to(c.chatId).length;
    await desk.managerMessage(
      GROUP,
      threadId,
      { id: MANAGER, name: 'Maria' },
      { text: 'Hello from Maria', telegram: { chatId: GROUP, messageId: 2 } },
    );
    expect(telegram.to(c.chatId).length).toBe(before);
    const live = hub.events.filter((e) => e.customerId === c.id && e.event.type === 'message').at(-1)!.event;
    expect(live).toMatchObject({
      type: 'message',
      message: { author: 'manager', authorName: 'Maria', text: 'Hello from Maria' },
    });
  });

  it('refuses non-managers in topics and forwards nothing', async () => {
    const c = customer();
    const ticket = await desk.callManager(c, 'bot');
    const before = telegram.to(c.chatId).length;
    const outcome = await desk.managerMessage(
      GROUP,
      ticket.topicThreadId!,
      { id: 999, name: 'Stranger' },
      { text: 'I am not a manager', telegram: { chatId: GROUP, messageId: 3 } },
    );
    expect(outcome).toBe('refused');
    expect(telegram.to(c.chatId).length).toBe(before);
    expect(telegram.inThread(ticket.topicThreadId!).at(-1)!.text).toBe(
      fx.translator.t('en', 'support-not-a-manager'),
    );
    expect((await tickets.messages(ticket.id)).some((m) => m.text === 'I am not a manager')).toBe(false);
    expect(await desk.closeFromTopic(GROUP, ticket.topicThreadId!, { id: 999 })).toBe('refused');
    expect((await tickets.require(ticket.id)).status).toBe('waiting_manager');
  });

  it('re-creates a deleted topic with the history when the customer writes again', async () => {
    const c = customer();
    const ticket = await desk.callManager(c, 'bot');
    telegram.topics.delete(ticket.topicThreadId!);
    await desk.customerMessage(c, 'bot', { text: 'Anyone there?' });
    const fresh = await tickets.require(ticket.id);
    expect(fresh.topicThreadId).not.toBe(ticket.topicThreadId);
    expect(telegram.topics.has(fresh.topicThreadId!)).toBe(true);
    expect(
      telegram
        .inThread(fresh.topicThreadId!)
        .map((m) => m.text)
        .join('\n'),
    ).toContain('Anyone there?');
  });

  it('a missing manager group is reported to the admin and in the status, not a crash', async () => {
    desk = makeDesk({ managerGroupChatId: undefined, adminUserId: ADMIN });
    expect((await desk.checkManagerGroup()).state).toBe('not_configured');
    const c = customer();
    const ticket = await desk.callManager(c, 'bot');
    expect(ticket.status).toBe('waiting_manager');
    expect(telegram.to(c.chatId).at(-1)!.text).toBe(
      fx.translator.t('en', 'support-handoff-queued', { ticket: ticket.id }),
    );
    const alerts = telegram.to(ADMIN);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toContain('MANAGER_GROUP_CHAT_ID');

    telegram.groupProblem = 'Bad Request: not enough rights to create a topic';
    desk = makeDesk();
    const status = await desk.checkManagerGroup();
    expect(status).toMatchObject({
      state: 'error',
      message: 'Bad Request: not enough rights to create a topic',
    });
    await desk.customerMessage(c, 'bot', { text: 'still waiting' });
    expect(telegram.to(ADMIN).at(-1)!.text).toContain('not enough rights');

    telegram.groupProblem = undefined;
    await desk.customerMessage(c, 'bot', { text: 'hello again' });
    expect(desk.status().state).toBe('ok');
    const topicId = (await tickets.require(ticket.id)).topicThreadId!;
    expect(
      telegram
        .inThread(topicId)
        .map((m) => m.text)
        .join('\n'),
    ).toContain('hello again');
  });

  it('"I\'m satisfied" closes an AI ticket as AI-resolved', async () => {
    const c = customer();
    const ticket = await desk.customerMessage(c, 'webapp', { text: 'How big is the deposit?' });
    await desk.satisfied(c, 'webapp');
    expect(await tickets.require(ticket.id)).toMatchObject({
      status: 'closed',
      closedBy: 'customer',
      handoffAt: null,
    });
    const closed = fx.emitted.find(
      (e) => e.name === 'support.ticket.closed' && (e.payload as { ticketId: number }).ticketId === ticket.id,
    );
    expect(closed?.payload).toMatchObject({ aiResolved: true });
    expect(await desk.satisfied(c, 'webapp')).toBeNull();
  });

  it('refuses overlong messages with a typed error', async () => {
    await expect(
      desk.customerMessage(customer(), 'bot', { text: 'x'.repeat(fx.config.maxMessageChars + 1) }),
    ).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LONG',
    });
  });
});
