import { randomBytes } from 'node:crypto';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import commentatorPlugin from '../src/index.js';
import { FakeTelegram } from './support/fake-gateway.js';
import { eventually, fakeClock, servicesOf } from './support/helpers.js';

const API = '/admin/api/commentator';
const CHANNEL = -1_001_600_000_001;
const DISCUSSION = -1_001_600_000_002;
const ENCRYPTION_KEY = randomBytes(32).toString('hex');

// Telegram (the double) and time outlive the app, as they do in production.
const tg = new FakeTelegram();
tg.addChannel(CHANNEL, DISCUSSION);
const time = fakeClock();
let db: TestDatabase;
let app: TestApp | undefined;

function start(): Promise<TestApp> {
  return startTestApp({
    plugins: [
      commentatorPlugin(
        { brandName: 'Acme', minSpacingSeconds: 600, channelDailyCap: 10 },
        { clock: time.clock, accountGateway: tg },
      ),
    ],
    config: { DATABASE_URL: db.url, ENCRYPTION_KEY },
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe('a restart in the middle of a schedule', { timeout: 180_000 }, () => {
  it('sends each approved comment exactly once', async () => {
    app = await start();
    const created = await app.admin.post(`${API}/accounts`, { phone: '+15551112233', label: 'Acme team' });
    const accountId = created.body.account.id;
    expect((await app.admin.post(`${API}/accounts/${accountId}/code`, { code: '24680' })).body.status).toBe(
      'signed_in',
    );
    expect(
      (await app.admin.post(`${API}/channels`, { chatId: CHANNEL, route: 'account', accountId })).status,
    ).toBe(201);

    for (const text of [
      'First trail news.',
      'Second trail news.',
      'Third trail news.',
      'Fourth trail news.',
    ]) {
      tg.post(CHANNEL, text);
    }
    const s = servicesOf(app);
    const posts = await s.channels.pollAccountChannels();
    const ids: number[] = [];
    for (const post of posts)
      ids.push(((await s.pipeline.process(post.id)) as { comment: { id: number } }).comment.id);
    // Approved in a row: slots 10 minutes apart (the spacing), the first one due now.
    for (const id of ids) await app.admin.post(`${API}/drafts/${id}/approve`);

    // #1 is sent now. #2: Telegram accepts it but the answer is lost; it is retried later.
    // (its job may be first; either way it is sent once)
    await s.scheduler.runDue();
    await eventually(
      async () => (await app!.viewer.get(`${API}/drafts/${ids[0]}`)).body.draft.status === 'sent',
    );
    time.advance(600);
    tg.loseNextAnswer = true;
    expect(await s.scheduler.sendOne(ids[1]!)).toMatchObject({ status: 'rescheduled', reason: 'ERROR' });
    // #3: the process dies while sending it (the row stays "sending").
    time.advance(600);
    await app.app.database!.sequelize.query(
      `UPDATE commentator_generated_comments SET status = 'sending' WHERE id = ${ids[2]};
       UPDATE commentator_comment_schedules SET claimed_at = '${time.clock().toISOString()}' WHERE comment_id = ${ids[2]}`,
    );
    await app.app.stop();
    app = undefined;

    app = await start();
    const after = servicesOf(app);
    time.advance(3600);
    const outcomes = await after.scheduler.runDue();
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(3);
    expect(await after.scheduler.runDue()).toEqual([]);

    const drafts = (await app.viewer.get(`${API}/drafts?status=sent`)).body.items;
    expect(drafts.map((d: { id: number }) => d.id).sort()).toEqual([...ids].sort());
    // Telegram got exactly one message per comment: the retries reused the random id.
    expect(tg.sent).toHaveLength(4);
    // One under each post (offline drafts of posts that repeat no word read alike).
    expect(new Set(tg.sent.map((m) => m.replyTo)).size).toBe(4);
    expect(new Set(tg.sent.map((m) => m.randomId)).size).toBe(4);
  });
});
