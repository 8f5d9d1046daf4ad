import { generateBotToken } from '@botloom/core/sandbox';
import { SandboxClientError, SandboxGroups, startTestApp, type TestApp } from '@botloom/core/testing';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EducationModule } from '../src/education/index.js';
import { educationTestPlugin } from './support/education-test-plugin.js';

const ASSISTANT_TOKEN = generateBotToken();
const INVITE = /https:\/\/t\.me\/\+\S+/;

async function controlError(promise: Promise<unknown>): Promise<SandboxClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SandboxClientError) return error;
    throw error;
  }
  throw new Error('expected a sandbox error');
}

describe('education groups through the sandbox', () => {
  let app: TestApp;
  let groups: SandboxGroups;
  let assistantId: number;
  let operatorId: number;
  const holder: { module?: EducationModule } = {};

  beforeAll(async () => {
    app = await startTestApp({
      plugins: [educationTestPlugin({ educationAssistantBotTokens: ASSISTANT_TOKEN }, holder)],
    });
    groups = new SandboxGroups(app.sandbox);
    const assistant = await groups.addBot({
      token: ASSISTANT_TOKEN,
      first_name: 'Course Assistant (bot)',
      username: 'course_assistant_bot',
    });
    assistantId = assistant.bot.id;
    operatorId = await app.user('operator').id();
  });

  afterAll(() => app?.stop());

  async function poolGroup(title: string, options: { botStatus?: 'member' | 'administrator' } = {}) {
    const chat = await app.sandbox.createChat({
      type: 'supergroup',
      title,
      memberIds: [operatorId],
      ...options,
    });
    await groups.addBotToChat(chat.chat.id, assistantId, { byUserId: operatorId });
    return chat.chat.id;
  }

  it('offer → single-use invite → join → Script #2 in the group, with a marked assistant example', async () => {
    const groupId = await poolGroup('Budget cohort 1');
    expect((await app.viewer.post('/admin/api/sales/groups/pool', { chatId: groupId })).status).toBe(403);
    const registered = await app.admin.post('/admin/api/sales/groups/pool', { chatId: groupId });
    expect(registered.status).toBe(201);
    expect(registered.body.group).toMatchObject({
      chatId: groupId,
      status: 'free',
      title: 'Budget cohort 1',
    });

    const anna = app.user('anna');
    await anna.send('/course');
    const invite = await anna.expectReply(/personal invite/);
    const link = invite.text!.match(INVITE)![0];
    const links = await groups.inviteLinks(groupId);
    expect(links.links.find((l) => l.invite_link === link)).toMatchObject({ member_limit: 1 });

    const annaId = await anna.id();
    expect(await groups.joinByLink(annaId, link)).toEqual({ status: 'joined', chatId: groupId });
    const welcome = await app.sandbox.waitForBotMessage(groupId, { match: /Welcome to your study group/ });
    expect(welcome.from?.id).not.toBe(assistantId);

    const example = await app.sandbox.waitForBotMessage(groupId, { match: /worked example/ });
    expect(example.from).toMatchObject({ id: assistantId, is_bot: true, username: 'course_assistant_bot' });
    expect(example.text).toMatch(/^🤖 Assistant \(a bot, not a student\) · worked example:\nIncome 1500/);
    await app.sandbox.waitForBotMessage(groupId, { match: /📝 Assignment: Write your monthly income/ });

    // The link was for Anna only.
    const boris = await app.user('boris').id();
    const refused = await controlError(groups.joinByLink(boris, link));
    expect(['SANDBOX_INVITE_LIMIT', 'SANDBOX_INVITE_EXPIRED']).toContain(refused.code);
    const members = (await app.sandbox.getChat(groupId)).members;
    expect(members.find((m) => m.userId === boris)).toBeUndefined();

    // Small talk gets no answer; an answer to the assignment gets feedback and the scenario goes on.
    const inGroup = anna.in(groupId);
    await inGroup.send('ok');
    await inGroup.send(
      'My income is 1500 a month, rent 700, transport 100, loan 200, and I want to save 150.',
    );
    await inGroup.expectReply(/Good start/);
    await inGroup.expectReply(/end of lesson one/);

    const list = await app.viewer.get('/admin/api/sales/groups');
    const row = list.body.groups.find((g: { chatId: number }) => g.chatId === groupId);
    expect(row).toMatchObject({ status: 'finished', clientUserId: annaId, source: 'pool' });

    const asViewer = await app.viewer.get(`/admin/api/sales/groups/${groupId}`);
    expect(asViewer.body.contentIncluded).toBe(false);
    expect(JSON.stringify(asViewer.body)).not.toContain('transport 100');
    const asAdmin = await app.admin.get(`/admin/api/sales/groups/${groupId}`);
    expect(asAdmin.body.group).toMatchObject({ chatId: groupId, status: 'finished' });
    const clientMessages = asAdmin.body.messages.filter((m: { author: string }) => m.author === 'client');
    expect(clientMessages.map((m: { responder: string }) => m.responder)).toEqual(['nobody', 'bot']);
    expect(clientMessages[1].analysis).toMatchObject({ source: 'offline', answersAssignment: true });
    expect(asAdmin.body.messages.some((m: { author: string }) => m.author === 'assistant')).toBe(true);

    // Stored encrypted.
    const raw = await app.app.database!.sequelize.query<{ text_enc: string }>(
      'SELECT text_enc FROM group_messages WHERE group_id = :id',
      { replacements: { id: row.id }, type: QueryTypes.SELECT },
    );
    expect(raw.some((r) => r.text_enc.includes('transport'))).toBe(false);
  });

  it('with no free group, the client creates one through request_chat and Script #2 starts there', async () => {
    const carl = app.user('carl');
    await carl.send('/course');
    await carl.expectReply(/All study groups are busy/);
    const keyboard = (await app.sandbox.getChat(await carl.id())).replyKeyboard as unknown as {
      keyboard: Array<Array<{ text: string; request_chat?: Record<string, unknown> }>>;
    };
    expect(keyboard.keyboard[0]![0]).toMatchObject({
      text: 'Create my study group',
      request_chat: {
        chat_is_created: true,
        bot_is_member: true,
        bot_administrator_rights: { can_invite_users: true },
      },
    });

    const { chatId } = await groups.requestChat({ userId: await carl.id(), title: "Carl's budget group" });
    await carl.expectReply(/Your group "Carl's budget group" is ready/);
    await app.sandbox.waitForBotMessage(chatId, { match: /Welcome to your study group/ });
    // No assistant bot is in this group: the main bot posts the example as its own, unmarked as an assistant.
    const example = await app.sandbox.waitForBotMessage(chatId, { match: /Worked example:/ });
    expect(example.text).not.toContain('🤖');
    await app.sandbox.waitForBotMessage(chatId, { match: /📝 Assignment/ });

    // Two answers that miss: retry feedback, then the scenario moves on (maxAttempts 2).
    const inGroup = carl.in(chatId);
    await inGroup.send('I am not sure what to write here at all');
    await inGroup.expectReply(/Almost: give your income/);
    await inGroup.send('Still thinking about what I should put down');
    await inGroup.expectReply(/Almost: give your income/);
    await inGroup.expectReply(/Let's move on/);
    await inGroup.expectReply(/end of lesson one/);

    const list = await app.admin.get('/admin/api/sales/groups');
    expect(list.body.groups.find((g: { chatId: number }) => g.chatId === chatId)).toMatchObject({
      source: 'client',
      status: 'finished',
    });
  });

  it('a gone group, a bot that is not admin and bad ids are clear 4xx errors', async () => {
    const gone = await app.admin.post('/admin/api/sales/groups/pool', { chatId: -1009999999999 });
    expect(gone.status).toBe(400);
    expect(gone.body.error.code).toBe('EDU_GROUP_NOT_FOUND');

    const notAdmin = await poolGroup('Bot is only a member', { botStatus: 'member' });
    const refused = await app.admin.post('/admin/api/sales/groups/pool', { chatId: notAdmin });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'EDU_BOT_NOT_ADMIN', details: { chatId: notAdmin } });

    expect((await app.admin.post('/admin/api/sales/groups/pool', { chatId: 12345 })).status).toBe(422);
    expect((await app.admin.post('/admin/api/sales/groups/pool', { chatId: 'abc' })).status).toBe(422);

    const ok = await poolGroup('Budget cohort 2');
    expect((await app.admin.post('/admin/api/sales/groups/pool', { chatId: ok })).status).toBe(201);
    const again = await app.admin.post('/admin/api/sales/groups/pool', { chatId: ok });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('EDU_GROUP_EXISTS');
    expect((await app.viewer.delete(`/admin/api/sales/groups/pool/${ok}`)).status).toBe(403);
    expect((await app.admin.delete(`/admin/api/sales/groups/pool/${ok}`)).status).toBe(204);
    expect((await app.admin.delete(`/admin/api/sales/groups/pool/${ok}`)).status).toBe(404);
  });

  it('an invite nobody used expires: the link is revoked and the group goes to the next client', async () => {
    const groupId = await poolGroup('Budget cohort 3');
    expect((await app.admin.post('/admin/api/sales/groups/pool', { chatId: groupId })).status).toBe(201);
    const dora = app.user('dora');
    await dora.send('/course');
    const link = (await dora.expectReply(/personal invite/)).text!.match(INVITE)![0];

    // Nothing expires before the TTL (48 h by default)...
    expect(await holder.module!.expireStaleOffers(new Date(Date.now() + 47 * 3_600_000))).toEqual({
      released: 0,
      closed: 0,
    });
    // ...and after it, the unused invite is revoked and the group is free again.
    expect(await holder.module!.expireStaleOffers(new Date(Date.now() + 49 * 3_600_000))).toEqual({
      released: 1,
      closed: 0,
    });
    const late = await controlError(groups.joinByLink(await dora.id(), link));
    expect(late.code).toBe('SANDBOX_INVITE_EXPIRED');

    const erin = app.user('erin');
    await erin.send('/course');
    const erinLink = (await erin.expectReply(/personal invite/)).text!.match(INVITE)![0];
    expect(erinLink).not.toBe(link);
    expect(await groups.joinByLink(await erin.id(), erinLink)).toEqual({ status: 'joined', chatId: groupId });
    await app.sandbox.waitForBotMessage(groupId, { match: /Welcome to your study group/ });
  });

  it('/delete_my_data erases the client’s group messages and unlinks their groups', async () => {
    const anna = app.user('anna');
    const annaId = await anna.id();
    await anna.send('/delete_my_data');
    await anna.expectReply(/study groups/);
    await anna.press('Yes, delete everything');
    await anna.expectEdit(/deleted/);
    const left = await app.app.database!.sequelize.query<{ n: string }>(
      'SELECT count(*) AS n FROM group_messages WHERE author_id = :annaId',
      { replacements: { annaId }, type: QueryTypes.SELECT },
    );
    expect(Number(left[0]!.n)).toBe(0);
    const list = await app.admin.get('/admin/api/sales/groups');
    expect(list.body.groups.some((g: { clientUserId: number | null }) => g.clientUserId === annaId)).toBe(
      false,
    );
  });
});
