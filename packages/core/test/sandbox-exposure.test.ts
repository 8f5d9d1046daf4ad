/**
 * Issue 11 §7: the sandbox's control API lets a caller act as any user, so in sandbox mode the
 * app binds to 127.0.0.1 unless HOST is set, and a HOST beyond loopback puts `/sandbox/*`
 * behind a token. Sandbox responses carry the same security headers as every response.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/app/create-app.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import { isLoopbackHost, SandboxClient, sandboxControlToken } from '../src/sandbox/index.js';
import { chromiumAvailable, chromiumLaunchOptions } from '../src/testing/chromium.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { quietLogger } from './helpers/quiet-logger.js';

const echo = definePlugin({
  id: 'echo',
  version: '1.0.0',
  core: '*',
  bot({ composer }) {
    composer.command('start', (ctx) => ctx.reply(`Hello, ${ctx.from?.first_name}!`));
  },
});

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  return undefined;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
}

let db: TestDatabase;
const dirs: string[] = [];

async function sandboxApp(config: Record<string, unknown>): Promise<App> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-exposure-'));
  dirs.push(dataDir);
  const app = createApp({
    plugins: [echo],
    config: { DATABASE_URL: db.url, PORT: 0, KV_URL: 'memory://', BOTLOOM_DATA_DIR: dataDir, ...config },
    env: {},
    dotenv: false,
    logger: quietLogger(),
  });
  await app.start();
  return app;
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('sandbox exposure rules', () => {
  it('knows loopback addresses and when a token is needed', () => {
    for (const host of ['127.0.0.1', '127.8.9.1', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.0.2.2', 'example.com', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
    expect(sandboxControlToken({ host: undefined, configured: undefined })).toBeUndefined();
    expect(sandboxControlToken({ host: '127.0.0.1', configured: undefined })).toBeUndefined();
    expect(sandboxControlToken({ host: '0.0.0.0', configured: undefined })).toMatch(/^[\w-]{32}$/);
    expect(sandboxControlToken({ host: '127.0.0.1', configured: 'x'.repeat(16) })).toBe('x'.repeat(16));
  });
});

describe('sandbox mode with HOST unset', () => {
  let app: App;
  beforeAll(async () => {
    app = await sandboxApp({});
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('binds to 127.0.0.1 only, and the control API needs no token there', async () => {
    const url = new URL(app.url!);
    expect(url.hostname).toBe('127.0.0.1');
    expect(app.sandbox?.controlToken).toBeUndefined();
    const external = externalAddress();
    if (external) expect(await canConnect(external, Number(url.port))).toBe(false);
    expect(await canConnect('127.0.0.1', Number(url.port))).toBe(true);

    const users = await fetch(`${app.url}/sandbox/control/users`);
    expect(users.status).toBe(200);
    expectSecurityHeaders(users);
  });
});

describe('sandbox mode with HOST set beyond loopback', () => {
  let app: App;
  let token: string;
  let base: string;
  beforeAll(async () => {
    app = await sandboxApp({ HOST: '0.0.0.0' });
    token = app.sandbox!.controlToken!;
    base = `http://127.0.0.1:${new URL(app.url!).port}/sandbox`;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('generates a token and refuses the control API and the page without it', async () => {
    expect(token).toMatch(/^[\w-]{32}$/);
    for (const target of ['/control/users', '/control/events?after=0&timeoutMs=0', '/', '/control/files/x']) {
      const response = await fetch(`${base}${target}`);
      expect(response.status, target).toBe(401);
      expect((await response.json()).error.code).toBe('SANDBOX_TOKEN_REQUIRED');
      expectSecurityHeaders(response);
    }
    const wrong = await fetch(`${base}/control/users`, { headers: { 'x-sandbox-token': `${token}x` } });
    expect(wrong.status).toBe(401);
    const posted = await fetch(`${base}/control/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: 'Mallory' }),
    });
    expect(posted.status).toBe(401);
    expect(await new SandboxClient(base).listUsers().catch((err) => err.status)).toBe(401);
  });

  it('serves the control API with the token as a header or a query parameter', async () => {
    const client = new SandboxClient(base, { token });
    const alice = client.user('alice');
    await alice.send('/start');
    await alice.expectReply('Hello, Alice!');

    const byHeader = await fetch(`${base}/control/users`, { headers: { 'x-sandbox-token': token } });
    expect(byHeader.status).toBe(200);
    expectSecurityHeaders(byHeader);
    const byQuery = await fetch(`${base}/control/users?token=${encodeURIComponent(token)}`);
    expect(byQuery.status).toBe(200);
    expect((await byQuery.json()).result.map((u: { first_name: string }) => u.first_name)).toEqual(['Alice']);

    const page = await fetch(`${base}/?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    expectSecurityHeaders(page);
  });

  it('leaves the Bot API (bot token) and the static playground assets as they were', async () => {
    const botToken = app.sandbox!.token;
    const me = await fetch(`${base}/bot${botToken}/getMe`);
    expect(me.status).toBe(200);
    expectSecurityHeaders(me);
    expect((await fetch(`${base}/botwrong/getMe`)).status).toBe(401);
    const script = await fetch(`${base}/playground/playground.js`);
    expect(script.status).toBe(200);
    expectSecurityHeaders(script);
  });

  it('prints the playground URL with the token, and honours a configured token', async () => {
    const other = await sandboxApp({
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://bots.example.com',
      SANDBOX_CONTROL_TOKEN: 'configured-token-0123456789',
    });
    try {
      expect(other.sandbox?.controlToken).toBe('configured-token-0123456789');
      expect(other.sandbox?.urls?.playground).toBe(
        'https://bots.example.com/sandbox/?token=configured-token-0123456789',
      );
      const port = new URL(other.url!).port;
      const ok = await fetch(`http://127.0.0.1:${port}/sandbox/control/users`, {
        headers: { 'x-sandbox-token': 'configured-token-0123456789' },
      });
      expect(ok.status).toBe(200);
      // The setting is a secret: masked wherever settings are shown.
      const row = other.settings().find((s) => s.name === 'SANDBOX_CONTROL_TOKEN');
      expect(JSON.stringify(row)).not.toContain('configured-token-0123456789');
    } finally {
      await other.stop();
    }
  });

  describe.skipIf(!chromiumAvailable('sandbox exposure'))('the playground in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch(chromiumLaunchOptions());
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('works from the printed URL with the token', async () => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
      await page.goto(`${base}/?token=${encodeURIComponent(token)}`);
      await page.getByTestId('new-user-name').fill('Bob');
      await page.getByTestId('new-user-create').click();
      await expect.poll(() => page.locator('#user-select option:checked').textContent()).toContain('Bob');
      await page.getByTestId('message-input').fill('/start');
      await page.getByTestId('send-button').click();
      await page
        .locator('.message[data-from="bot"]', { hasText: 'Hello, Bob!' })
        .waitFor({ timeout: 30_000 });
      await page.close();
    });
  });
});
