import { afterEach, describe, expect, it } from 'vitest';
import { type BotHarness, metricValue, startBotHarness } from './support/bot-harness.js';
import { textUpdate } from './support/fake-bot-api.js';

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('outgoing Bot API calls', () => {
  it('retries a 429 after retry_after and delivers the message exactly once', async () => {
    harness = await startBotHarness({
      plugins: [
        {
          id: 'echo',
          commands: [],
          setup: (c) => c.on('message:text', (ctx) => ctx.reply(ctx.message.text)),
        },
      ],
    });
    harness.api.failNext('sendMessage', {
      errorCode: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
    });
    await harness.runtime.handleWebhookUpdate(textUpdate('important', { id: 31 }));
    const attempts = harness.api.callsOf('sendMessage');
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(harness.api.textsTo(31)).toEqual(['important']);
    const count = (status: string) =>
      metricValue(harness!.metrics, 'botloom_telegram_api_calls_total', { method: 'sendMessage', status });
    expect(await count('429')).toBe(1);
    expect(await count('ok')).toBe(1);
  });

  it('gives up after the bounded number of attempts (error boundary tells the user)', async () => {
    harness = await startBotHarness({
      plugins: [
        { id: 'echo', commands: [], setup: (c) => c.on('message:text', (ctx) => ctx.reply('never')) },
      ],
    });
    // retry_after above maxDelaySeconds (30): fail at once instead of blocking the chat.
    harness.api.failNext('sendMessage', {
      errorCode: 429,
      description: 'Too Many Requests',
      retryAfter: 3600,
    });
    await harness.runtime.handleWebhookUpdate(textUpdate('x', { id: 32 }));
    const statuses = harness.api.callsOf('sendMessage').map((call) => call.status);
    expect(statuses).toEqual([429, 200]); // the failed reply, then the error message
    expect(harness.api.textsTo(32)[0]).toMatch(/Error ID: [0-9a-f]{8}/);
  });

  it('keeps per-chat order and spacing under flood control, losing nothing despite 429s', async () => {
    harness = await startBotHarness({
      floodControl: { perChatIntervalMs: 300 },
      plugins: [
        {
          id: 'burst',
          commands: [],
          setup: (composer) =>
            composer.on('message:text', async (ctx) => {
              // Fired without awaiting each other: the queue alone must keep the order.
              await Promise.all([1, 2, 3, 4].map((n) => ctx.reply(`${ctx.message.text}-${n}`)));
            }),
        },
      ],
    });
    harness.api.failNext('sendMessage', { errorCode: 429, description: 'Too Many Requests', retryAfter: 1 });
    await Promise.all([
      harness.runtime.handleWebhookUpdate(textUpdate('a', { id: 33 })),
      harness.runtime.handleWebhookUpdate(textUpdate('b', { id: 34 })),
    ]);
    await harness.runtime.handleWebhookUpdate(textUpdate('c', { id: 33 }));
    expect(harness.api.textsTo(33)).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'c-1', 'c-2', 'c-3', 'c-4']);
    expect(harness.api.textsTo(34)).toEqual(['b-1', 'b-2', 'b-3', 'b-4']);
    const sentTo33 = harness.api.callsOf('sendMessage').filter((call) => call.payload.chat_id === 33);
    // Paced at 300 ms; unpaced would be ~1 ms. Measured on arrival, so a busy machine can delay
    // one request more than the next: the margin leaves room for 100 ms of such jitter.
    for (let i = 1; i < sentTo33.length; i++) {
      expect(sentTo33[i]!.at - sentTo33[i - 1]!.at).toBeGreaterThanOrEqual(200);
    }
  });

  it('does not pace reads of a chat (getChat, getChatMember): they send nothing to it', async () => {
    // An hour between two calls to one chat: a paced second read would never finish in the test.
    harness = await startBotHarness({ floodControl: { perChatIntervalMs: 3_600_000, groupPerMinute: 1 } });
    const api = harness.runtime.api;
    await api.sendMessage(-100_77, 'first message');
    await api.getChat(-100_77);
    await api.getChatMember(-100_77, 1);
    await api.getChatAdministrators(-100_77);
    expect(harness.api.callsOf('getChatMember')).toHaveLength(1);
    expect(harness.api.callsOf('getChatAdministrators')).toHaveLength(1);
  });

  it('keeps under the global rate across chats by waiting, not dropping', async () => {
    harness = await startBotHarness({
      floodControl: { globalPerSecond: 2, perChatIntervalMs: 0 },
      plugins: [{ id: 'echo', commands: [], setup: (c) => c.on('message:text', (ctx) => ctx.reply('ok')) }],
    });
    await Promise.all(
      [41, 42, 43, 44, 45].map((id) => harness!.runtime.handleWebhookUpdate(textUpdate('go', { id }))),
    );
    const sent = harness.api.callsOf('sendMessage').map((call) => call.at);
    expect(sent).toHaveLength(5);
    // Never more than 2 starts within one second (measured on arrival: 100 ms left for jitter;
    // without the limit all five arrive within a few ms).
    for (let i = 2; i < sent.length; i++) expect(sent[i]! - sent[i - 2]!).toBeGreaterThanOrEqual(900);
  });
});

describe('modes and shutdown', () => {
  it('long polling delivers queued updates to the pipeline', async () => {
    harness = await startBotHarness({
      plugins: [
        {
          id: 'echo',
          commands: [],
          setup: (c) => c.on('message:text', (ctx) => ctx.reply(`got ${ctx.message.text}`)),
        },
      ],
    });
    await harness.runtime.startPolling();
    expect(harness.api.callsOf('deleteWebhook')).toHaveLength(1);
    harness.api.pushUpdate(
      textUpdate('one', { id: 51 }),
      textUpdate('two', { id: 51 }),
      textUpdate('x', { id: 52 }),
    );
    await harness.api.waitFor(
      () => harness!.api.textsTo(51).length === 2 && harness!.api.textsTo(52).length === 1,
    );
    expect(harness.api.textsTo(51)).toEqual(['got one', 'got two']); // sequential per chat
    await harness.runtime.stop();
    const pollsAtStop = harness.api.callsOf('getUpdates').length;
    harness.api.pushUpdate(textUpdate('late', { id: 51 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(harness.api.callsOf('getUpdates').length).toBe(pollsAtStop);
    expect(harness.api.textsTo(51)).toEqual(['got one', 'got two']);
  });

  it('stop() waits for an in-flight webhook handler and then refuses new updates', async () => {
    const gate = deferred();
    const entered = deferred();
    harness = await startBotHarness({
      plugins: [
        {
          id: 'slow',
          commands: [],
          setup: (c) =>
            c.on('message:text', async (ctx) => {
              entered.resolve();
              await gate.promise;
              await ctx.reply('finished');
            }),
        },
      ],
    });
    const handling = harness.runtime.handleWebhookUpdate(textUpdate('work', { id: 61 }));
    await entered.promise;
    expect(harness.runtime.inFlight()).toBe(1);
    let stopped = false;
    const stopping = harness.runtime.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    await expect(harness.runtime.handleWebhookUpdate(textUpdate('late', { id: 62 }))).rejects.toMatchObject({
      code: 'BOT_STOPPING',
    });
    gate.resolve();
    await stopping;
    await handling;
    expect(stopped).toBe(true);
    expect(harness.runtime.inFlight()).toBe(0);
    expect(harness.api.textsTo(61)).toEqual(['finished']);
    expect(harness.api.textsTo(62)).toEqual([]);
  });

  it('stop() waits for an in-flight handler in polling mode', async () => {
    const gate = deferred();
    const entered = deferred();
    harness = await startBotHarness({
      plugins: [
        {
          id: 'slow',
          commands: [],
          setup: (c) =>
            c.on('message:text', async (ctx) => {
              entered.resolve();
              await gate.promise;
              await ctx.reply('finished');
            }),
        },
      ],
    });
    await harness.runtime.startPolling();
    harness.api.pushUpdate(textUpdate('work', { id: 63 }));
    await entered.promise;
    let stopped = false;
    const stopping = harness.runtime.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(harness.api.textsTo(63)).toEqual(['finished']);
  });
});
