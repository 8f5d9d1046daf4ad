import { randomBytes } from 'node:crypto';
import { createAesGcmCrypto } from '@botloom/core';
import { ScriptedLlm } from '@botloom/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MessageTextCodec } from '../src/db/message-text.js';
import { AnswerService } from '../src/services/answer-service.js';
import { ManagerService } from '../src/services/manager-service.js';
import type { PendingQuestion } from '../src/services/ports.js';
import { SupportDesk } from '../src/services/support-desk.js';
import { TicketService } from '../src/services/ticket-service.js';
import { createDbFixture } from './support/db-fixture.js';
import { RecordingHub, RecordingTelegram } from './support/fakes.js';

const GROUP = -100_321;

/** A model that is down until `down` is cleared, the way core's Llm fails (circuit open, 5xx). */
class FlakyLlm extends ScriptedLlm {
  set down(value: boolean) {
    this.fail = value ? 'unavailable' : null;
  }
}

let fx: Awaited<ReturnType<typeof createDbFixture>>;
let tickets: TicketService;
let telegram: RecordingTelegram;
let llm: FlakyLlm;
let retries: PendingQuestion[];
let desk: SupportDesk;
let nextCustomer = 5000;

function customer(language = 'en') {
  const id = nextCustomer++;
  return { id, chatId: id, name: `Customer ${id}`, username: undefined, language };
}

beforeAll(async () => {
  fx = await createDbFixture({ outageRetryAttempts: 3 });
  tickets = new TicketService(fx.sequelize, new MessageTextCodec(createAesGcmCrypto(randomBytes(32))));
});

afterAll(async () => {
  await fx.close();
});

beforeEach(() => {
  telegram = new RecordingTelegram();
  llm = new FlakyLlm({ reply: 'The deposit is 300 euros. [1]' });
  llm.down = true;
  retries = [];
  const passages = [
    { itemId: 'kb-1', title: 'Rental', chunk: 0, text: 'The deposit is 300 euros.', score: 0.8 },
  ];
  desk = new SupportDesk({
    tickets,
    managers: new ManagerService(fx.sequelize),
    answers: new AnswerService({ search: async () => passages }, llm, { minConfidence: 0.3, topK: 3 }),
    telegram,
    hub: new RecordingHub(),
    pending: { retryLater: async (q) => void retries.push(q) },
    translator: fx.translator,
    events: fx.events,
    config: { ...fx.config, managerGroupChatId: GROUP },
    logger: fx.logger,
    fileUrl: (id) => `/files/${id}`,
  });
});

describe('a question asked while the model is unavailable', () => {
  it('is tried again while the model stays down, then goes to a manager after the last try', async () => {
    const c = customer('ru');
    const ticket = await desk.customerMessage(c, 'bot', { text: 'Какой залог?' });
    expect(telegram.to(c.chatId).at(-1)!.text).toBe(fx.translator.t('ru', 'support-model-unavailable'));
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ ticketId: ticket.id, attempt: 1 });

    expect(await desk.customers.answerPending(retries[0]!)).toBe('waiting');
    expect(retries.at(-1)).toMatchObject({ ticketId: ticket.id, attempt: 2 });
    expect(await desk.customers.answerPending({ ...retries[0]!, attempt: 3 })).toBe('handed_off');
    expect(await tickets.require(ticket.id)).toMatchObject({ status: 'waiting_manager' });
    const told = telegram.to(c.chatId).map((m) => m.text);
    expect(told).toContain(fx.translator.t('ru', 'support-model-still-unavailable'));
    expect(told.at(-1)).toBe(fx.translator.t('ru', 'support-handoff-started', { ticket: String(ticket.id) }));
    expect(retries).toHaveLength(2);
  });

  it('is answered when the model is back, unless the customer moved on', async () => {
    const c = customer();
    const ticket = await desk.customerMessage(c, 'bot', { text: 'How big is the deposit?' });
    const pending = retries[0]!;
    llm.down = false;
    expect(await desk.customers.answerPending(pending)).toBe('answered');
    expect(telegram.to(c.chatId).at(-1)!.text).toBe('The deposit is 300 euros.');

    // A newer question supersedes an older pending one.
    llm.down = true;
    await desk.customerMessage(c, 'bot', { text: 'And the deposit for a van?' });
    await desk.customerMessage(c, 'bot', { text: 'And for a truck?' });
    llm.down = false;
    expect(await desk.customers.answerPending(retries[1]!)).toBe('moved_on');
    // The customer took the manager: the pending question is left to the manager.
    llm.down = true;
    const other = customer();
    const t2 = await desk.customerMessage(other, 'bot', { text: 'How big is the deposit?' });
    await desk.callManager(other, 'bot');
    llm.down = false;
    expect(await desk.customers.answerPending(retries.at(-1)!)).toBe('moved_on');
    expect((await tickets.require(t2.id)).status).toBe('waiting_manager');
    expect((await tickets.require(ticket.id)).status).toBe('ai');
  });
});
