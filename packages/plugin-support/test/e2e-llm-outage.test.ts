/**
 * Support during an LLM outage (issue 11 §4), through the sandbox with the fake OpenAI
 * server's fault injection. Core makes no retries here (LLM_MAX_RETRIES=0), so one injected
 * fault fails exactly one answer and the circuit stays closed.
 */
import { rm } from 'node:fs/promises';
import type { TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOW, type SupportTestApp, startSupportApp } from './support/e2e-app.js';

let s: SupportTestApp;
let t: TestApp;

beforeAll(async () => {
  s = await startSupportApp({ env: { LLM_MAX_RETRIES: '0' }, support: { outageRetrySeconds: 1 } });
  t = s.t;
});

afterAll(async () => {
  await s?.t.stop();
  if (s) await rm(s.kbDir, { recursive: true, force: true });
});

describe('support while the model is unavailable', () => {
  it('says so, offers a manager at once, and answers the question when the model is back', async () => {
    const alice = t.user('alice_outage', { first_name: 'Alice', language_code: 'en' });
    t.openai!.fail('server_error', 1, { endpoint: 'chat', status: 503 });
    await alice.send('How big is the deposit?');
    const notice = await alice.expectReply(/our assistant is unavailable right now/, SLOW);
    expect(notice.text).toBe(
      'Sorry, our assistant is unavailable right now. I can call a manager for you now; otherwise I will answer your question here as soon as the assistant is back.',
    );
    expect((notice.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text)).toEqual([
      '🙋 Call a manager',
    ]);
    expect(t.openai!.chatRequests.some((r) => r.fault === 'server_error')).toBe(true);

    // The customer does not take the offer: the pending question is answered by a job.
    const answer = await alice.expectReply(/300 euros/, SLOW);
    expect(answer.text).toBe('The deposit is 300 euros and is returned within 3 days after the car is back.');
    const ticket = await s.latestTicketOf(await alice.id());
    expect(ticket.status).toBe('ai');
    const detail = await t.admin.get(`/admin/api/support/tickets/${ticket.id}`);
    expect(detail.body.messages.map((m: { author: string }) => m.author)).toEqual(['customer', 'ai', 'ai']);
  });

  it('in Russian; taking the offer hands the ticket to a manager at once', async () => {
    const boris = t.user('boris_outage', { first_name: 'Борис', language_code: 'ru' });
    t.openai!.fail('server_error', 1, { endpoint: 'chat' });
    await boris.send('How big is the deposit?');
    await boris.expectReply(/Извините, наш ассистент сейчас недоступен/, SLOW);
    await boris.press('🙋 Позвать менеджера');
    await boris.expectReply(/Я позвал менеджера/, SLOW);
    const ticket = await s.latestTicketOf(await boris.id());
    expect(ticket.status).toBe('waiting_manager');
    await s.topicOf(ticket.id, /How big is the deposit\?/);
  });
});
