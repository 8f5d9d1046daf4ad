import pg from 'pg';
import { Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BotPluginEntry } from '../src/bot/bot-runtime.js';
import { coreMigrations } from '../src/db/core-migrations.js';
import { Migrator } from '../src/db/migrator.js';
import { InboxWorker } from '../src/inbox/inbox-worker.js';
import { UPDATE_INBOX_TABLE } from '../src/inbox/migrations.js';
import { startPollingIntake } from '../src/inbox/polling-intake.js';
import { UpdateInbox } from '../src/inbox/update-inbox.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { silentLogger, testCrypto } from './ai-test-helpers.js';
import { type BotHarness, capturingLogger, startBotHarness } from './support/bot-harness.js';
import { textUpdate } from './support/fake-bot-api.js';

const LEASE_MS = 60_000;

/** A clock the test moves by hand: leases and backoff expire without waiting. */
function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase('botloom_inbox');
  const sequelize = new Sequelize(database.url, { logging: false });
  await new Migrator({
    sequelize,
    logger: silentLogger,
    sources: [{ pluginId: 'core', migrations: coreMigrations }],
  }).up();
  await sequelize.close();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

let clock: ReturnType<typeof manualClock>;
let harness: BotHarness | undefined;
beforeEach(async () => {
  clock = manualClock();
  await pool.query(`DELETE FROM ${UPDATE_INBOX_TABLE}`);
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function inboxOf(db: pg.Pool = pool) {
  return new UpdateInbox(db, testCrypto(), clock.now);
}

function workerFor(
  h: BotHarness,
  inbox: UpdateInbox,
  options: Partial<ConstructorParameters<typeof InboxWorker>[0]> = {},
) {
  return new InboxWorker({
    inbox,
    handle: (update, attempt) => h.runtime.processUpdate(update, attempt),
    logger: silentLogger,
    clock: clock.now,
    leaseMs: LEASE_MS,
    maxAttempts: 3,
    concurrency: 8,
    pollIntervalMs: 60_000,
    backoffMs: (attempt) => attempt * 10_000,
    retentionMs: 3_600_000,
    ...options,
  });
}

/**
 * Resolves once the inbox's first claim has come back: a started worker claims at once and
 * holds its free slots meanwhile, so an intake before that leases nothing.
 */
function firstClaimDone(inbox: UpdateInbox): Promise<void> {
  const claim = inbox.claim.bind(inbox);
  return new Promise((resolve) => {
    inbox.claim = async (...args) => {
      try {
        return await claim(...args);
      } finally {
        setImmediate(resolve);
      }
    };
  });
}

const echo: BotPluginEntry = {
  id: 'echo',
  commands: [],
  setup: (c) => c.on('message:text', (ctx) => ctx.reply(`got ${ctx.message.text}`)),
};

async function rowOf(updateId: number) {
  const { rows } = await pool.query(`SELECT * FROM ${UPDATE_INBOX_TABLE} WHERE update_id = $1`, [updateId]);
  return rows[0];
}

describe('update inbox: intake', () => {
  it('stores an update once per update_id, also when two instances store it at the same moment', async () => {
    const other = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      const a = inboxOf();
      const b = inboxOf(other);
      const updates = Array.from({ length: 20 }, (_, i) => textUpdate(`dup ${i}`, { id: 700 + i }, 5000 + i));
      const stored = await Promise.all(
        updates.flatMap((u) => [a.accept([u]), b.accept([structuredClone(u)])]),
      );
      expect(stored.reduce((s, n) => s + n.stored, 0)).toBe(20);
      expect((await a.accept(updates)).stored).toBe(0); // a redelivery of the whole batch adds nothing
      expect((await a.counts()).pending).toBe(20);

      harness = await startBotHarness({ plugins: [echo] });
      await workerFor(harness, a).drain();
      for (let i = 0; i < 20; i++) expect(harness.api.textsTo(700 + i)).toEqual([`got dup ${i}`]);
      // Stored again after it was handled: still dropped.
      expect((await a.accept([updates[0]!])).stored).toBe(0);
      await workerFor(harness, a).drain();
      expect(harness.api.textsTo(700)).toEqual(['got dup 0']);
    } finally {
      await other.end();
    }
  });

  it('keeps no message text at rest: the payload is encrypted and dropped once handled', async () => {
    const inbox = inboxOf();
    await inbox.accept([textUpdate('my card is 4417-secret', { id: 801 }, 6001)]);
    const pendingRow = await rowOf(6001);
    expect(JSON.stringify(pendingRow)).not.toContain('4417');
    harness = await startBotHarness({ plugins: [echo] });
    await workerFor(harness, inbox).drain();
    const doneRow = await rowOf(6001);
    expect(doneRow.status).toBe('done');
    expect(doneRow.payload).toBeNull();
  });
});

describe('update inbox: handling', () => {
  it('claims only the first open update of each chat, across instances', async () => {
    const other = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      const a = inboxOf();
      const b = inboxOf(other);
      await a.accept([
        textUpdate('a1', { id: 1 }, 100),
        textUpdate('b1', { id: 2 }, 101),
        textUpdate('a2', { id: 1 }, 102),
        textUpdate('a3', { id: 1 }, 103),
        textUpdate('b2', { id: 2 }, 104),
      ]);
      const first = await a.claim('instance-a', 10, LEASE_MS);
      expect(first.map((u) => u.updateId)).toEqual([100, 101]);
      // Instance B finds nothing: both chats have an update leased by A.
      expect(await b.claim('instance-b', 10, LEASE_MS)).toEqual([]);
      expect((await a.finish('instance-a', 100)).done).toBe(true);
      expect((await b.claim('instance-b', 10, LEASE_MS)).map((u) => u.updateId)).toEqual([102]);
      // B cannot finish what A holds.
      expect((await b.finish('instance-b', 101)).done).toBe(false);
    } finally {
      await other.end();
    }
  });

  it('claims what it stored from memory, and what another instance stored from the payload: the same update', async () => {
    const crypto = testCrypto();
    let decrypted = 0;
    const counting = {
      encrypt: (text: string) => crypto.encrypt(text),
      decrypt: (text: string) => {
        decrypted++;
        return crypto.decrypt(text);
      },
    };
    const here = new UpdateInbox(pool, counting, clock.now);
    const elsewhere = new UpdateInbox(pool, counting, clock.now);
    const mine = textUpdate('mine', { id: 1 }, 200);
    const theirs = textUpdate('theirs', { id: 2 }, 201);
    await here.accept([mine]);
    await elsewhere.accept([theirs]);
    const claimed = await here.claim('instance-a', 10, LEASE_MS);
    expect(claimed.map((u) => u.update)).toEqual([mine, theirs]);
    expect(decrypted).toBe(1); // only the update the other instance stored
  });

  it('two workers on one database handle every chat in update order', async () => {
    const seen = new Map<number, string[]>();
    const recorder: BotPluginEntry = {
      id: 'recorder',
      commands: [],
      setup: (c) =>
        c.on('message:text', async (ctx) => {
          const list = seen.get(ctx.chat.id) ?? [];
          list.push(ctx.message.text);
          seen.set(ctx.chat.id, list);
          await new Promise((resolve) => setImmediate(resolve));
          await ctx.reply(`ok ${ctx.message.text}`);
        }),
    };
    harness = await startBotHarness({ plugins: [recorder] });
    const second = await startBotHarness({ plugins: [recorder], api: harness.api });
    const other = new pg.Pool({ connectionString: database.url, max: 4 });
    try {
      const users = [11, 12, 13, 14, 15, 16];
      const updates = [];
      let id = 9000;
      for (let n = 0; n < 8; n++)
        for (const user of users) updates.push(textUpdate(`${n}`, { id: user }, id++));
      await inboxOf().accept(updates);
      const w1 = workerFor(harness, inboxOf(), { concurrency: 3 });
      const w2 = workerFor(second, inboxOf(other), { concurrency: 3 });
      await Promise.all([w1.drain(), w2.drain(), w1.drain(), w2.drain()]);
      // Another round in case one worker drained while the other still held a chat.
      await Promise.all([w1.drain(), w2.drain()]);
      const expected = ['0', '1', '2', '3', '4', '5', '6', '7'];
      for (const user of users) {
        expect(seen.get(user), `chat ${user}`).toEqual(expected);
        expect(harness.api.textsTo(user)).toEqual(expected.map((t) => `ok ${t}`));
      }
      expect(await inboxOf().counts()).toMatchObject({ pending: 0, leased: 0, done: updates.length });
    } finally {
      await second.close();
      await other.end();
    }
  });

  it('two instances that lease what they store run each chat one update at a time, in order', async () => {
    const seen = new Map<number, string[]>();
    const running = new Set<number>();
    let overlaps = 0;
    const recorder: BotPluginEntry = {
      id: 'recorder',
      commands: [],
      setup: (c) =>
        c.on('message:text', async (ctx) => {
          if (running.has(ctx.chat.id)) overlaps++;
          running.add(ctx.chat.id);
          const list = seen.get(ctx.chat.id) ?? [];
          list.push(ctx.message.text);
          seen.set(ctx.chat.id, list);
          await new Promise((resolve) => setImmediate(resolve));
          await ctx.reply(`ok ${ctx.message.text}`);
          running.delete(ctx.chat.id);
        }),
    };
    harness = await startBotHarness({ plugins: [recorder] });
    const second = await startBotHarness({ plugins: [recorder], api: harness.api });
    const other = new pg.Pool({ connectionString: database.url, max: 4 });
    const inboxes = [inboxOf(), inboxOf(other)];
    const workers = [
      workerFor(harness, inboxes[0]!, { concurrency: 3 }),
      workerFor(second, inboxes[1]!, { concurrency: 3 }),
    ];
    try {
      const idle = inboxes.map(firstClaimDone);
      workers.forEach((worker, i) => {
        worker.start();
        inboxes[i]!.setLessee(worker);
      });
      await Promise.all(idle);
      const users = [81, 82, 83, 84, 85, 86];
      let id = 9500;
      let leasedAtIntake = 0;
      // Each round stores one update per chat, through alternating instances, without waiting
      // for the previous round to be handled: a chat's next update often arrives while its
      // previous one runs on the other instance.
      for (let n = 0; n < 8; n++) {
        const results = await Promise.all(
          users.map((user, i) => inboxes[(n + i) % 2]!.accept([textUpdate(`${n}`, { id: user }, id++)])),
        );
        leasedAtIntake += results.reduce((sum, r) => sum + r.leased, 0);
      }
      const until = Date.now() + 60_000;
      while ((await inboxOf().counts()).done < users.length * 8) {
        if (Date.now() > until) throw new Error('updates were not all handled');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const expected = ['0', '1', '2', '3', '4', '5', '6', '7'];
      for (const user of users) {
        expect(seen.get(user), `chat ${user}`).toEqual(expected);
        expect(harness.api.textsTo(user)).toEqual(expected.map((t) => `ok ${t}`));
      }
      expect(overlaps).toBe(0);
      expect(leasedAtIntake).toBeGreaterThan(0); // the intake path was taken
    } finally {
      for (const inbox of inboxes) inbox.setLessee(undefined);
      await Promise.all(workers.map((w) => w.stop()));
      await second.close();
      await other.end();
    }
  });

  it('takes over an update whose lease ran out (its instance died), and not before', async () => {
    const inbox = inboxOf();
    await inbox.accept([textUpdate('orphan', { id: 21 }, 200), textUpdate('next', { id: 21 }, 201)]);
    // A dead instance took the first update and never finished it.
    expect((await inbox.claim('dead-instance', 10, LEASE_MS)).map((u) => u.updateId)).toEqual([200]);
    harness = await startBotHarness({ plugins: [echo] });
    const worker = workerFor(harness, inbox);
    await worker.drain();
    expect(harness.api.textsTo(21)).toEqual([]); // the lease is live, and 201 waits behind 200
    clock.advance(LEASE_MS + 1);
    await worker.drain();
    expect(harness.api.textsTo(21)).toEqual(['got orphan', 'got next']);
    expect(await rowOf(200)).toMatchObject({ status: 'done', attempts: 2 });
    expect((await inbox.finish('dead-instance', 200)).done).toBe(false);
  });

  it('renews the leases of updates it is still handling', async () => {
    const inbox = inboxOf();
    await inbox.accept([textUpdate('slow', { id: 22 }, 210)]);
    const [taken] = await inbox.claim('live', 1, LEASE_MS);
    clock.advance(LEASE_MS / 2);
    expect(await inbox.renew('live', [taken!.updateId], LEASE_MS)).toBe(1);
    clock.advance(LEASE_MS / 2 + 1);
    // Past the first lease, but renewed: nobody else may take it.
    expect(await inbox.claim('other', 1, LEASE_MS)).toEqual([]);
  });

  it('retries a failing update with backoff, then dead-letters it and tells the user once', async () => {
    let failures = 0;
    const flaky: BotPluginEntry = {
      id: 'flaky',
      commands: [],
      setup: (c) =>
        c.on('message:text', (ctx) => {
          if (ctx.message.text.startsWith('boom')) {
            failures++;
            throw new Error(`handler exploded on "${ctx.message.text}"`);
          }
          return ctx.reply(`got ${ctx.message.text}`);
        }),
    };
    harness = await startBotHarness({ plugins: [flaky] });
    const inbox = inboxOf();
    const workerLog = capturingLogger();
    const worker = workerFor(harness, inbox, { logger: workerLog.logger });
    await inbox.accept([
      textUpdate('boom secret-words', { id: 31 }, 300),
      textUpdate('after', { id: 31 }, 301),
    ]);

    await worker.drain();
    expect(failures).toBe(1);
    expect(harness.api.textsTo(31)).toEqual([]); // not told yet: a retry follows
    expect(await rowOf(300)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await rowOf(300)).last_error).toContain('handler exploded');

    await worker.drain(); // the retry is not due yet
    expect(failures).toBe(1);
    clock.advance(10_000);
    await worker.drain();
    expect(failures).toBe(2);
    expect(harness.api.textsTo(31)).toEqual([]);
    clock.advance(20_000);
    await worker.drain();
    expect(failures).toBe(3);
    const texts = harness.api.textsTo(31);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/[0-9a-f]{8}/); // the localized error message with its id
    expect(texts[1]).toBe('got after'); // the chat goes on once the failing update is dead
    expect(await rowOf(300)).toMatchObject({ status: 'dead', attempts: 3 });

    const dead = await inbox.listDead({ limit: 10 });
    expect(dead.map((d) => d.updateId)).toEqual([300]);
    expect(dead[0]!.error).toContain('handler exploded');
    expect(dead[0]!.update?.message).toMatchObject({ text: 'boom secret-words' });
    // The inbox logs metadata only, never the error text (it may quote the user).
    const deadLine = workerLog.lines.find((l) => l.msg === 'update dead-lettered');
    expect(deadLine).toMatchObject({ updateId: 300, attempt: 3, errorName: 'Error' });
    expect(JSON.stringify(workerLog.lines)).not.toContain('secret-words');
    // Attempts before the last one are not errors: only the last is logged at ERROR (once).
    const errors = harness.logs.filter((l) => l.level >= 50 && l.msg === 'update handler failed');
    expect(errors).toHaveLength(1);

    // An admin retry gives it fresh attempts.
    expect(await inbox.retryDead(300)).toBe(true);
    expect(await inbox.retryDead(300)).toBe(false);
    expect(await inbox.retryDead(123456789)).toBe(false);
    await worker.drain();
    expect(failures).toBe(4);
    expect(await rowOf(300)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('does not retry an update that already sent something (no duplicate reply)', async () => {
    const halfway: BotPluginEntry = {
      id: 'halfway',
      commands: [],
      setup: (c) =>
        c.on('message:text', async (ctx) => {
          await ctx.reply('first part');
          throw new Error('then failed');
        }),
    };
    harness = await startBotHarness({ plugins: [halfway] });
    const inbox = inboxOf();
    await inbox.accept([textUpdate('go', { id: 41 }, 400)]);
    await workerFor(harness, inbox).drain();
    const texts = harness.api.textsTo(41);
    expect(texts[0]).toBe('first part');
    expect(texts).toHaveLength(2); // plus the error message
    expect(await rowOf(400)).toMatchObject({ status: 'dead', attempts: 1 });
  });

  it('an update taken over after its instance died does not send again what that instance sent', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Instance A replies twice, then "dies" (hangs: it never marks the update done).
    const replier = (hang: boolean): BotPluginEntry => ({
      id: 'replier',
      commands: [],
      setup: (c) =>
        c.on('message:text', async (ctx) => {
          await ctx.reply('one');
          await ctx.reply('two');
          if (hang) await gate;
          await ctx.reply('three');
        }),
    });
    harness = await startBotHarness({ plugins: [replier(true)] });
    const other = await startBotHarness({ plugins: [replier(false)], api: harness.api });
    try {
      const inbox = inboxOf();
      await inbox.accept([textUpdate('go', { id: 45 }, 450)]);
      const dying = workerFor(harness, inbox).drain();
      const until = Date.now() + 30_000;
      while ((await inbox.sendsOf(450)).length < 2) {
        if (Date.now() > until) throw new Error('instance A never recorded its two replies');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The recorded replies quote the bot's text: stored encrypted.
      const { rows } = await pool.query('SELECT response FROM core_update_sends WHERE update_id = 450');
      expect(JSON.stringify(rows)).not.toContain('"text"');
      clock.advance(LEASE_MS + 1);
      await workerFor(other, inbox).drain();
      expect(harness.api.textsTo(45)).toEqual(['one', 'two', 'three']);
      expect(await rowOf(450)).toMatchObject({ status: 'done', attempts: 2 });
      release();
      await dying;
      // A woke up and finished after losing its lease: its late send is the one left to it.
      expect(harness.api.textsTo(45)).toEqual(['one', 'two', 'three', 'three']);
    } finally {
      release();
      await other.close();
    }
  });

  it('the ledger also covers updates leased at intake or by a done statement: taken over, they skip what was sent', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const replier = (hang: boolean): BotPluginEntry => ({
      id: 'replier',
      commands: [],
      setup: (c) =>
        c.on('message:text', async (ctx) => {
          await ctx.reply(`one ${ctx.message.text}`);
          await ctx.reply(`two ${ctx.message.text}`);
          if (hang && ctx.message.text !== 'quick') await gate;
          await ctx.reply(`three ${ctx.message.text}`);
        }),
    });
    harness = await startBotHarness({ plugins: [replier(true)] });
    const other = await startBotHarness({ plugins: [replier(false)], api: harness.api });
    const inbox = inboxOf();
    const dying = workerFor(harness, inbox);
    const idle = firstClaimDone(inbox);
    dying.start();
    inbox.setLessee(dying);
    try {
      await idle;
      // Chat 46: its update is leased by the intake statement. Chat 48: 'quick' is leased at
      // intake and finishes; 'late' waits behind it and is leased by quick's done statement.
      const taken = await inbox.accept([
        textUpdate('intake', { id: 46 }, 460),
        textUpdate('quick', { id: 48 }, 480),
        textUpdate('late', { id: 48 }, 481),
      ]);
      expect(taken).toEqual({ stored: 3, leased: 2 });
      const until = Date.now() + 30_000;
      while ((await inbox.sendsOf(460)).length < 2 || (await inbox.sendsOf(481)).length < 2) {
        if (Date.now() > until) throw new Error('the dying instance never recorded its replies');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      inbox.setLessee(undefined);
      clock.advance(LEASE_MS + 1);
      await workerFor(other, inboxOf()).drain();
      expect(harness.api.textsTo(46)).toEqual(['one intake', 'two intake', 'three intake']);
      expect(harness.api.textsTo(48)).toEqual([
        'one quick',
        'two quick',
        'three quick',
        'one late',
        'two late',
        'three late',
      ]);
      expect(await rowOf(460)).toMatchObject({ status: 'done', attempts: 2 });
      expect(await rowOf(481)).toMatchObject({ status: 'done', attempts: 2 });
    } finally {
      inbox.setLessee(undefined);
      release();
      await dying.stop();
      await other.close();
    }
  });

  it('never handles more updates at once than its concurrency, also when an intake leases while its claim runs', async () => {
    let release!: () => void;
    const handlersGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let running = 0;
    let most = 0;
    const holder: BotPluginEntry = {
      id: 'holder',
      commands: [],
      setup: (c) =>
        c.on('message:text', async (ctx) => {
          running++;
          most = Math.max(most, running);
          await handlersGate;
          running--;
          await ctx.reply(`got ${ctx.message.text}`);
        }),
    };
    let openClaim!: () => void;
    const claimGate = new Promise<void>((resolve) => {
      openClaim = resolve;
    });
    let claimStarted!: () => void;
    const claiming = new Promise<void>((resolve) => {
      claimStarted = resolve;
    });
    class SlowClaimInbox extends UpdateInbox {
      override async claim(owner: string, limit: number, leaseMs: number) {
        claimStarted();
        await claimGate;
        return super.claim(owner, limit, leaseMs);
      }
    }
    const inbox = new SlowClaimInbox(pool, testCrypto(), clock.now);
    // Stored before the worker runs: pending, for its first claim.
    await inbox.accept([1, 2, 3, 4].map((i) => textUpdate(`waiting ${i}`, { id: 90 + i }, 900 + i)));
    harness = await startBotHarness({ plugins: [holder] });
    const worker = workerFor(harness, inbox, { concurrency: 4 });
    worker.start();
    inbox.setLessee(worker);
    try {
      await claiming;
      // The claim holds the four slots: an intake now leases nothing and leaves its updates pending.
      const taken = await inbox.accept(
        [1, 2, 3, 4].map((i) => textUpdate(`new ${i}`, { id: 95 + i }, 950 + i)),
      );
      expect(taken).toEqual({ stored: 4, leased: 0 });
      openClaim();
      const until = Date.now() + 30_000;
      while (running < 4) {
        if (Date.now() > until) throw new Error(`only ${running} updates started`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(worker.busy()).toBe(4);
      release();
      await worker.stop();
      await workerFor(harness, inbox, { concurrency: 4 }).drain();
      expect(most).toBe(4);
      for (const i of [1, 2, 3, 4]) {
        expect(harness.api.textsTo(90 + i)).toEqual([`got waiting ${i}`]);
        expect(harness.api.textsTo(95 + i)).toEqual([`got new ${i}`]);
      }
    } finally {
      inbox.setLessee(undefined);
      openClaim();
      release();
      await worker.stop();
    }
  });

  it('skips nothing after a call that differs from the one the earlier attempt recorded', async () => {
    const inbox = inboxOf();
    await inbox.accept([textUpdate('again', { id: 47 }, 470)]);
    // The dead instance's first call went elsewhere (another chat), its second to this one.
    expect(await inbox.claim('dead-instance', 1, LEASE_MS)).toHaveLength(1);
    const sent = (text: string, chatId: number) => ({
      ok: true,
      result: { message_id: 1, date: 0, chat: { id: chatId, type: 'private' }, text },
    });
    await inbox.recordSend(470, { seq: 0, method: 'sendMessage', chat: '999', response: sent('x', 999) });
    await inbox.recordSend(470, {
      seq: 1,
      method: 'sendMessage',
      chat: '47',
      response: sent('got again', 47),
    });
    clock.advance(LEASE_MS + 1);
    harness = await startBotHarness({
      plugins: [
        {
          id: 'twice',
          commands: [],
          setup: (c) =>
            c.on('message:text', async (ctx) => {
              await ctx.reply('first');
              await ctx.reply('second');
            }),
        },
      ],
    });
    await workerFor(harness, inbox).drain();
    expect(harness.api.textsTo(47)).toEqual(['first', 'second']);
    expect(await rowOf(470)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('dead-letters an update whose last attempt never finished instead of running it again', async () => {
    const inbox = inboxOf();
    await inbox.accept([textUpdate('poison', { id: 51 }, 500)]);
    for (let i = 0; i < 3; i++) {
      expect(await inbox.claim(`crashed-${i}`, 1, LEASE_MS)).toHaveLength(1);
      clock.advance(LEASE_MS + 1);
    }
    harness = await startBotHarness({ plugins: [echo] });
    await workerFor(harness, inbox).drain();
    expect(harness.api.textsTo(51)).toEqual([]);
    expect(await rowOf(500)).toMatchObject({ status: 'dead' });
    expect((await rowOf(500)).last_error).toContain('lease expired');
  });

  it('prunes handled updates past the retention, and nothing else', async () => {
    const inbox = inboxOf();
    harness = await startBotHarness({ plugins: [echo] });
    const worker = workerFor(harness, inbox, { maxAttempts: 1 });
    await inbox.accept([textUpdate('old', { id: 61 }, 600)]);
    await worker.drain();
    clock.advance(2 * 3_600_000);
    await inbox.accept([textUpdate('new', { id: 62 }, 601), textUpdate('waiting', { id: 63 }, 602)]);
    await inbox.claim('someone', 1, LEASE_MS); // 601 leased
    expect(await worker.prune()).toBe(1);
    expect(await rowOf(600)).toBeUndefined();
    expect(await rowOf(601)).toMatchObject({ status: 'leased' });
    expect(await rowOf(602)).toMatchObject({ status: 'pending' });
  });
});

describe('update inbox: long polling intake', () => {
  it('confirms the offset only after a batch is stored; a failed store fetches the batch again', async () => {
    harness = await startBotHarness({ plugins: [echo] });
    const inbox = inboxOf();
    let failNext = true;
    const stored: number[][] = [];
    const intake = startPollingIntake({
      api: harness.runtime.api,
      logger: silentLogger,
      timeoutSeconds: 1,
      store: async (updates) => {
        if (failNext) {
          failNext = false;
          throw new Error('database unreachable');
        }
        stored.push(updates.map((u) => u.update_id));
        await inbox.accept(updates);
      },
    });
    try {
      harness.api.pushUpdate(textUpdate('p1', { id: 71 }, 700), textUpdate('p2', { id: 72 }, 701));
      await harness.api.waitFor(() => stored.length > 0, 60_000);
      expect(stored[0]).toEqual([700, 701]); // the batch whose store failed came again
      const offsets = harness.api.callsOf('getUpdates').map((c) => c.payload.offset);
      expect(offsets.slice(0, 2)).toEqual([undefined, undefined]); // not confirmed after the failure
      await harness.api.waitFor(
        () => harness!.api.callsOf('getUpdates').some((c) => c.payload.offset === 702),
        60_000,
      );
      await workerFor(harness, inbox).drain();
      expect(harness.api.textsTo(71)).toEqual(['got p1']);
      expect(harness.api.textsTo(72)).toEqual(['got p2']);
    } finally {
      await intake.stop();
    }
  });
});
