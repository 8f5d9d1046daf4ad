/**
 * Two app instances on one database: instance A with the bot (sandbox) and the admin API,
 * instance B without a bot. A publish on A reaches B's script cache through core's signals
 * (PostgreSQL LISTEN/NOTIFY): the next new conversation on both follows the new version, a
 * running conversation stays on its version, and a rollback works the same way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type App, createApp } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import salesPlugin, { DEMO_SCRIPT_FILES, type SalesServices } from '../src/index.js';
import { turn } from './e2e-helpers.js';
import { courseJson } from './helpers.js';

let a: TestApp;
let b: App;
let bDir: string;
const servicesB = () => b.services<SalesServices>('sales');

beforeAll(async () => {
  a = await startTestApp({
    plugins: [salesPlugin({ scriptFiles: DEMO_SCRIPT_FILES })],
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
  });
  bDir = await mkdtemp(path.join(os.tmpdir(), 'sales-instance-b-'));
  b = createApp({
    plugins: [salesPlugin()],
    env: {},
    dotenv: false,
    handleSignals: false,
    sandbox: false,
    config: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: 0,
      HOST: '127.0.0.1',
      BOTLOOM_DATA_DIR: bDir,
      DATABASE_URL: a.database.url,
    },
  });
  await b.start();
}, 180_000);

afterAll(async () => {
  await b?.stop();
  await rm(bDir, { recursive: true, force: true });
  await a?.stop();
});

/** Waits (wide margin, no race with real work) until B's cache serves `version`. */
async function bSees(version: number) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await servicesB().published.get('course'))?.version === version) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`instance B never saw version ${version}`);
}

describe('hot reload across two instances', { timeout: 180_000 }, () => {
  it('a publish changes the next new conversation on both; a running one stays pinned; rollback works', async () => {
    // Both instances have version 1 cached.
    expect((await servicesB().published.get('course'))?.version).toBe(1);
    const first = await servicesB().conversations.begin({
      userId: 9001,
      chatId: 9001,
      locale: 'en',
      slug: 'course',
    });
    expect(first.conversation.scriptVersion).toBe(1);
    const running = a.user('running', { first_name: 'Rita', language_code: 'en' });
    expect((await turn(running, '/start sales-course'))[0]).toContain('Hi! I am the automated advisor');

    const v2 = courseJson();
    v2.stages[0].keyMessage = 'Hello from version 2 of the script!';
    expect((await a.admin.put('/admin/api/sales/scripts/course/draft', { definition: v2 })).status).toBe(200);
    const publishedAt = Date.now();
    const published = await a.admin.post('/admin/api/sales/scripts/course/publish', {
      changelog: 'New greeting',
    });
    expect(published.status).toBe(201);
    expect(published.body.version).toMatchObject({
      number: 2,
      author: 'test-admin',
      changelog: 'New greeting',
    });

    await bSees(2);
    // Printed, not asserted: speed is for benches, not tests.
    console.info(`instance B served version 2 ${Date.now() - publishedAt} ms after the publish request`);
    const onB = await servicesB().conversations.begin({
      userId: 9002,
      chatId: 9002,
      locale: 'en',
      slug: 'course',
    });
    expect(onB.conversation.scriptVersion).toBe(2);
    expect(onB.text).toContain('Hello from version 2 of the script!');
    const fresh = a.user('fresh', { first_name: 'Finn', language_code: 'en' });
    expect((await turn(fresh, '/start sales-course'))[0]).toContain('Hello from version 2 of the script!');

    // The running conversation goes on with version 1.
    expect((await turn(running, 'Hello')).join('\n')).toContain('Have you worked with data');
    const list = await a.admin.get('/admin/api/sales/conversations?status=active&limit=200');
    const byUser = new Map(
      list.body.conversations.map((c: { userId: number; scriptVersion: number }) => [
        c.userId,
        c.scriptVersion,
      ]),
    );
    expect(byUser.get(await running.id())).toBe(1);
    expect(byUser.get(await fresh.id())).toBe(2);

    const diff = await a.admin.get('/admin/api/sales/scripts/course/diff?from=1&to=2');
    expect(diff.body.changes).toEqual([
      {
        path: 'stages[greeting].keyMessage',
        kind: 'changed',
        from: courseJson().stages[0].keyMessage,
        to: 'Hello from version 2 of the script!',
      },
    ]);

    const rollback = await a.admin.post('/admin/api/sales/scripts/course/rollback', { version: 1 });
    expect(rollback.body.version).toMatchObject({ number: 3, republishedFrom: 1 });
    await bSees(3);
    const afterRollback = await servicesB().conversations.begin({
      userId: 9003,
      chatId: 9003,
      locale: 'en',
      slug: 'course',
    });
    expect(afterRollback.text).toContain('Hi! I am the automated advisor');
    expect(afterRollback.conversation.scriptVersion).toBe(3);

    const detail = await a.viewer.get('/admin/api/sales/scripts/course');
    expect(detail.body.script.versions.map((v: { number: number }) => v.number)).toEqual([3, 2, 1]);
    expect(
      (await a.admin.get('/admin/api/sales/scripts/course/versions/2')).body.version.definition.stages[0]
        .keyMessage,
    ).toBe('Hello from version 2 of the script!');
  });
});
