import { startTestApp, type TestApp } from '@botloom/core/testing';
import { expect } from 'vitest';
import supportPlugin from '../../src/index.js';
import { knowledgeBoundModel, knowledgeDir } from './e2e-helpers.js';

/** The manager group's title: the app's sandbox desk finds its group by it, as this setup does. */
export const GROUP_TITLE = 'Support managers';
export const ADMIN = 500_001;
export const MANAGER = 500_002;
export const STRANGER = 500_003;
/**
 * Core keeps to Telegram's limits (about 1 message a second per chat, 20 a minute per group),
 * so steps that post in the manager group take seconds.
 */
export const SLOW = { timeoutMs: 45_000 };

export interface SupportTestApp {
  t: TestApp;
  /** The manager group's chat id, as the emulator answered it (wired into the plugin). */
  group: number;
  kbDir: string;
  token: string;
  topicOf(
    ticketId: number,
    match?: RegExp,
    timeoutMs?: number,
  ): Promise<{ message_thread_id: number; name: string }>;
  latestTicketOf(userId: number): Promise<any>;
}

/** An app with the support plugin, a knowledge file, the fake OpenAI model, a forum manager group with a manager. */
export async function startSupportApp(
  overrides: { env?: Record<string, string>; support?: Record<string, unknown> } = {},
): Promise<SupportTestApp> {
  const kbDir = await knowledgeDir();
  // Wired as the reference app's sandbox desk wires it: unknown at boot, then the group found by title.
  let group: number | undefined;
  const t = await startTestApp({
    plugins: [supportPlugin({}, { managerGroupChatId: () => group })],
    openai: { defaultReply: knowledgeBoundModel },
    env: overrides.env,
    config: {
      plugins: {
        support: {
          adminUserId: ADMIN,
          knowledgeDir: kbDir,
          knowledgeRescanSeconds: 0,
          uploadMaxBytes: 64 * 1024,
          webAppUrl: 'https://support.example.com/p/support/app',
          ...overrides.support,
        },
      },
    },
  });
  const token = t.app.bot!.api.token;
  await t.sandbox.createUser({ id: ADMIN, first_name: 'Ada', username: 'ada_admin' });
  await t.sandbox.createUser({ id: MANAGER, first_name: 'Maria', last_name: 'Manager' });
  await t.sandbox.createUser({ id: STRANGER, first_name: 'Steve' });
  await t.sandbox.createChat({
    type: 'supergroup',
    title: GROUP_TITLE,
    isForum: true,
    botStatus: 'administrator',
    adminIds: [ADMIN, MANAGER],
    memberIds: [STRANGER],
  });
  group = (await t.sandbox.listChats()).find(
    (c) => c.chat.type === 'supergroup' && c.chat.title === GROUP_TITLE && c.chat.is_forum === true,
  )?.chat.id;
  if (group === undefined) throw new Error(`no forum group "${GROUP_TITLE}" in the emulator`);
  const groupId = group;
  // The group was created after boot: an admin re-checks it.
  const check = await t.admin.post('/admin/api/support/status/check');
  expect(check.status).toBe(200);
  expect(check.body.managerGroup.state).toBe('ok');
  const mgr = await t.admin.post('/admin/api/support/managers', { userId: MANAGER, name: 'Maria' });
  expect(mgr.status).toBe(201);

  async function topicOf(ticketId: number, match?: RegExp, timeoutMs = SLOW.timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const chat = await t.sandbox.getChat(groupId);
      const topic = chat.topics.find((x) => x.name.startsWith(`#${ticketId} `) && !x.is_closed);
      if (topic) {
        if (!match) return topic;
        const messages = await t.sandbox.transcript(groupId, topic.message_thread_id);
        const found = messages.some((m) =>
          match.source === 'photo' ? 'photo' in m : match.test((m.text ?? m.caption ?? '') as string),
        );
        if (found) return topic;
      }
      if (Date.now() > deadline)
        throw new Error(`no topic for ticket ${ticketId} matching ${match}: ${JSON.stringify(chat.topics)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function latestTicketOf(userId: number) {
    const res = await t.admin.get(`/admin/api/support/tickets?customerId=${userId}`);
    return res.body.tickets[0];
  }

  return { t, group: groupId, kbDir, token, topicOf, latestTicketOf };
}
