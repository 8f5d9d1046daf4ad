import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookCallback } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotApiEmulator, createBotApiEmulator, SandboxClient } from '../src/sandbox/index.js';
import { createDemoBot } from './support/demo-bot.js';

const SECRET = 'webhook_secret-123';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
}

async function closeServer(server: Server) {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe('grammY bot against the emulator by webhook', () => {
  let emulator: BotApiEmulator;
  let client: SandboxClient;
  let server: Server;
  let bot: ReturnType<typeof createDemoBot>;
  /** Answer 500 to the next n deliveries (before grammY sees them). */
  let failNext = 0;
  const secretsSeen: Array<string | undefined> = [];
  let webhookUrl: string;

  beforeAll(async () => {
    emulator = createBotApiEmulator({ webhook: { retryDelaysMs: [50, 100] } });
    const url = await emulator.listen(0);
    client = new SandboxClient(url);
    bot = createDemoBot(emulator.token, url);
    await bot.init();
    const handle = webhookCallback(bot, 'http', { secretToken: SECRET });
    server = createServer((req, res) => {
      secretsSeen.push(req.headers['x-telegram-bot-api-secret-token'] as string | undefined);
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end();
        return;
      }
      void handle(req, res);
    });
    webhookUrl = await listen(server);
    expect(await bot.api.setWebhook(webhookUrl, { secret_token: SECRET })).toBe(true);
  });

  afterAll(async () => {
    await bot.api.deleteWebhook();
    await emulator.close();
    await closeServer(server);
  });

  it('reports the webhook', async () => {
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({ url: webhookUrl, has_custom_certificate: false, pending_update_count: 0 });
  });

  it('delivers updates with the secret header and runs the conversation', async () => {
    const dana = client.user('dana');
    await dana.send('/start');
    await dana.expectReply(/Choose/);
    await dana.press('Sign up');
    await dana.expectReply('What is your name?');
    await dana.send('Dana');
    await dana.expectReply(/How old/);
    await dana.send('41');
    await dana.expectReply('Welcome Dana, age 41!');
    expect(secretsSeen.length).toBeGreaterThanOrEqual(4);
    expect(new Set(secretsSeen)).toEqual(new Set([SECRET]));
  });

  it('retries a failed delivery and reports the error, without a second reply', async () => {
    failNext = 2;
    const eve = client.user('evelyn');
    await eve.send('/count');
    const reply = await eve.expectReply(/You sent 1 messages/);
    expect(reply.text).toBe('You sent 1 messages');
    const info = await bot.api.getWebhookInfo();
    expect(info.last_error_message).toBe('Wrong response from the webhook: 500 Internal Server Error');
    expect(info.pending_update_count).toBe(0);
    const transcript = await eve.transcript();
    expect(transcript.map((m) => m.text)).toEqual(['/count', 'You sent 1 messages']);
  });

  it('refuses getUpdates while the webhook is set', async () => {
    await expect(bot.api.getUpdates()).rejects.toMatchObject({
      error_code: 409,
      description:
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
  });

  it('a wrong secret is refused by grammY and the update stays queued', async () => {
    await bot.api.setWebhook(webhookUrl, { secret_token: 'other_secret' });
    const frank = client.user('franky');
    await frank.send('hello');
    await expect
      .poll(async () => (await bot.api.getWebhookInfo()).last_error_message)
      .toMatch(/401|Unauthorized/);
    expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(1);
    await bot.api.setWebhook(webhookUrl, { secret_token: SECRET });
    await frank.expectReply('Echo: hello');
  });
});
