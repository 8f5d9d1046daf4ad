/**
 * Security sweep over every HTTP route the running reference app registers under the admin API
 * (`/admin/api/...`) and the plugins' public prefixes (`/p/<id>/...`). The list comes from the
 * app's route table (`app.httpServer.routes.list()`), not from this file, so a route added
 * later is swept without anybody remembering to add it here.
 *
 * For each route: no credentials → 401 (public-by-design routes are listed below with the
 * guard they have instead); a viewer writing → 403 and no table changed; an admin sending
 * broken JSON → 400, an oversized body → 413, garbage in path parameters → 400/404/422 and
 * garbage query parameters → never a 5xx.
 */
import { Tokens } from '@botloom/core';
import type { TestApp } from '@botloom/core/testing';
import { startTestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import botloomConfig from '../botloom.config.js';

const ADMIN_API = '/admin/api';
const PUBLIC = '/p';
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const CONCURRENCY = 8;
/** Query parameters of the wrong type, out of range, undecodable, too long or repeated. */
const GARBAGE_QUERY = [
  'limit=abc',
  'limit=-1',
  'offset=99999999999999999999',
  'page=%00',
  'before=not-a-date',
  'since=-1',
  'cursor=%FF%FE',
  `q=${'x'.repeat(300)}`,
  'status=nonsense',
  'sort[]=1',
  'id=1&id=2',
].join('&');

interface SweptRoute {
  owner: string;
  method: string;
  /** As registered, with `:param` placeholders. */
  path: string;
}

/**
 * Routes without the bearer-token guard by design, keyed `METHOD path` as registered, with the
 * reason and the guard each has instead (`signature`: without it, 401/403; `none`: open to
 * anyone). Every other route must answer 401 without credentials. Keep this list short.
 */
const PUBLIC_BY_DESIGN: Record<string, { guard: 'signature' | 'none'; reason: string }> = {
  'GET /admin/api/session': { guard: 'none', reason: 'the panel asks who is signed in; nobody is an answer' },
  'POST /admin/api/session': { guard: 'none', reason: 'sign-in (username and password, throttled)' },
  'DELETE /admin/api/session': {
    guard: 'none',
    reason: 'sign-out; without a session there is nothing to end',
  },
  'GET /p/instagram/webhook': {
    guard: 'signature',
    reason: "Meta's subscription handshake: the verify token",
  },
  'POST /p/instagram/webhook': { guard: 'signature', reason: 'Meta webhook: X-Hub-Signature-256' },
  'GET /p/support/api/files/:id': { guard: 'signature', reason: 'a signed, expiring file link from a chat' },
  'GET /p/support/app': { guard: 'none', reason: 'the web app page; its API checks Telegram initData' },
  'GET /p/support/app.js': { guard: 'none', reason: 'static asset of the web app' },
  'GET /p/support/app.css': { guard: 'none', reason: 'static asset of the web app' },
  'GET /p/instagram/playground': { guard: 'none', reason: 'sandbox mode only: the DM playground page' },
  'GET /p/instagram/playground/app.js': { guard: 'none', reason: 'sandbox mode only: playground asset' },
  'GET /p/instagram/playground/thread': { guard: 'none', reason: 'sandbox mode only: fake DM threads' },
  'POST /p/instagram/playground/send': { guard: 'none', reason: 'sandbox mode only: a fake DM' },
};

/**
 * Token-guarded routes that may answer garbage in a path parameter with a success, and why.
 * Everything else must answer 400/404/422; none of them may answer 5xx.
 */
const GARBAGE_PATH_ACCEPTED: Record<string, { status: number; reason: string }> = {
  'DELETE /admin/api/instagram/knowledge/:key': {
    status: 204,
    reason: 'deleting is idempotent: a well-formed key that is not stored is already gone',
  },
  'GET /admin/api/core/llm/budgets/:user': {
    status: 200,
    reason: 'the budget key is free-form; an unknown one has an empty budget',
  },
};

let t: TestApp;
let routes: SweptRoute[];

beforeAll(async () => {
  t = await startTestApp({
    plugins: botloomConfig.plugins,
    config: { RATE_LIMIT_PER_MINUTE: 100_000 },
  });
  routes = t.app
    .httpServer!.routes.list()
    // A router's `/` under its prefix is registered as `/prefix/`; the server ignores the slash.
    .map((r) => ({ ...r, path: r.path.length > 1 ? r.path.replace(/\/+$/, '') : r.path }))
    .filter((r) => r.path.startsWith(`${ADMIN_API}/`) || r.path.startsWith(`${PUBLIC}/`));
}, 180_000);

afterAll(async () => {
  const owners = [...new Set(routes?.map((r) => r.owner) ?? [])];
  const lines = [...sent].map(
    ([check, perOwner]) => `  ${check}: ${owners.map((o) => `${o} ${perOwner.get(o) ?? 0}`).join(', ')}`,
  );
  if (lines.length) console.log(`admin route sweep, requests per check and owner:\n${lines.join('\n')}`);
  await t?.stop();
});

/** Not behind the admin bearer token: the plugins' public prefixes and the listed exceptions. */
function isPublic(route: SweptRoute): boolean {
  return route.path.startsWith(`${PUBLIC}/`) || label(route) in PUBLIC_BY_DESIGN;
}

/** The route's path with every `:param` (and `*` / `(.*)`) replaced by `value`, URI-encoded unless `raw`. */
function concrete(path: string, value: string, raw = false): string {
  const v = raw ? value : encodeURIComponent(value);
  return path.replace(/:[A-Za-z0-9_$]+(\([^)]*\))?\??/g, v).replace(/\(\.\*\)|\*/g, v);
}

function hasParams(path: string): boolean {
  return /:[A-Za-z0-9_$]+|\*/.test(path);
}

function label(route: SweptRoute): string {
  return `${route.method} ${route.path}`;
}

async function send(
  method: string,
  path: string,
  options: { token?: string; body?: string; contentType?: string } = {},
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers,
    body: options.body,
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, text: text.slice(0, 200) };
}

/** Requests sent per check and route owner, for the summary printed at the end. */
const sent = new Map<string, Map<string, number>>();

/**
 * Runs `check` over `items` (routes, or requests naming their route), `CONCURRENCY` at a time,
 * and collects the problems it reports.
 */
async function sweep<T extends SweptRoute | { route: SweptRoute }>(
  checkName: string,
  items: readonly T[],
  check: (item: T) => Promise<string | null>,
): Promise<string[]> {
  const perOwner = sent.get(checkName) ?? new Map<string, number>();
  sent.set(checkName, perOwner);
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const owner = ('route' in item ? item.route : (item as SweptRoute)).owner;
      perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
      const problem = await check(item).catch((err: unknown) => `request failed: ${String(err)}`);
      if (problem) problems.push(problem);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return problems.sort();
}

/** Core's own records of requests and background work: they change without any write route. */
const BOOKKEEPING_TABLES = new Set([
  'core_admin_audit',
  'core_activity_daily',
  'core_errors_daily',
  'core_error_events',
  'core_update_inbox',
]);

/**
 * A fingerprint of every table's content (but a token's use stamp), except bookkeeping that changes on its own or by
 * the request itself (the audit log records the refused write; jobs and the update inbox run
 * in the background).
 */
async function tableFingerprints(): Promise<Map<string, string>> {
  const db = t.app.resolver('core')(Tokens.Database);
  const [tables] = (await db.query(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`,
  )) as [Array<{ name: string }>, unknown];
  const out = new Map<string, string>();
  for (const { name } of tables) {
    if (BOOKKEEPING_TABLES.has(name)) continue;
    // last_used_at: a token's advisory use stamp, written by the refused request's authentication.
    const [rows] = (await db.query(
      `SELECT md5(coalesce(string_agg((to_jsonb(x) - 'last_used_at')::text, '|' ORDER BY (to_jsonb(x) - 'last_used_at')::text), '')) AS h FROM "${name}" x`,
    )) as [Array<{ h: string }>, unknown];
    out.set(name, rows[0]!.h);
  }
  return out;
}

describe('every admin and plugin route is guarded and answers bad input with a 4xx', {
  timeout: 120_000,
}, () => {
  it('finds the routes of core and of every plugin', () => {
    const perOwner = new Map<string, number>();
    for (const r of routes) perOwner.set(r.owner, (perOwner.get(r.owner) ?? 0) + 1);
    console.log(
      `admin route sweep: ${routes.length} routes — ${[...perOwner].map(([o, n]) => `${o} ${n}`).join(', ')}`,
    );
    expect(routes.length).toBeGreaterThan(10);
    // An exception for a route that no longer exists is stale: remove it.
    const labels = new Set(routes.map(label));
    for (const key of [...Object.keys(PUBLIC_BY_DESIGN), ...Object.keys(GARBAGE_PATH_ACCEPTED)])
      expect(labels, `exception for a route that does not exist: ${key}`).toContain(key);
    // Each of the reference app's plugins has admin routes: one missing means the list is wrong.
    for (const plugin of t.app.plugins)
      expect([...perOwner.keys()], `no routes of plugin ${plugin.id}`).toContain(plugin.id);
  });

  it('without credentials or with a forged token: 401 (public-by-design routes: their own guard)', async () => {
    const problems = await sweep('without credentials', routes, async (route) => {
      const exception = PUBLIC_BY_DESIGN[label(route)];
      const body = WITH_BODY.has(route.method) ? '{}' : undefined;
      const { status, text } = await send(route.method, concrete(route.path, '1'), { body });
      if (exception?.guard === 'none') return null;
      if (exception?.guard === 'signature') {
        return status === 401 || status === 403
          ? null
          : `${label(route)}: without its signature answered ${status} (want 401/403): ${text}`;
      }
      if (isPublic(route) && status !== 401) {
        return `${label(route)}: public route without credentials answered ${status}; guard it or list it in PUBLIC_BY_DESIGN with the reason: ${text}`;
      }
      if (status !== 401)
        return `${label(route)}: without credentials answered ${status} (want 401): ${text}`;
      if (isPublic(route)) return null;
      // A bearer that is no token, and the admin token with its last character changed.
      const altered = t.adminToken.slice(0, -1) + (t.adminToken.endsWith('A') ? 'B' : 'A');
      for (const token of ['not-a-token', altered]) {
        const forged = await send(route.method, concrete(route.path, '1'), { body, token });
        if (forged.status !== 401)
          return `${label(route)}: with a forged token answered ${forged.status} (want 401): ${forged.text}`;
      }
      return null;
    });
    expect(problems).toEqual([]);
  });

  it('a viewer writing: 403 and no table changed', async () => {
    const writes = routes.filter((r) => WRITES.has(r.method) && !isPublic(r));
    expect(writes.length).toBeGreaterThan(0);
    const before = await tableFingerprints();
    const problems = await sweep('viewer writes', writes, async (route) => {
      const body = WITH_BODY.has(route.method) ? '{}' : undefined;
      const { status, text } = await send(route.method, concrete(route.path, '1'), {
        token: t.viewerToken,
        body,
      });
      return status === 403
        ? null
        : `${label(route)}: a viewer's write answered ${status} (want 403): ${text}`;
    });
    const after = await tableFingerprints();
    for (const [table, hash] of before) {
      if (after.get(table) !== hash)
        problems.push(`table ${table} changed after the viewer's refused writes`);
    }
    expect(problems).toEqual([]);
  });

  it('an admin sending broken JSON: 400; a body over the limit: 413', async () => {
    const withBody = routes.filter((r) => WITH_BODY.has(r.method) && !isPublic(r));
    const big = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 16) });
    const problems = await sweep('broken and oversized bodies', withBody, async (route) => {
      const path = concrete(route.path, '1');
      const broken = await send(route.method, path, { token: t.adminToken, body: '{"a": 1,,' });
      if (broken.status !== 400)
        return `${label(route)}: broken JSON answered ${broken.status} (want 400): ${broken.text}`;
      const oversized = await send(route.method, path, { token: t.adminToken, body: big });
      if (oversized.status !== 413)
        return `${label(route)}: a body over the limit answered ${oversized.status} (want 413): ${oversized.text}`;
      return null;
    });
    expect(problems).toEqual([]);
  });

  it('an admin with garbage path parameters: 400/404/422, never a 5xx', async () => {
    const garbage = ['abc', '-1', '99999999999999999999', '%00', 'x'.repeat(300)];
    const cases = routes
      .filter((r) => hasParams(r.path) && !isPublic(r))
      .flatMap((route) =>
        garbage.map((value) => ({ route, path: concrete(route.path, value, value === '%00') })),
      );
    const problems = await sweep('garbage path (admin)', cases, async ({ route, path }) => {
      const body = WITH_BODY.has(route.method) ? '{}' : undefined;
      const { status, text } = await send(route.method, path, { token: t.adminToken, body });
      const accepted = GARBAGE_PATH_ACCEPTED[label(route)];
      return [400, 404, 422].includes(status) || status === accepted?.status
        ? null
        : `${label(route)} as ${route.method} ${path.slice(0, 120)}: answered ${status} (want 400/404/422): ${text}`;
    });
    expect(problems).toEqual([]);
  });

  it('public routes with garbage path or query parameters, without credentials: never a 5xx', async () => {
    const garbage = ['abc', '-1', '99999999999999999999', '%00', 'x'.repeat(300)];
    const cases = routes
      .filter((r) => isPublic(r) && (hasParams(r.path) || r.method === 'GET'))
      .flatMap((route) =>
        hasParams(route.path)
          ? garbage
              .map((value) => concrete(route.path, value, value === '%00'))
              .map((path) => ({ route, path }))
          : [{ route, path: `${route.path}?${GARBAGE_QUERY}` }],
      );
    const problems = await sweep('garbage path and query (public)', cases, async ({ route, path }) => {
      const body = WITH_BODY.has(route.method) ? '{}' : undefined;
      const { status, text } = await send(route.method, path, { body });
      return status < 500
        ? null
        : `${label(route)} as ${route.method} ${path.slice(0, 120)}: answered ${status}: ${text}`;
    });
    expect(problems).toEqual([]);
  });

  it('an admin reading with garbage query parameters: never a 5xx', async () => {
    const reads = routes.filter((r) => r.method === 'GET' && !isPublic(r));
    const problems = await sweep('garbage query (admin)', reads, async (route) => {
      const path = `${concrete(route.path, '1')}?${GARBAGE_QUERY}`;
      const { status, text } = await send('GET', path, { token: t.adminToken });
      return status < 500 ? null : `${label(route)}: garbage query answered ${status}: ${text}`;
    });
    expect(problems).toEqual([]);
  });
});
