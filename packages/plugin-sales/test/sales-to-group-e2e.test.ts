/**
 * The whole funnel with the real sales plugin through the sandbox emulator: a sales
 * conversation from the greeting to consent, a single-use invite to a pool group registered
 * through the admin API, the client joins, Script #2 starts there with a marked post from a
 * disclosed assistant bot, and /stop in private ends the client's sales conversation.
 */
import { generateBotToken } from '@botloom/core/sandbox';
import { SandboxGroups, startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import salesPlugin, { DEMO_SCRIPT_FILES } from '../src/index.js';
import { query, turn, WAIT } from './e2e-helpers.js';

const ASSISTANT_TOKEN = generateBotToken();
const INVITE = /https:\/\/t\.me\/\+\S+/;

let t: TestApp;
let groups: SandboxGroups;

beforeAll(async () => {
  t = await startTestApp({
    plugins: [
      salesPlugin({
        scriptFiles: DEMO_SCRIPT_FILES,
        educationGroups: true,
        educationAssistantBotTokens: ASSISTANT_TOKEN,
      }),
    ],
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
  });
  groups = new SandboxGroups(t.sandbox);
}, 120_000);
afterAll(() => t?.stop());

describe('from a sales conversation into an education group', { timeout: 240_000 }, () => {
  it('consent → single-use invite → join → Script #2 with a marked assistant post → /stop', async () => {
    const operatorId = await t.user('operator').id();
    const assistant = await groups.addBot({
      token: ASSISTANT_TOKEN,
      first_name: 'Course Assistant (bot)',
      username: 'course_assistant_bot',
    });
    const group = await t.sandbox.createChat({
      type: 'supergroup',
      title: 'Data course cohort',
      memberIds: [operatorId],
    });
    const groupId = group.chat.id;
    await groups.addBotToChat(groupId, assistant.bot.id, { byUserId: operatorId });
    const registered = await t.admin.post('/admin/api/sales/groups/pool', { chatId: groupId });
    expect(registered.status).toBe(201);
    expect(registered.body.group).toMatchObject({ chatId: groupId, status: 'free' });

    const ann = t.user('ann', { first_name: 'Ann', language_code: 'en' });
    expect((await turn(ann, '/start sales-course'))[0]).toContain('I am the automated advisor');
    await turn(ann, 'Hello!');
    await turn(ann, 'a little');
    await turn(ann, 'maybe 5 hours');
    await turn(ann, 'I want a new job, I am stuck in routine');
    await turn(ann, 'Honestly it is too expensive for me');
    expect((await turn(ann, 'ok, and what is included?')).join('\n')).toContain(
      'Would you like to join the next group?',
    );
    const consent = (await turn(ann, "Yes, I'm in!")).join('\n');
    expect(consent.match(new RegExp(INVITE, 'g'))).toHaveLength(1); // one invite message, not two
    const link = consent.match(INVITE)?.[0];
    expect(link).toBeDefined();
    const links = await groups.inviteLinks(groupId);
    expect(links.links.find((l) => l.invite_link === link)).toMatchObject({ member_limit: 1 });

    const annId = await ann.id();
    const [conversation] = await query(
      t,
      'SELECT id, end_reason, education_status FROM sales_client_conversations WHERE user_id = $1',
      [annId],
    );
    expect(conversation).toMatchObject({ end_reason: 'education', education_status: 'invited' });

    // The link works once: Ann joins, and Script #2 starts in the group.
    expect(await groups.joinByLink(annId, link!)).toEqual({ status: 'joined', chatId: groupId });
    const welcome = await t.sandbox.waitForBotMessage(groupId, {
      match: /Welcome to your study group/,
      ...WAIT,
    });
    expect(welcome.from?.id).not.toBe(assistant.bot.id);
    // The lesson is of the course Ann was sold, not of another product.
    expect(welcome.text).toContain('"Data analysis from zero"');
    const story = await t.sandbox.waitForBotMessage(groupId, { match: /A short story first/, ...WAIT });
    expect(story.text).toContain('data analysis');
    const example = await t.sandbox.waitForBotMessage(groupId, { match: /worked example/, ...WAIT });
    expect(example.from).toMatchObject({ id: assistant.bot.id, is_bot: true });
    expect(example.text).toMatch(/^🤖 Assistant \(a bot, not a student\) · worked example:/);
    expect(await groups.joinByLink(await t.user('stranger').id(), link!).catch(() => 'refused')).toBe(
      'refused',
    );

    const listed = await t.admin.get('/admin/api/sales/groups');
    expect(listed.body.groups.find((g: { chatId: number }) => g.chatId === groupId)).toMatchObject({
      status: 'active',
      clientUserId: annId,
    });
    const [row] = await query(
      t,
      'SELECT conversation_id, script_id FROM education_groups WHERE chat_id = $1',
      [groupId],
    );
    expect(row).toMatchObject({ conversation_id: conversation!.id, script_id: 'course' });

    // Back in private, a new sales conversation; /stop ends it.
    await turn(ann, '/start sales-course');
    expect(await turn(ann, '/stop')).toEqual([
      'Understood, I have stopped. I will not write to you again unless you write first.',
    ]);
    const ended = await query(
      t,
      "SELECT end_reason FROM sales_client_conversations WHERE user_id = $1 AND end_reason = 'client_stop'",
      [annId],
    );
    expect(ended).toHaveLength(1);
  });
});
