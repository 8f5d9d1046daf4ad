import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { startTestApp, type TestApp } from '../src/testing/index.js';

/**
 * PostgreSQL round trips of one simple update at light load (issue 19: at most 3, the inbox
 * included). Counted in the client: every query sent by the connections of the update path
 * (the inbox's and the KV's pools, told apart by their application_name), so the test's own
 * queries and background work (job queue, activity statistics) are not counted. A count, not
 * a time.
 */
const UPDATE_PATH_POOLS = new Set(['botloom-inbox', 'botloom-inbox-sends', 'botloom-kv']);
const sent: string[] = [];
let counting = false;
const originalQuery = pg.Client.prototype.query;

function countQueries() {
  pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
    const pool = (this as unknown as { connectionParameters?: { application_name?: string } })
      .connectionParameters?.application_name;
    if (counting && pool && UPDATE_PATH_POOLS.has(pool)) {
      const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text ?? '');
      sent.push(text.replace(/\s+/g, ' ').trim().slice(0, 60));
    }
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
}

const echo = definePlugin({
  id: 'echo',
  version: '1.0.0',
  core: '*',
  bot({ composer }) {
    composer.command('count', (ctx) => {
      const state = (ctx.session.echo as { count: number } | undefined) ?? { count: 0 };
      state.count += 1;
      ctx.session.echo = state;
      return ctx.reply(`count: ${state.count}`);
    });
    composer.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
  },
});

describe('round trips per update', () => {
  let app: TestApp;
  beforeAll(async () => {
    countQueries();
    // Idle instances look for work every INBOX_POLL_INTERVAL_MS: out of the way of the count.
    app = await startTestApp({ plugins: [echo], config: { INBOX_POLL_INTERVAL_MS: 3_600_000 } });
  }, 120_000);
  afterAll(async () => {
    pg.Client.prototype.query = originalQuery;
    await app?.stop();
  });

  async function roundTripsOf(send: () => Promise<unknown>): Promise<string[]> {
    sent.length = 0;
    counting = true;
    try {
      await send();
      await app.settled();
    } finally {
      counting = false;
    }
    return [...sent];
  }

  it('a simple update costs at most 3 PostgreSQL round trips, the inbox included', async () => {
    // Warm-up (not counted): the KV's tables are created on first use.
    const bob = app.user('bob', { language_code: 'en' });
    await bob.send('hi');
    await bob.expectReply('echo: hi');
    await app.settled();
    const alice = app.user('alice', { language_code: 'en' });
    // First contact creates the chat's session (a write): counted too, still at most 3.
    const first = await roundTripsOf(async () => {
      await alice.send('hello');
      await alice.expectReply('echo: hello');
    });
    expect(first.length, first.join('\n')).toBeLessThanOrEqual(3);

    const simple = await roundTripsOf(async () => {
      await alice.send('again');
      await alice.expectReply('echo: again');
    });
    console.log(`[round trips] first contact: ${first.length}, simple update: ${simple.length}`);
    expect(simple.length, simple.join('\n')).toBeLessThanOrEqual(3);
    // Stored and leased in one statement, the reply's ledger record, done: no claim, no separate
    // session read or write, no rate-limit statement.
    expect(simple.some((q) => q.includes('core_update_inbox_intake'))).toBe(true);
    expect(simple.some((q) => q.includes('core_update_inbox_done'))).toBe(true);
    expect(simple.filter((q) => q.startsWith('WITH next AS'))).toEqual([]);
    expect(simple.filter((q) => q.includes('botloom_rate_windows'))).toEqual([]);
    expect(simple.filter((q) => q.startsWith('SELECT value FROM botloom_kv'))).toEqual([]);
    expect(simple.filter((q) => q.startsWith('INSERT INTO botloom_kv'))).toEqual([]);
  });

  it('a session changed by an update is read back by the next one (written with the done mark)', async () => {
    const carol = app.user('carol', { language_code: 'en' });
    for (const n of [1, 2, 3]) {
      const trips = await roundTripsOf(async () => {
        await carol.send('/count');
        await carol.expectReply(`count: ${n}`);
      });
      expect(trips.length, trips.join('\n')).toBeLessThanOrEqual(3);
    }
  });

  it('the rate limit decided at intake still holds (RATE_LIMIT_PER_MINUTE)', async () => {
    const [rows] = await app.app.database!.sequelize.query(
      'SELECT hits FROM botloom_rate_windows WHERE key = $1',
      { bind: [`core.ratelimit:${await app.user('alice').id()}`] },
    );
    // Alice's two updates, each counted once, in the statement that stored it.
    expect((rows as Array<{ hits: string[] }>)[0]?.hits).toHaveLength(2);
  });
});
