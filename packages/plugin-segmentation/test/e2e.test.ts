/**
 * The plugin in a real app: core's createApp with the default sandbox (the Bot API emulator;
 * grammY talks HTTP to it), real PostgreSQL, the Llm gateway against the fake OpenAI server,
 * the admin API over HTTP with bearer tokens, and the job queue. Telegram users are driven
 * with the sandbox's SandboxClient (`user(...).send()`, `expectReply()`, `press()`).
 *
 * Written against createApp + SandboxClient because `startTestApp` had not landed in
 * `@botloom/core/testing` yet; the journeys are the ones the harness would drive.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { createApp } from '@botloom/core';
import { SandboxClient } from '@botloom/core/sandbox';
import { createTestDatabase, type TestDatabase } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Admin tokens and the fake OpenAI server are reached by path until the test kit exports them.
import { AdminTokenService } from '../../core/src/http/admin-tokens.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../core/src/testing/fake-openai.js';
import segmentationPlugin from '../src/index.js';
import { writeGeneratedCsv } from '../src/services/generator.js';

let db: TestDatabase;
let fake: FakeOpenAI;
let dataDir: string;
let app: ReturnType<typeof createApp>;
let sandbox: SandboxClient;
let adminToken: string;
let viewerToken: string;
let csvPath: string;

const CLIENTS = 120;

function api(token: string | undefined, method: string, url: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = 'application/json';
  return fetch(`${app.url}/admin/api/segmentation${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
}

async function upload(
  name: string,
  content: string | Buffer,
  fields: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  form.set('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  return api(adminToken, 'POST', '/imports', form);
}

beforeAll(async () => {
  db = await createTestDatabase('seg_e2e');
  fake = await startFakeOpenAI();
  dataDir = await mkdtemp(path.join(tmpdir(), 'seg-e2e-'));
  csvPath = path.join(dataDir, 'clients.csv');
  const out = createWriteStream(csvPath);
  await writeGeneratedCsv(out, { clients: CLIENTS, seed: 11, end: new Date('2024-06-01T00:00:00Z') });
  out.end();
  await finished(out);

  fake.script({
    match: { purpose: 'segmentation.insight' },
    reply: {
      content: {
        summary: 'Spends far more on travel than the segment.',
        recommendations: ['Offer a travel card with lounge access', 'Promote multi-currency accounts'],
      },
    },
  });
  app = createApp({
    plugins: [
      segmentationPlugin({
        allowedUserIds: [424242],
        recomputeAfterImport: false,
        clientsPageSize: 50,
        clientsFileThreshold: 100,
        restarts: 3,
      }),
    ],
    dotenv: false,
    env: {
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      BOTLOOM_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      LLM_TIMEOUT_MS: '5000',
    },
  });
  await app.start();
  const tokens = new AdminTokenService(app.database!.sequelize);
  adminToken = (await tokens.create({ name: 'seg-admin', role: 'admin' })).token;
  viewerToken = (await tokens.create({ name: 'seg-viewer', role: 'viewer' })).token;
  sandbox = new SandboxClient(app.sandbox!.apiRoot);
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('segmentation through the sandbox and the admin API', () => {
  it('refuses client data to a user outside the allowlist', async () => {
    const mallory = sandbox.user('mallory');
    await mallory.send('/segment C0000001');
    const reply = await mallory.expectReply(/not on the allowlist/);
    expect(reply.text).toContain(String(await mallory.id()));
    await mallory.send('/segments');
    await mallory.expectReply(/not on the allowlist/);
  });

  it('admin API: imports (good and bad), recompute, allowlist', async () => {
    expect((await api(undefined, 'GET', '/imports')).status).toBe(401);

    const bad = await upload(
      'bad.csv',
      'card_id,timestamp,amount,currency,mcc,online,city,country\nX,2024-01-01,-1,RUB,5411,no,Moscow,RU\n',
    );
    expect(bad.status).toBe(422);
    const badBody = await bad.json();
    expect(badBody).toMatchObject({ status: 'rejected', errorCode: 'SEGMENTATION_INVALID_ROWS' });
    expect(badBody.report.badRows).toEqual([
      { line: 2, column: 'amount', reason: 'not positive', value: '-1' },
    ]);

    const wrong = await upload('wrong.csv', 'a,b\n1,2\n');
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).errorCode).toBe('SEGMENTATION_MISSING_COLUMNS');

    const noFile = await api(adminToken, 'POST', '/imports', new FormData());
    expect(noFile.status).toBe(400);

    // No data yet: segments 404, recompute says why.
    expect((await api(viewerToken, 'GET', '/segments')).status).toBe(404);
    const early = await api(adminToken, 'POST', '/recompute', { wait: true });
    expect(early.status).toBe(409);
    expect((await early.json()).error.code).toBe('SEGMENTATION_NO_DATA');

    const good = await upload('clients.csv', await readFile(csvPath));
    expect(good.status).toBe(201);
    const goodBody = await good.json();
    expect(goodBody.status).toBe('completed');
    expect(goodBody.report.rowsImported).toBeGreaterThan(CLIENTS);

    const list = await (await api(viewerToken, 'GET', '/imports')).json();
    expect(list.imports.map((i: { status: string }) => i.status)).toEqual([
      'completed',
      'rejected',
      'rejected',
    ]);
    const one = await (await api(viewerToken, 'GET', `/imports/${goodBody.id}`)).json();
    expect(one.report.rowsTotal).toBe(goodBody.report.rowsTotal);
    expect((await api(viewerToken, 'GET', '/imports/99999')).status).toBe(404);

    expect((await api(viewerToken, 'POST', '/recompute', { wait: true })).status).toBe(403);
    expect((await api(adminToken, 'POST', '/recompute', { k: 1 })).status).toBe(422);
    const recomputed = await api(adminToken, 'POST', '/recompute', { wait: true });
    expect(recomputed.status).toBe(200);
    expect(await recomputed.json()).toMatchObject({
      status: 'completed',
      version: 1,
      k: 3,
      nClients: CLIENTS,
    });

    // Allowlist: bootstrapped from config, managed by admins.
    const allow = await (await api(viewerToken, 'GET', '/allowlist')).json();
    expect(allow.users.map((u: { telegramUserId: number }) => u.telegramUserId)).toEqual([424242]);
    const alice = sandbox.user('alice');
    const ivan = sandbox.user('ivan', { language_code: 'ru' });
    for (const user of [alice, ivan]) {
      const added = await api(adminToken, 'POST', '/allowlist', {
        telegramUserId: await user.id(),
        note: 'analyst',
      });
      expect(added.status).toBe(201);
    }
    expect((await api(adminToken, 'POST', '/allowlist', { telegramUserId: -5 })).status).toBe(422);
    expect((await api(adminToken, 'DELETE', '/allowlist/424242')).status).toBe(204);
    expect((await api(adminToken, 'DELETE', '/allowlist/424242')).status).toBe(404);
  });

  it('/segment shows a known client with a chart, and explains an unknown card', async () => {
    const alice = sandbox.user('alice');
    await alice.send('/segment C0000001');
    const profile = await alice.expectReply(/Client C0000001/);
    expect(profile.text).toMatch(
      /Segment: (Traditional client|Digital traveller|Active city dweller) \(\d+ clients, [\d.]+%\)/,
    );
    expect(profile.text).toContain('Key features: client / segment / all clients');
    expect(profile.text?.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(6);
    const chart = await alice.expectReply();
    expect(chart.photo?.length).toBeGreaterThan(0);
    expect(chart.caption).toMatch(/^C0000001 · /);

    await alice.send('/segment NOPE-404');
    await alice.expectReply(
      'Card NOPE-404 is not in the current segmentation (version 1). Check the id or see /clients.',
    );
    await alice.send('/segment');
    await alice.expectReply('Usage: /segment CARD_ID');
  });

  it('/segments shows the distribution with a chart, in the user’s language', async () => {
    const alice = sandbox.user('alice');
    await alice.send('/segments');
    const text = await alice.expectReply(/Segments, version 1: 120 clients/);
    const lines = text.text?.split('\n') ?? [];
    expect(lines).toHaveLength(4);
    const sizes = lines.slice(1).map((line) => Number(/: (\d+) \(/.exec(line)?.[1]));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(CLIENTS);
    const names = lines
      .slice(1)
      .map((line) => line.replace(/^\d\. /, '').replace(/: .*$/, ''))
      .sort();
    expect(names).toEqual(['Active city dweller', 'Digital traveller', 'Traditional client']);
    const chart = await alice.expectReply();
    expect(chart.photo?.length).toBeGreaterThan(0);

    const ivan = sandbox.user('ivan', { language_code: 'ru' });
    await ivan.send('/segments');
    const ru = await ivan.expectReply(/Сегменты, версия 1: 120 клиентов/);
    expect(ru.text).toContain('Цифровой путешественник');
  });

  it('/clients pages with buttons and sends a CSV when the list is long', async () => {
    const alice = sandbox.user('alice');
    await alice.send('/clients');
    const first = await alice.expectReply(/Clients 1–50 of 120 \(page 1 of 3\)/);
    expect(first.text?.split('\n')[1]).toMatch(/^C0000001 · /);
    const file = await alice.expectReply();
    expect(file.document?.file_name).toBe('clients.csv');
    await alice.press('Next ▶');
    const second = await alice.expectEdit(/Clients 51–100 of 120 \(page 2 of 3\)/);
    expect(second.text?.split('\n')[1]).toMatch(/^C0000051 · /);
    await alice.press('Next ▶');
    await alice.expectEdit(/Clients 101–120 of 120 \(page 3 of 3\)/);
    await alice.press('◀ Back');
    await alice.expectEdit(/page 2 of 3/);
  });

  it('/insight grounds the AI answer in the client’s numbers; /random picks a known client', async () => {
    const alice = sandbox.user('alice');
    await alice.send('/insight C0000002');
    const insight = await alice.expectReply(/Insight for C0000002/);
    expect(insight.text).toContain('What stands out');
    expect(insight.text?.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(5);
    expect(insight.text).toContain('Summary: Spends far more on travel than the segment.');
    expect(insight.text).toContain('1. Offer a travel card with lounge access');
    const request = fake.chatRequests.filter((r) => r.purpose === 'segmentation.insight').at(-1);
    const prompt = JSON.stringify(request?.body.messages);
    expect(prompt).toContain('C0000002');
    expect(prompt).toContain('share_travel');

    await alice.send('/random');
    await alice.expectReply(/Client C\d{7}/);
    await alice.expectReply();
  });

  it('admin API: segments, client lookup, CSV export', async () => {
    const segments = await (await api(viewerToken, 'GET', '/segments')).json();
    expect(segments.run).toMatchObject({ version: 1, k: 3, nClients: CLIENTS });
    expect(segments.segments).toHaveLength(3);
    expect(segments.segments.map((s: { name: { ru: string } }) => s.name.ru).sort()).toEqual([
      'Активный горожанин',
      'Традиционный клиент',
      'Цифровой путешественник',
    ]);
    const client = await (await api(viewerToken, 'GET', '/clients/C0000003')).json();
    expect(client.features.cardId).toBe('C0000003');
    expect(client.comparisons).toHaveLength(15);
    expect((await api(viewerToken, 'GET', '/clients/NOPE')).status).toBe(404);

    const exported = await api(viewerToken, 'GET', '/export.csv');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const lines = (await exported.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'card_id,segment,tx_count,frequency,recency_days,total_spend,avg_spend,std_spend,share_travel,share_food,share_wallets,share_city,share_entertainment,share_retail,online_share,distinct_cities,distinct_countries',
    );
    expect(lines).toHaveLength(CLIENTS + 1);
  });

  it('a queued recompute job publishes a new version', async () => {
    const queued = await api(adminToken, 'POST', '/recompute', {});
    expect(queued.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let version = 1;
    while (Date.now() < deadline && version < 2) {
      await new Promise((r) => setTimeout(r, 500));
      const runs = (await (await api(viewerToken, 'GET', '/runs')).json()).runs as Array<{
        version: number | null;
      }>;
      version = Math.max(...runs.map((r) => r.version ?? 0));
    }
    expect(version).toBe(2);
  });
});
