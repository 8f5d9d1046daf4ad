import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminUserService } from '../src/http/admin-users.js';
import { LoginThrottle } from '../src/http/login-throttle.js';
import { startTestApp, type TestApp } from '../src/testing/test-app.js';

const PASSWORD = 'mallory password 1';

function login(t: TestApp, username: string, password: string, forwardedFor?: string) {
  return fetch(`${t.url}/admin/api/session`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: JSON.stringify({ username, password }),
  });
}

async function auditOf(t: TestApp, actor: string) {
  const answer = await t.admin.get(`/admin/api/core/panel/audit?actor=${encodeURIComponent(actor)}`);
  return answer.body.entries as Array<{ address: string | null; status: number }>;
}

describe('login throttle and client address without a trusted proxy (default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ plugins: [] });
    await new AdminUserService(t.app.database!.sequelize).create({
      username: 'mallory',
      password: PASSWORD,
      role: 'admin',
    });
  });
  afterAll(() => t?.stop());

  it('ignores a forged X-Forwarded-For: changing it does not escape the limit, and the audit keeps the socket address', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await login(t, 'mallory', `wrong ${i}`, `203.0.113.${i + 1}`)).status).toBe(401);
    }
    const limited = await login(t, 'mallory', PASSWORD, '203.0.113.99');
    expect(limited.status).toBe(429);
    const entries = await auditOf(t, 'mallory');
    expect(entries.length).toBe(5);
    for (const entry of entries) expect(entry.address).toMatch(/127\.0\.0\.1/);
  });
});

describe('login throttle behind a trusted proxy (TRUST_PROXY), shared by two instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ plugins: [], config: { TRUST_PROXY: 'true' } as never });
    // A second instance of the same deployment: another process, the same database.
    b = await startTestApp({
      plugins: [],
      config: { TRUST_PROXY: '1', DATABASE_URL: a.app.database!.url } as never,
    });
    await new AdminUserService(a.app.database!.sequelize).create({
      username: 'mallory',
      password: PASSWORD,
      role: 'admin',
    });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('counts failures per forwarded client address, on every instance, and audits that address', async () => {
    // The proxy appends the address it saw; what the client sent before it is not trusted.
    const viaProxy = (client: string) => `10.9.9.9, ${client}`;
    for (let i = 0; i < 3; i++) {
      expect((await login(a, 'mallory', `wrong ${i}`, viaProxy('198.51.100.7'))).status).toBe(401);
    }
    for (let i = 3; i < 5; i++) {
      expect((await login(b, 'mallory', `wrong ${i}`, viaProxy('198.51.100.7'))).status).toBe(401);
    }
    // Five failures across the two instances: both refuse that client now, even the right password.
    expect((await login(a, 'mallory', PASSWORD, viaProxy('198.51.100.7'))).status).toBe(429);
    const limited = await login(b, 'mallory', PASSWORD, viaProxy('198.51.100.7'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client behind the same proxy is not locked out.
    expect((await login(b, 'mallory', PASSWORD, viaProxy('198.51.100.8'))).status).toBe(200);

    const entries = await auditOf(a, 'mallory');
    expect(entries.filter((e) => e.status === 401).map((e) => e.address)).toEqual(
      Array(5).fill('198.51.100.7'),
    );
    expect(entries.find((e) => e.status === 200)?.address).toBe('198.51.100.8');
  });

  it('forgets failures after the window (an injected clock, no waiting)', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const options = { windowMs: 15 * 60_000, maxPerAccount: 2, now: () => now };
    const first = new LoginThrottle(a.app.database!.sequelize, options);
    const second = new LoginThrottle(a.app.database!.sequelize, options);
    await first.recordFailure('192.0.2.1', 'Eve');
    await second.recordFailure('192.0.2.1', 'eve ');
    expect(await first.retryAfter('192.0.2.1', 'eve')).toBe(15 * 60);
    now += 10 * 60_000;
    expect(await second.retryAfter('192.0.2.1', 'EVE')).toBe(5 * 60);
    expect(await second.retryAfter('192.0.2.2', 'eve')).toBe(0);
    now += 5 * 60_000 + 1;
    expect(await first.retryAfter('192.0.2.1', 'eve')).toBe(0);
  });
});
