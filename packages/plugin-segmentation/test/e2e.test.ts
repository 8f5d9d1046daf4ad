/**
 * The plugin in a real app, booted by core's public test harness (`startTestApp` from
 * `@botloom/core/testing`): the Bot API emulator in place of Telegram (users driven with
 * `app.user(...)`: `send()`, `expectReply()`, `press()`, `expectEdit()`), real PostgreSQL,
 * the Llm gateway against the fake OpenAI server (`app.openai`), the admin API over HTTP with
 * the harness's admin and viewer tokens, and the job queue. Nothing here reaches into core's
 * sources, so the same file works for a plugin installed from npm.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import segmentationPlugin from '../src/index.js';
import { writeGeneratedCsv } from '../src/services/generator.js';

const API = '/admin/api/segmentation';
const CLIENTS = 120;
const HEADER = 'card_id,timestamp,amount,currency,mcc,online,city,country';

let app: TestApp;
let dataDir: string;
let csvPath: string;
let maxUploadBytes: number;

/**
 * Raw fetch against the admin API with a chosen bearer token (or none): for multipart
 * uploads and unauthenticated calls, which the harness's JSON helpers do not cover.
 */
function request(token: string | undefined, method: string, url: string, body?: FormData): Promise<Response> {
  return fetch(`${app.url}${API}${url}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body,
  });
}

function upload(
  name: string,
  content: string | Buffer,
  fields: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  form.set('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  return request(app.adminToken, 'POST', '/imports', form);
}

async function transactionCount(): Promise<number> {
  const [rows] = await app.app.database!.sequelize.query(
    'SELECT count(*)::int AS n FROM segmentation_transactions',
  );
  return (rows as Array<{ n: number }>)[0]!.n;
}

async function latestVersion(): Promise<number> {
  const { body } = await app.viewer.get<{ runs: Array<{ version: number | null }> }>(`${API}/runs`);
  return Math.max(0, ...body.runs.map((r) => r.version ?? 0));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'seg-e2e-'));
  csvPath = path.join(dataDir, 'clients.csv');
  const out = createWriteStream(csvPath);
  await writeGeneratedCsv(out, { clients: CLIENTS, seed: 11, end: new Date('2024-06-01T00:00:00Z') });
  out.end();
  await finished(out);
  // Room for the good file and little more, so an oversized upload can be tested.
  maxUploadBytes = (await stat(csvPath)).size + 4096;

  app = await startTestApp({
    plugins: [
      segmentationPlugin({
        allowedUserIds: [424242],
        recomputeAfterImport: false,
        clientsPageSize: 50,
        clientsFileThreshold: 100,
        restarts: 3,
        maxUploadBytes,
      }),
    ],
    openai: true,
    env: { LLM_TIMEOUT_MS: '20000' }, // wide: the local fake must not time out on a busy machine
  });
  app.openai!.script({
    match: { purpose: 'segmentation.insight' },
    reply: {
      content: {
        summary: 'Spends far more on travel than the segment.',
        recommendations: ['Offer a travel card with lounge access', 'Promote multi-currency accounts'],
      },
    },
  });
});

afterAll(async () => {
  await app?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('segmentation through the sandbox and the admin API', () => {
  it('refuses client data to a user outside the allowlist', async () => {
    const mallory = app.user('mallory');
    await mallory.send('/segment C0000001');
    const reply = await mallory.expectReply(/not on the allowlist/);
    expect(reply.text).toContain(String(await mallory.id()));
    await mallory.send('/segments');
    await mallory.expectReply(/not on the allowlist/);
  });

  it('admin API: imports (good, bad and oversized), recompute, allowlist', async () => {
    expect((await request(undefined, 'GET', '/imports')).status).toBe(401);

    const bad = await upload('bad.csv', `${HEADER}\nX,2024-01-01,-1,RUB,5411,no,Moscow,RU\n`);
    expect(bad.status).toBe(422);
    const badBody = await bad.json();
    expect(badBody).toMatchObject({ status: 'rejected', errorCode: 'SEGMENTATION_INVALID_ROWS' });
    expect(badBody.report.badRows).toEqual([
      { line: 2, column: 'amount', reason: 'not positive', value: '-1' },
    ]);

    const wrong = await upload('wrong.csv', 'a,b\n1,2\n');
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).errorCode).toBe('SEGMENTATION_MISSING_COLUMNS');

    const noFile = await request(app.adminToken, 'POST', '/imports', new FormData());
    expect(noFile.status).toBe(400);

    // A valid file over maxUploadBytes: 413, and neither an import record nor a row.
    const row = 'Z0000001,2024-01-01,100,RUB,5411,no,Moscow,RU\n';
    const oversized = `${HEADER}\n${row.repeat(Math.ceil((maxUploadBytes + 1024) / row.length))}`;
    expect(Buffer.byteLength(oversized)).toBeGreaterThan(maxUploadBytes);
    const tooLarge = await upload('big.csv', oversized);
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await transactionCount()).toBe(0);
    const afterOversized = await app.viewer.get(`${API}/imports`);
    expect(afterOversized.body.imports).toHaveLength(2);

    // No data yet: segments 404, recompute says why.
    expect((await app.viewer.get(`${API}/segments`)).status).toBe(404);
    const early = await app.admin.post(`${API}/recompute`, { wait: true });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('SEGMENTATION_NO_DATA');

    const good = await upload('clients.csv', await readFile(csvPath));
    expect(good.status).toBe(201);
    const goodBody = await good.json();
    expect(goodBody.status).toBe('completed');
    expect(goodBody.report.rowsImported).toBeGreaterThan(CLIENTS);
    expect(await transactionCount()).toBe(goodBody.report.rowsImported);

    const list = (await app.viewer.get(`${API}/imports`)).body;
    expect(list.imports.map((i: { status: string }) => i.status)).toEqual([
      'completed',
      'rejected',
      'rejected',
    ]);
    const one = (await app.viewer.get(`${API}/imports/${goodBody.id}`)).body;
    expect(one.report.rowsTotal).toBe(goodBody.report.rowsTotal);
    expect((await app.viewer.get(`${API}/imports/99999`)).status).toBe(404);

    expect((await app.viewer.post(`${API}/recompute`, { wait: true })).status).toBe(403);
    expect((await app.admin.post(`${API}/recompute`, { k: 1 })).status).toBe(422);
    const recomputed = await app.admin.post(`${API}/recompute`, { wait: true });
    expect(recomputed.status).toBe(200);
    expect(recomputed.body).toMatchObject({
      status: 'completed',
      version: 1,
      k: 3,
      nClients: CLIENTS,
    });

    // Allowlist: bootstrapped from config, managed by admins.
    const allow = (await app.viewer.get(`${API}/allowlist`)).body;
    expect(allow.users.map((u: { telegramUserId: number }) => u.telegramUserId)).toEqual([424242]);
    const alice = app.user('alice');
    const ivan = app.user('ivan', { language_code: 'ru' });
    for (const user of [alice, ivan]) {
      const added = await app.admin.post(`${API}/allowlist`, {
        telegramUserId: await user.id(),
        note: 'analyst',
      });
      expect(added.status).toBe(201);
    }
    expect((await app.admin.post(`${API}/allowlist`, { telegramUserId: -5 })).status).toBe(422);
    expect((await app.admin.delete(`${API}/allowlist/424242`)).status).toBe(204);
    expect((await app.admin.delete(`${API}/allowlist/424242`)).status).toBe(404);
  });

  it('/segment shows a known client with a chart, and explains an unknown card', async () => {
    const alice = app.user('alice');
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

    // Card ids are found whatever their case, and shown as stored.
    await alice.send('/segment c0000001');
    await alice.expectReply(/^Client C0000001\n/);
    expect((await alice.expectReply()).caption).toMatch(/^C0000001 · /);

    await alice.send('/segment NOPE-404');
    await alice.expectReply(
      'Card NOPE-404 is not in the current segmentation (version 1). Check the id or see /clients.',
    );
    await alice.send('/segment');
    await alice.expectReply('Usage: /segment CARD_ID');
  });

  it('/segments shows the distribution with a chart, in the user’s language', async () => {
    const alice = app.user('alice');
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

    const ivan = app.user('ivan', { language_code: 'ru' });
    await ivan.send('/segments');
    const ru = await ivan.expectReply(/Сегменты, версия 1: 120 клиентов/);
    expect(ru.text).toContain('Цифровой путешественник');
  });

  it('/clients pages with buttons and sends a CSV when the list is long', async () => {
    const alice = app.user('alice');
    await alice.send('/clients');
    const first = await alice.expectReply(/Clients 1–50 of 120 \(page 1 of 3\)/);
    expect(first.text?.split('\n')[1]).toMatch(/^\/segment_C0000001 · /);
    // Each id is a command Telegram renders as a link: tapping it sends the command.
    const commands = (first.entities ?? [])
      .filter((e) => e.type === 'bot_command')
      .map((e) => first.text?.slice(e.offset, e.offset + e.length));
    expect(commands).toHaveLength(50);
    expect(commands[0]).toBe('/segment_C0000001');
    const file = await alice.expectReply();
    expect(file.document?.file_name).toBe('clients.csv');
    await alice.press('Next ▶');
    const second = await alice.expectEdit(/Clients 51–100 of 120 \(page 2 of 3\)/);
    expect(second.text?.split('\n')[1]).toMatch(/^\/segment_C0000051 · /);
    await alice.press('Next ▶');
    await alice.expectEdit(/Clients 101–120 of 120 \(page 3 of 3\)/);
    await alice.press('◀ Back');
    await alice.expectEdit(/page 2 of 3/);

    await alice.send(commands[1]!);
    await alice.expectReply(/^Client C0000002\n/);
    expect((await alice.expectReply()).caption).toMatch(/^C0000002 · /);
    await alice.send('/segment_NOPE');
    await alice.expectReply(/^Card NOPE is not in the current segmentation/);
  });

  it('/insight grounds the AI answer in the client’s numbers; /random picks a known client', async () => {
    const alice = app.user('alice');
    await alice.send('/insight C0000002');
    const insight = await alice.expectReply(/Insight for C0000002/);
    expect(insight.text).toContain('What stands out');
    expect(insight.text?.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(5);
    expect(insight.text).toContain('Summary: Spends far more on travel than the segment.');
    expect(insight.text).toContain('1. Offer a travel card with lounge access');
    const request = app.openai!.chatRequests.filter((r) => r.purpose === 'segmentation.insight').at(-1);
    const prompt = JSON.stringify(request?.body.messages);
    expect(prompt).toContain('C0000002');
    expect(prompt).toContain('share_travel');
    expect(prompt).toContain('in RUB');

    await alice.send('/random');
    await alice.expectReply(/Client C\d{7}/);
    await alice.expectReply();
  });

  it('admin API: segments, client lookup, CSV export', async () => {
    const segments = (await app.viewer.get(`${API}/segments`)).body;
    expect(segments.run).toMatchObject({ version: 1, k: 3, nClients: CLIENTS });
    expect(segments.segments).toHaveLength(3);
    expect(segments.segments.map((s: { name: { ru: string } }) => s.name.ru).sort()).toEqual([
      'Активный горожанин',
      'Традиционный клиент',
      'Цифровой путешественник',
    ]);
    const client = (await app.viewer.get(`${API}/clients/C0000003`)).body;
    expect(client.features.cardId).toBe('C0000003');
    expect(client.comparisons).toHaveLength(15);
    expect((await app.viewer.get(`${API}/clients/NOPE`)).status).toBe(404);

    const exported = await app.viewer.get(`${API}/export.csv`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const lines = (exported.body as string).trim().split('\n');
    expect(lines[0]).toBe(
      'card_id,segment,tx_count,frequency,recency_days,total_spend,avg_spend,std_spend,share_travel,share_food,share_wallets,share_city,share_entertainment,share_retail,online_share,distinct_cities,distinct_countries',
    );
    expect(lines).toHaveLength(CLIENTS + 1);
  });

  it('a viewer token reads segments but cannot trigger a recompute', async () => {
    const segments = await app.viewer.get(`${API}/segments`);
    expect(segments.status).toBe(200);
    expect(segments.body.run.version).toBe(1);

    const runsBefore = (await app.viewer.get(`${API}/runs`)).body.runs;
    for (const body of [{}, { wait: true }]) {
      const denied = await app.viewer.post(`${API}/recompute`, body);
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('FORBIDDEN');
    }
    // The refused calls neither ran nor queued anything (a queued job would start a new run).
    await new Promise((r) => setTimeout(r, 1000));
    expect((await app.viewer.get(`${API}/runs`)).body.runs).toEqual(runsBefore);
    expect(await latestVersion()).toBe(1);
  });

  it('a queued recompute job publishes a new version', async () => {
    const queued = await app.admin.post(`${API}/recompute`, {});
    expect(queued.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let version = 1;
    while (Date.now() < deadline && version < 2) {
      await new Promise((r) => setTimeout(r, 500));
      version = await latestVersion();
    }
    expect(version).toBe(2);
  });
});
