import { autoRetry } from '@grammyjs/auto-retry';
import { Api, Bot, GrammyError } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BotApiEmulator, createBotApiEmulator, SandboxClient } from '../src/sandbox/index.js';

describe('fault injection with @grammyjs/auto-retry', () => {
  let emulator: BotApiEmulator;
  let client: SandboxClient;
  let url: string;
  let chatId: number;

  beforeEach(async () => {
    emulator = createBotApiEmulator();
    url = await emulator.listen(0);
    client = new SandboxClient(url);
    chatId = (await client.createUser({ first_name: 'Grace' })).id;
    await client.sendMessage(chatId, '/start');
  });

  afterEach(() => emulator.close());

  it('answers 429 with retry_after, 5xx and slow answers as configured', async () => {
    const api = new Api(emulator.token, { apiRoot: url });
    emulator.faults.add({ kind: 'rate_limit', methods: ['sendMessage'], retryAfter: 7, times: 1 });
    const limited = await api.sendMessage(chatId, 'x').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(GrammyError);
    expect((limited as GrammyError).error_code).toBe(429);
    expect((limited as GrammyError).description).toBe('Too Many Requests: retry after 7');
    expect((limited as GrammyError).parameters).toEqual({ retry_after: 7 });

    emulator.faults.add({ kind: 'server_error', status: 502, methods: ['sendMessage'], times: 1 });
    const failed = await api.sendMessage(chatId, 'x').catch((e: unknown) => e);
    expect((failed as GrammyError).error_code).toBe(502);

    emulator.faults.add({ kind: 'slow', delayMs: 300, methods: ['getMe'], times: 1 });
    const started = Date.now();
    await api.getMe();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    // Faults are decided before the method runs: nothing was sent by the failed calls.
    expect((await client.transcript(chatId)).map((m) => m.text)).toEqual(['/start']);
    expect(emulator.faults.log.map((f) => f.kind)).toEqual(['rate_limit', 'server_error', 'slow']);
  });

  it('loses and duplicates nothing when the bot retries sequential sends', async () => {
    const api = new Api(emulator.token, { apiRoot: url });
    api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 5 }));
    await client.addFaults([
      { kind: 'rate_limit', methods: ['sendMessage'], every: 3, times: 2, retryAfter: 1 },
      { kind: 'server_error', methods: ['sendMessage'], every: 4, times: 1 },
      { kind: 'slow', methods: ['sendMessage'], every: 5, times: 1, delayMs: 100 },
    ]);
    for (let i = 1; i <= 8; i++) await api.sendMessage(chatId, `message ${i}`);
    const texts = (await client.transcript(chatId)).filter((m) => m.from?.is_bot).map((m) => m.text);
    expect(texts).toEqual(Array.from({ length: 8 }, (_, i) => `message ${i + 1}`));
    expect(emulator.faults.log.filter((f) => f.kind !== 'slow')).toHaveLength(3);
  });

  it('keeps every message through emulated flood control, in parallel', async () => {
    const api = new Api(emulator.token, { apiRoot: url });
    api.config.use(autoRetry({ maxRetryAttempts: 10, maxDelaySeconds: 5 }));
    emulator.faults.setFloodLimits({ perChatPerSecond: 2 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => api.sendMessage(chatId, `burst ${i}`)));
    const texts = (await client.transcript(chatId)).filter((m) => m.from?.is_bot).map((m) => m.text);
    expect(texts).toHaveLength(5);
    expect(new Set(texts)).toEqual(new Set(Array.from({ length: 5 }, (_, i) => `burst ${i}`)));
    expect(emulator.faults.log.some((f) => f.kind === 'flood')).toBe(true);
  });

  it('a polling bot gets every update once while getUpdates and sendMessage fail', async () => {
    const bot = new Bot(emulator.token, { client: { apiRoot: url } });
    bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 5 }));
    bot.on('message:text', (ctx) => ctx.reply(`echo ${ctx.message.text}`));
    await bot.init();
    emulator.faults.add({ kind: 'rate_limit', methods: ['getUpdates'], every: 2, times: 2, retryAfter: 1 });
    emulator.faults.add({ kind: 'rate_limit', methods: ['sendMessage'], every: 2, times: 2, retryAfter: 1 });
    const polling = bot.start({ timeout: 1 });
    try {
      const henry = client.user('henry');
      for (let i = 1; i <= 4; i++) await henry.send(`m${i}`);
      await henry.expectReply('echo m4', { timeoutMs: 20_000 });
      const transcript = await henry.transcript();
      expect(transcript.filter((m) => m.from?.is_bot).map((m) => m.text)).toEqual([
        'echo m1',
        'echo m2',
        'echo m3',
        'echo m4',
      ]);
    } finally {
      await bot.stop();
      await polling;
    }
    expect(emulator.faults.log.filter((f) => f.method.toLowerCase() === 'getupdates')).toHaveLength(2);
  });
});
