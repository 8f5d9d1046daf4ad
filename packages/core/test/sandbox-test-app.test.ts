import { InlineKeyboard } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { startTestApp, type TestApp } from '../src/testing/index.js';

function greeterPlugin() {
  let greetings = 0;
  return definePlugin({
    id: 'greeter',
    version: '1.0.0',
    core: '*',
    commands: [{ command: 'hello', description: { en: 'Say hello', ru: 'Поздороваться' } }],
    bot({ composer }) {
      composer.command('hello', async (ctx) => {
        greetings++;
        await ctx.reply(`Hello, ${ctx.from?.first_name}!`, {
          reply_markup: new InlineKeyboard().text('Again', 'greeter:again'),
        });
      });
      composer.callbackQuery('greeter:again', async (ctx) => {
        greetings++;
        await ctx.answerCallbackQuery({ text: 'Once more' });
        await ctx.reply(`Hello again, ${ctx.from.first_name}!`);
      });
    },
    admin({ router }) {
      router.get('/stats', (ctx) => {
        ctx.body = { greetings };
      });
      router.post('/reset', (ctx) => {
        greetings = 0;
        ctx.body = { greetings };
      });
    },
  });
}

describe('startTestApp', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ plugins: [greeterPlugin()] });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('drives the real app through the emulator', async () => {
    const alice = app.user('alice');
    await alice.send('/hello');
    const reply = await alice.expectReply(/Hello, Alice!/);
    expect(reply.reply_markup?.inline_keyboard[0][0].text).toBe('Again');
    const pressed = await alice.press('Again');
    expect('answer' in pressed && pressed.answer?.text).toBe('Once more');
    await alice.expectReply('Hello again, Alice!');
  });

  it('gives admin and viewer tokens for the admin API', async () => {
    const stats = await app.admin.get('/admin/api/greeter/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({ greetings: 2 });
    expect((await app.viewer.get('/admin/api/greeter/stats')).status).toBe(200);
    expect((await app.viewer.post('/admin/api/greeter/reset')).status).toBe(403);
    expect((await fetch(`${app.url}/admin/api/greeter/stats`)).status).toBe(401);
    expect((await app.admin.post('/admin/api/greeter/reset')).body).toEqual({ greetings: 0 });
  });

  it('serves the playground and the emulator under /sandbox on the app server', async () => {
    const page = await fetch(`${app.url}/sandbox/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<meta name="sandbox-base" content="/sandbox">');
    const users = await (await fetch(`${app.url}/sandbox/control/users`)).json();
    expect(users.result.map((u: { first_name: string }) => u.first_name)).toContain('Alice');
  });

  it('runs a second app in parallel with its own database and sandbox', async () => {
    const other = await startTestApp({ plugins: [greeterPlugin()], openai: true });
    try {
      expect(other.database.name).not.toBe(app.database.name);
      expect(other.emulator.token).not.toBe(app.emulator.token);
      expect(other.openai?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      await other.user('alice').send('/hello');
      await other.user('alice').expectReply(/Hello, Alice!/);
      expect((await other.admin.get('/admin/api/greeter/stats')).body).toEqual({ greetings: 1 });
    } finally {
      await other.stop();
    }
  });
});
