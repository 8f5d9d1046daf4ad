/** Sandbox mode with no Instagram settings: a local Graph API starts and the playground works. */
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import instagramPlugin from '../src/index.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ plugins: [instagramPlugin()] });
});
afterAll(() => app?.stop());

const thread = async (igsid: string) =>
  (await (await fetch(`${app.url}/p/instagram/playground/thread?igsid=${igsid}`)).json()) as any;

describe('Instagram playground', () => {
  it('serves the page and lets a person DM the agent, showing the reply, the decision and the window', async () => {
    const page = await fetch(`${app.url}/p/instagram/playground`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Instagram DM playground');
    expect((await fetch(`${app.url}/p/instagram/playground/app.js`)).status).toBe(200);

    const sent = await fetch(`${app.url}/p/instagram/playground/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ igsid: '1001', text: 'Hi! Do you deliver on Sundays?' }),
    });
    expect(await sent.json()).toMatchObject({ webhookStatus: 200 });
    const until = Date.now() + 30_000;
    let state = await thread('1001');
    while (
      !state.messages?.some((m: { senderType: string }) => m.senderType === 'bot') &&
      Date.now() < until
    ) {
      await new Promise((r) => setTimeout(r, 200));
      state = await thread('1001');
    }
    expect(state.messages.map((m: { senderType: string }) => m.senderType)).toEqual(['user', 'bot']);
    expect(state.decisions[0]).toMatchObject({ action: 'ai_reply' });
    expect(state.window.bot.allowed).toBe(true);

    const bad = await fetch(`${app.url}/p/instagram/playground/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ igsid: 'abc', text: '' }),
    });
    expect(bad.status).toBe(422);
  });
});
