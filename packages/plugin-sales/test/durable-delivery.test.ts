/**
 * What survives failures, through the sandbox with the real plugin and PostgreSQL:
 * - a client's message whose handling fails once (the database refuses a write after the message
 *   was stored; the inbox retries the update) is stored and answered once;
 * - a consenting client with no free study group alerts the sales managers;
 * - Script #2's posts are durable jobs: sent in order, once; a redelivered job posts nothing,
 *   a post planned before a crash is sent by the sweep, a post an instance died while sending is
 *   never sent again, and a retried group update gives one answer.
 * Failures are made with one-shot PostgreSQL triggers (a sequence is not rolled back, so the
 * trigger fails the first time only).
 */
import { generateBotToken } from '@botloom/core/sandbox';
import { SandboxGroups, startTestApp, type TestApp } from '@botloom/core/testing';
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import salesPlugin, { DEMO_SCRIPT_FILES, type SalesServices } from '../src/index.js';
import { query, turn, WAIT } from './e2e-helpers.js';

const ASSISTANT_TOKEN = generateBotToken();
const INVITE = /https:\/\/t\.me\/\+\S+/;

let t: TestApp;
const services = () => t.app.services<SalesServices>('sales');

/** SQL as it is (no bind parameters: `$` and `?` stay PostgreSQL's). */
const raw = (sql: string) => t.app.database!.sequelize.query(sql);

/** Makes the next row change that matches `when` on `table` fail once, as a dropped database would. */
async function failOnce(name: string, table: string, timing: string, when: string) {
  await raw(`CREATE SEQUENCE ${name}`);
  await raw(
    `CREATE FUNCTION ${name}() RETURNS trigger AS $body$
     BEGIN
       IF nextval('${name}') = 1 THEN RAISE EXCEPTION 'simulated failure (${name})'; END IF;
       RETURN NEW;
     END $body$ LANGUAGE plpgsql`,
  );
  await raw(
    `CREATE TRIGGER ${name} ${timing} ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`,
  );
}

async function firedTimes(name: string): Promise<number> {
  const [row] = await query<{ last_value: string; is_called: boolean }>(
    t,
    `SELECT last_value, is_called FROM ${name}`,
  );
  return row!.is_called ? Number(row!.last_value) : 0;
}

/** Polls until `check` holds (a post is marked sent just after Telegram has it); wide margin. */
async function until(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + WAIT.timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const botTexts = async (chatId: number) =>
  (await t.sandbox.transcript(chatId))
    .filter((m: Message) => m.from?.is_bot)
    .map((m: Message) => m.text ?? '');

beforeAll(async () => {
  t = await startTestApp({
    plugins: [
      salesPlugin({
        scriptFiles: DEMO_SCRIPT_FILES,
        educationGroups: true,
        educationClientGroups: false,
        educationAssistantBotTokens: ASSISTANT_TOKEN,
      }),
    ],
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
  });
}, 120_000);
afterAll(() => t?.stop());

describe('durable delivery', { timeout: 240_000 }, () => {
  it('a retried update stores the client message once and answers once', async () => {
    const ann = t.user('ann', { first_name: 'Ann', language_code: 'en' });
    await turn(ann, '/start sales-course');
    // The analysis is written after the message is stored; the first write fails.
    await failOnce(
      'sales_test_fail_analysis',
      'sales_conversation_messages',
      'BEFORE UPDATE',
      "NEW.analysis_status = 'done'",
    );
    const replies = await turn(ann, 'Hello!');
    expect(replies.join('\n')).toContain('Have you worked with data or spreadsheets before?');
    expect(await firedTimes('sales_test_fail_analysis')).toBeGreaterThanOrEqual(2); // failed, then retried

    const rows = await query(
      t,
      `SELECT m.author, m.analysis_status, m.telegram_message_id FROM sales_conversation_messages m
       JOIN sales_client_conversations c ON c.id = m.conversation_id
       WHERE c.user_id = $1 AND m.author = 'client'`,
      [await ann.id()],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ analysis_status: 'done' });
    expect(rows[0]!.telegram_message_id).not.toBeNull();
    expect(replies.filter((r) => r.includes('Have you worked with data'))).toHaveLength(1);
    await raw('DROP TRIGGER sales_test_fail_analysis ON sales_conversation_messages');
  });

  it('a consenting client with no free study group alerts the sales managers (en and ru)', async () => {
    const maria = t.user('maria', { first_name: 'Maria', language_code: 'en' });
    await turn(maria, '/start'); // a manager must have started the bot to get its messages
    const put = await t.admin.put('/admin/api/core/panel/settings/runtime/sales/managerChatIds', {
      value: String(await maria.id()),
    });
    expect(put.status).toBe(200);

    const ben = t.user('ben', { first_name: 'Ben', language_code: 'en' });
    await turn(ben, '/start sales-course');
    const consent = (await turn(ben, "Yes, I'm in!")).join('\n');
    expect(consent).toContain('All study groups are full at the moment');

    const alert = await maria.expectReply(/A client agreed to join and needs a manager/, WAIT);
    expect(alert.text).toContain('no study group is free');
    expect(alert.text).toContain(`Telegram id ${await ben.id()}`);
    expect(alert.text).toContain("Their last message: Yes, I'm in!");
    expect(alert.text).toContain('Script: course v1');
    const jobs = await query(t, "SELECT data FROM botloom_jobs.job WHERE name = 'sales.manager-alert'");
    expect(jobs.map((j) => j.data.reason)).toEqual(['no_group']);

    // In Russian when the managers' language is Russian.
    await t.admin.put('/admin/api/core/panel/settings/runtime/sales/managerLocale', { value: 'ru' });
    const vera = t.user('vera', { first_name: 'Вера', language_code: 'ru' });
    await turn(vera, '/start sales-course');
    await turn(vera, 'Да, я согласна, записывайте');
    const ru = await maria.expectReply(/Клиент согласился и ждёт менеджера/, WAIT);
    expect(ru.text).toContain('свободных учебных групп нет');
    await t.admin.delete('/admin/api/core/panel/settings/runtime/sales/managerLocale');
  });

  it('Script #2 posts go out through durable jobs in order and once, across redelivery and crashes', async () => {
    const groups = new SandboxGroups(t.sandbox);
    const operatorId = await t.user('operator').id();
    const assistant = await groups.addBot({
      token: ASSISTANT_TOKEN,
      first_name: 'Course Assistant (bot)',
      username: 'course_assistant_bot',
    });
    const group = await t.sandbox.createChat({
      type: 'supergroup',
      title: 'Cohort',
      memberIds: [operatorId],
    });
    const groupId = group.chat.id;
    await groups.addBotToChat(groupId, assistant.bot.id, { byUserId: operatorId });
    expect((await t.admin.post('/admin/api/sales/groups/pool', { chatId: groupId })).status).toBe(201);

    const kim = t.user('kim', { first_name: 'Kim', language_code: 'en' });
    await turn(kim, '/start sales-course');
    const link = (await turn(kim, "Yes, I'm in!")).join('\n').match(INVITE)![0];
    expect(await groups.joinByLink(await kim.id(), link)).toEqual({ status: 'joined', chatId: groupId });
    await t.sandbox.waitForBotMessage(groupId, { match: /📝 Assignment/, ...WAIT });

    const [row] = await query<{ id: number }>(t, 'SELECT id FROM education_groups WHERE chat_id = $1', [
      groupId,
    ]);
    const postsOf = () => services().educationGroups!.store.posts(row!.id);
    await until(async () => (await postsOf()).every((p) => p.status === 'sent'), 'every post is sent');
    const posts = await postsOf();
    expect(posts.length).toBeGreaterThanOrEqual(4);
    expect(posts.map((p) => p.seq)).toEqual(posts.map((_, i) => i + 1));
    expect(new Set(posts.map((p) => p.messageId)).size).toBe(posts.length);
    // The group saw them in the planned order, each once.
    const seen = (await t.sandbox.transcript(groupId)).filter((m: Message) => m.from?.is_bot);
    expect(seen.map((m: Message) => m.message_id)).toEqual(posts.map((p) => p.messageId));
    const jobs = await query(
      t,
      "SELECT count(*)::int AS n FROM botloom_jobs.job WHERE name = 'sales.education-post'",
    );
    expect(jobs[0]!.n).toBeGreaterThanOrEqual(posts.length); // one durable job per post

    // A redelivered job finds its post (and the ones after it) sent: nothing is posted again.
    expect(await services().educationGroups!.deliverPost(posts[0]!.id)).toBe(0);
    expect(await botTexts(groupId)).toHaveLength(posts.length);

    // An instance stopped after planning a post and before queueing its job: the sweep sends it.
    const nextSeq = posts.length + 1;
    await query(
      t,
      `INSERT INTO education_group_posts (group_id, seq, kind, payload, created_at)
       VALUES ($1, $2, 'bot', '{"text":"Posted after a restart"}', now() - interval '2 minutes')`,
      [row!.id, nextSeq],
    );
    expect(await services().educationGroups!.resumeStalledPosts()).toBe(1);
    await t.sandbox.waitForBotMessage(groupId, { match: /Posted after a restart/, ...WAIT });
    expect(await services().educationGroups!.resumeStalledPosts()).toBe(0);
    await until(async () => (await postsOf()).every((p) => p.status === 'sent'), 'the resumed post is sent');

    // An instance died while sending a post: it is never sent again (it may be in the group
    // already), and the next post goes on.
    const [uncertain] = await query<{ id: string }>(
      t,
      `INSERT INTO education_group_posts (group_id, seq, kind, payload, status, attempts, claimed_at)
       VALUES ($1, $2, 'bot', '{"text":"Maybe sent before the crash"}', 'sending', 1, now() - interval '10 minutes')
       RETURNING id`,
      [row!.id, nextSeq + 1],
    );
    await query(
      t,
      `INSERT INTO education_group_posts (group_id, seq, kind, payload) VALUES ($1, $2, 'bot', '{"text":"The post after it"}')`,
      [row!.id, nextSeq + 2],
    );
    expect(await services().educationGroups!.deliverPost(Number(uncertain!.id))).toBe(1);
    await until(
      async () => (await postsOf()).every((p) => p.status !== 'pending' && p.status !== 'sending'),
      'settled',
    );
    expect((await postsOf()).find((p) => p.id === Number(uncertain!.id))?.status).toBe('unconfirmed');
    expect((await botTexts(groupId)).filter((text) => text === 'The post after it')).toHaveLength(1);
    expect((await botTexts(groupId)).some((text) => text.includes('Maybe sent before the crash'))).toBe(
      false,
    );

    // A group update whose handling fails once (planning the answer) is retried: one answer.
    await failOnce(
      'sales_test_fail_plan',
      'education_group_posts',
      'BEFORE INSERT',
      "NEW.payload ? 'replyTo'",
    );
    const answer = await kim
      .in(groupId)
      .send('My income is 1500 a month, rent 700, transport 100, loan 200, and I want to save 150.');
    await kim.in(groupId).expectReply(/end of lesson one/, WAIT);
    expect(await firedTimes('sales_test_fail_plan')).toBeGreaterThanOrEqual(2);
    await t.settled();
    expect((await botTexts(groupId)).filter((text) => /Good start/.test(text))).toHaveLength(1);
    const stored = await query(
      t,
      "SELECT count(*)::int AS n FROM group_messages WHERE group_id = $1 AND message_id = $2 AND author = 'client'",
      [row!.id, answer.message_id],
    );
    expect(stored[0]!.n).toBe(1);
    await raw('DROP TRIGGER sales_test_fail_plan ON education_group_posts');
  });
});
