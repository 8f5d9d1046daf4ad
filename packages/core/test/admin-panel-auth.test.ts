import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminUserService } from '../src/http/admin-users.js';
import type { AnyPlugin } from '../src/plugin/types.js';
import { startTestApp, type TestApp } from '../src/testing/test-app.js';

const notes: AnyPlugin = {
  id: 'notes',
  version: '1.0.0',
  core: '^0.1.0',
  admin({ router }) {
    router.get('/notes', (ctx) => {
      ctx.body = { notes: [] };
    });
    router.post('/notes', (ctx) => {
      ctx.status = 201;
      ctx.body = { ok: true };
    });
  },
};

interface Signed {
  cookie: string;
  csrf: string;
  setCookie: string;
}

describe('admin panel sign-in, sessions, CSRF and the audit log (HTTP)', () => {
  let t: TestApp;
  let users: AdminUserService;

  beforeAll(async () => {
    t = await startTestApp({ plugins: [notes] });
    users = new AdminUserService(t.app.database!.sequelize);
    await users.create({ username: 'alice', password: 'correct horse battery', role: 'admin' });
    await users.create({ username: 'victor', password: 'viewer password 1', role: 'viewer' });
    await users.create({ username: 'mallory', password: 'mallory password 1', role: 'admin' });
  });
  afterAll(() => t?.stop());

  const login = (username: string, password: string) =>
    fetch(`${t.url}/admin/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });

  async function signIn(username: string, password: string): Promise<Signed> {
    const response = await login(username, password);
    expect(response.status).toBe(200);
    const setCookie = response.headers.get('set-cookie') ?? '';
    const body = (await response.json()) as { csrfToken: string };
    return { cookie: setCookie.split(';')[0]!, csrf: body.csrfToken, setCookie };
  }

  const call = (method: string, path: string, s: Partial<Signed>, body?: unknown) =>
    fetch(`${t.url}${path}`, {
      method,
      headers: {
        ...(s.cookie ? { cookie: s.cookie } : {}),
        ...(s.csrf ? { 'x-csrf-token': s.csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('signs in with the right password only, with an httpOnly SameSite=Strict cookie', async () => {
    const wrong = await login('alice', 'not the password');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const unknown = await login('nobody', 'whatever password');
    expect(unknown.status).toBe(401);

    const s = await signIn('ALICE', 'correct horse battery');
    expect(s.setCookie).toMatch(/^botloom_admin_session=[\w-]{40,};/);
    expect(s.setCookie).toMatch(/httponly/i);
    expect(s.setCookie).toMatch(/samesite=strict/i);
    expect(s.setCookie).toMatch(/path=\/admin/i);
    expect(s.setCookie).not.toContain('correct horse');

    const me = await call('GET', '/admin/api/session', s);
    expect(await me.json()).toMatchObject({ user: { username: 'alice', role: 'admin' }, csrfToken: s.csrf });
    const logs = await call('GET', '/admin/api/core/panel/logs?level=warn', { cookie: s.cookie });
    expect(logs.status).toBe(200);
    expect(await logs.json()).toEqual({ entries: expect.any(Array) });
    const plugins = await call('GET', '/admin/api/core/plugins', { cookie: s.cookie });
    expect(plugins.status).toBe(200);
    const ui = await call('GET', '/admin/api/core/panel/ui', { cookie: s.cookie });
    expect(await ui.json()).toMatchObject({
      me: { name: 'alice', role: 'admin', via: 'session' },
      plugins: [{ id: 'notes', version: '1.0.0', pages: [] }],
    });
  });

  it('refuses a write with the cookie but without the CSRF token', async () => {
    const s = await signIn('alice', 'correct horse battery');
    const noToken = await call('POST', '/admin/api/notes/notes', { cookie: s.cookie }, { title: 'x' });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as any).error.code).toBe('CSRF_TOKEN_INVALID');
    const wrongToken = await call(
      'POST',
      '/admin/api/notes/notes',
      { cookie: s.cookie, csrf: 'x'.repeat(43) },
      {},
    );
    expect(wrongToken.status).toBe(403);
    const ok = await call('POST', '/admin/api/notes/notes', s, { title: 'x' });
    expect(ok.status).toBe(201);
  });

  it('gives a viewer reads but not writes', async () => {
    const s = await signIn('victor', 'viewer password 1');
    expect((await call('GET', '/admin/api/notes/notes', s)).status).toBe(200);
    const write = await call('POST', '/admin/api/notes/notes', s, {});
    expect(write.status).toBe(403);
    expect(((await write.json()) as any).error.code).toBe('FORBIDDEN');
    expect((await call('GET', '/admin/api/core/panel/users', s)).status).toBe(403);
    expect((await call('GET', '/admin/api/core/panel/logs', s)).status).toBe(403);
  });

  it('rate-limits failed sign-ins per account, even for the right password afterwards', async () => {
    for (let i = 0; i < 5; i++) expect((await login('mallory', `wrong ${i}`)).status).toBe(401);
    const limited = await login('mallory', 'mallory password 1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts are not locked out by it.
    expect((await login('alice', 'correct horse battery')).status).toBe(200);
  });

  it('signs out: the session stops working and the cookie is cleared', async () => {
    const s = await signIn('alice', 'correct horse battery');
    const noCsrf = await call('DELETE', '/admin/api/session', { cookie: s.cookie });
    expect(noCsrf.status).toBe(403);
    const out = await call('DELETE', '/admin/api/session', s);
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/botloom_admin_session=;/);
    expect((await call('GET', '/admin/api/core/plugins', { cookie: s.cookie })).status).toBe(401);
    expect(await (await call('GET', '/admin/api/session', { cookie: s.cookie })).json()).toEqual({
      user: null,
    });
  });

  it('keeps bearer tokens working, without CSRF', async () => {
    expect((await t.admin.post('/admin/api/notes/notes', { title: 'by token' })).status).toBe(201);
    expect((await t.viewer.post('/admin/api/notes/notes', {})).status).toBe(403);
  });

  it('manages panel users over the API, and the audit log records every write with secrets masked', async () => {
    const s = await signIn('alice', 'correct horse battery');
    const created = await call('POST', '/admin/api/core/panel/users', s, {
      username: 'bob',
      password: 'bob password 12',
      role: 'viewer',
    });
    expect(created.status).toBe(201);
    const bob = ((await created.json()) as any).user;
    expect(bob).toMatchObject({ username: 'bob', role: 'viewer' });
    expect(JSON.stringify(bob)).not.toContain('bob password');
    const dup = await call('POST', '/admin/api/core/panel/users', s, {
      username: 'bob',
      password: 'bob password 12',
      role: 'viewer',
    });
    expect(dup.status).toBe(409);
    const weak = await call('POST', '/admin/api/core/panel/users', s, {
      username: 'carol',
      password: 'short',
      role: 'viewer',
    });
    expect(weak.status).toBe(400);
    expect((await call('DELETE', `/admin/api/core/panel/users/${bob.id}`, s)).status).toBe(204);
    expect((await call('DELETE', `/admin/api/core/panel/users/${bob.id}`, s)).status).toBe(404);
    expect((await call('DELETE', '/admin/api/core/panel/users/not-a-uuid', s)).status).toBe(404);

    const audit = await t.viewer.get('/admin/api/core/panel/audit?limit=100');
    expect(audit.status).toBe(200);
    const entries = audit.body.entries as any[];
    const userCreate = entries.find((e) => e.path === '/admin/api/core/panel/users' && e.status === 201);
    expect(userCreate).toMatchObject({ actor: 'alice', actorKind: 'session', role: 'admin', method: 'POST' });
    expect(userCreate.summary).toEqual({ username: 'bob', password: '***', role: 'viewer' });
    expect(JSON.stringify(entries)).not.toContain('bob password');
    expect(JSON.stringify(entries)).not.toContain('correct horse');
    // Writes through the bearer API, refused writes and sign-ins are recorded too.
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: 'test-admin',
        actorKind: 'token',
        path: '/admin/api/notes/notes',
        status: 201,
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ actor: 'test-viewer', path: '/admin/api/notes/notes', status: 403 }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ actor: 'victor', actorKind: 'session', status: 403 }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: 'alice',
        path: '/admin/api/session',
        summary: { action: 'signed in' },
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ actor: 'mallory', actorKind: 'anonymous', status: 401 }),
    );
    // Reads are not audited.
    expect(entries.some((e) => e.method === 'GET')).toBe(false);
  });

  it('answers bad sign-in input with 4xx', async () => {
    const bad = await fetch(`${t.url}/admin/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": 1}',
    });
    expect(bad.status).toBe(422);
    const junk = await fetch(`${t.url}/admin/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(junk.status).toBe(400);
    const forged = await call('GET', '/admin/api/core/plugins', { cookie: 'botloom_admin_session=forged' });
    expect(forged.status).toBe(401);
  });
});
