import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { startTestApp, type TestApp } from '../src/testing/index.js';

// What the user typed: it must not reach the dashboard, not even for admins.
const USER_TEXT = 'my plan is tomato-volcano';

function failingPlugin() {
  return definePlugin({
    id: 'boom',
    version: '1.0.0',
    core: '*',
    bot({ composer }) {
      composer.on('message:text', (ctx) => {
        throw new Error(`cannot understand "${ctx.message.text}"`);
      });
    },
    admin({ router }) {
      router.post('/explode', () => {
        throw new Error('the store is gone');
      });
    },
  });
}

interface ErrorsAnswer {
  contentIncluded: boolean;
  days: Array<{ day: string; source: string; plugin: string; errors: number }>;
  recent: Array<{
    source: string;
    plugin: string | null;
    kind: string;
    location: string | null;
    message?: string;
  }>;
}

describe('dashboard errors: what the boundaries caught, per day and the latest (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No SENTRY_DSN: errors are counted for the dashboard all the same.
    t = await startTestApp({ plugins: [failingPlugin()] });
  });
  afterAll(() => t?.stop());

  async function errorsOnceRecorded(count: number): Promise<ErrorsAnswer> {
    // Recording runs beside the request; poll a bounded number of times, not a duration.
    for (let attempt = 0; attempt < 400; attempt++) {
      const answer = (await t.admin.get('/admin/api/core/panel/errors?days=7')).body as ErrorsAnswer;
      if (answer.recent.length >= count) return answer;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`fewer than ${count} errors were recorded`);
  }

  it('counts a failed update handler and a failed route per plugin; messages for admins only, scrubbed', async () => {
    const empty = (await t.viewer.get('/admin/api/core/panel/errors')).body as ErrorsAnswer;
    expect(empty).toEqual({ days: [], recent: [], contentIncluded: false });

    const guest = t.user('guest');
    await guest.send(USER_TEXT);
    await guest.expectReply(/./); // the error boundary tells the user
    expect((await t.admin.post('/admin/api/boom/explode', { note: 'x' })).status).toBe(500);

    const admin = await errorsOnceRecorded(2);
    const today = new Date().toISOString().slice(0, 10);
    expect(admin.days).toEqual(
      expect.arrayContaining([
        { day: today, source: 'update', plugin: 'boom', errors: 1 },
        { day: today, source: 'http', plugin: 'boom', errors: 1 },
      ]),
    );
    const [http, update] = admin.recent;
    expect(http).toMatchObject({
      source: 'http',
      plugin: 'boom',
      kind: 'Error',
      location: 'POST /admin/api/boom/explode',
    });
    expect(http!.message).toBe('the store is gone');
    expect(update).toMatchObject({ source: 'update', plugin: 'boom', kind: 'Error', location: 'message' });
    expect(update!.message).toContain('cannot understand');
    expect(JSON.stringify(admin)).not.toContain('tomato-volcano');

    const viewer = (await t.viewer.get('/admin/api/core/panel/errors')).body as ErrorsAnswer;
    expect(viewer.contentIncluded).toBe(false);
    expect(viewer.recent).toHaveLength(2);
    for (const entry of viewer.recent) expect(entry).not.toHaveProperty('message');
    expect((await t.viewer.get('/admin/api/core/panel/errors?days=500')).status).toBe(422);
  });
});
