/**
 * A lasting LLM outage through the sandbox: the fake OpenAI server keeps failing until core's
 * circuit breaker opens. Its own app, so the circuit starts closed and other tests' successful
 * calls do not dilute the error rate.
 */
import { Tokens } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import memoryPlugin from '../src/index.js';

const WAIT = { timeoutMs: 30_000 };
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    plugins: [memoryPlugin()],
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
    openai: true,
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

it('with the circuit open: a friendly apology in the user language, no model call, nothing lost', async () => {
  app.openai!.fail('server_error', 1000, { endpoint: 'chat' });
  const gleb = app.user('gleb');
  const nina = app.user('nina', { language_code: 'ru' });

  await gleb.send('first message');
  await gleb.expectReply(/started a new session/, WAIT);
  await gleb.expectReply(/Sorry, the AI service is unavailable right now\. Your message is saved/, WAIT);
  await gleb.send('second message');
  await gleb.expectReply(/Sorry, the AI service is unavailable right now/, WAIT);
  const status = await app.admin.get('/admin/api/core/llm/status');
  expect(status.body.circuit).toBe('open');

  const calls = app.openai!.chatRequests.length;
  await nina.send('третье сообщение');
  await nina.expectReply(/Я начал новую сессию/, WAIT);
  await nina.expectReply(/Извините, AI-сервис сейчас недоступен\. Ваше сообщение сохранено/, WAIT);
  expect(app.openai!.chatRequests.length).toBe(calls); // the open circuit answered at once

  const stored = (
    await app.app
      .resolver('memory')(Tokens.Database)
      .query("SELECT user_id, role FROM memory_messages WHERE role = 'user' ORDER BY created_at")
  )[0] as Array<{ user_id: string; role: string }>;
  expect(stored.map((r) => r.user_id)).toEqual([
    String(await gleb.id()),
    String(await gleb.id()),
    String(await nina.id()),
  ]);

  // Ending the session while the model is down: it ends, the summary waits, nothing is lost.
  await gleb.send('/end_session');
  await gleb.expectReply(
    /Session ended\. I could not summarise it right now; I will save it to memory later/,
    WAIT,
  );
}, 120_000);
