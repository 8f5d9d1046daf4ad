import { rm } from 'node:fs/promises';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supportPlugin from '../src/index.js';
import { signInitData } from '../src/services/init-data.js';
import { ADMIN, MANAGER, SLOW, type SupportTestApp, startSupportApp } from './support/e2e-app.js';
import { connectWebApp, handshakeStatus } from './support/e2e-helpers.js';

let s: SupportTestApp;
let t: TestApp;

beforeAll(async () => {
  s = await startSupportApp();
  t = s.t;
});

afterAll(async () => {
  await s?.t.stop();
  if (s) await rm(s.kbDir, { recursive: true, force: true });
});

describe('web app chat, uploads and the admin API', () => {
  it('signed initData connects: history, AI reply, live manager reply; forged/tampered/expired refused', async () => {
    const frank = t.user('frank_customer', { first_name: 'Frank' });
    const frankId = await frank.id();
    await frank.send('/start');
    await frank.expectReply(/Support desk/); // core's /start introduces the desk
    const launch = await t.sandbox.openWebApp({ userId: frankId, url: `${t.url}/p/support/app` });
    const client = await connectWebApp(t.url, launch.initData);
    await client.waitFor((e) => e.type === 'history');
    client.send({ type: 'message', text: 'What are the office hours?' });
    const answer = await client.waitFor((e) => e.type === 'message' && e.message.author === 'ai');
    expect(answer.message.text).toContain('9:00 to 21:00');
    client.send({ type: 'call_manager' });
    await client.waitFor((e) => e.type === 'ticket' && e.ticket.status === 'waiting_manager');
    const ticket = await s.latestTicketOf(frankId);
    const topic = await s.topicOf(ticket.id, /Telegram id/);
    const botChatBefore = (await frank.transcript()).length;
    await t.sandbox.sendMessage(MANAGER, 'Hi Frank, Maria here.', {
      chatId: s.group,
      threadId: topic.message_thread_id,
    });
    const live = await client.waitFor((e) => e.type === 'message' && e.message.author === 'manager');
    expect(live.message).toMatchObject({ text: 'Hi Frank, Maria here.', authorName: 'Maria Manager' });
    // Delivered where the customer is: the web app, not the bot chat.
    expect((await frank.transcript()).length).toBe(botChatBefore);
    client.send({ type: 'message', text: 'Thanks, from the web app' });
    await t.sandbox.waitForBotMessage(s.group, {
      threadId: topic.message_thread_id,
      match: 'Thanks, from the web app',
      ...SLOW,
    });

    // A second connection gets the whole history.
    const again = await connectWebApp(t.url, launch.initData);
    const history = await again.waitFor((e) => e.type === 'history');
    expect(history.messages.map((m: { text: string }) => m.text)).toEqual(
      expect.arrayContaining([
        'What are the office hours?',
        'Hi Frank, Maria here.',
        'Thanks, from the web app',
      ]),
    );
    // "I'm satisfied" closes the ticket and asks for a rating, in the web app.
    again.send({ type: 'satisfied' });
    await again.waitFor((e) => e.type === 'ticket' && e.ticket.status === 'closed');
    again.send({ type: 'rate', ticketId: ticket.id, rating: 4 });
    await again.waitFor((e) => e.type === 'ticket' && e.ticket.rating === 4);
    client.close();
    again.close();

    const user = { id: frankId, first_name: 'Frank' };
    expect(await handshakeStatus(t.url, signInitData('123:forged-token', { user }))).toBe(401);
    const tampered = new URLSearchParams(launch.initData);
    tampered.set('user', JSON.stringify({ id: 42, first_name: 'Mallory' }));
    expect(await handshakeStatus(t.url, tampered.toString())).toBe(401);
    const expired = signInitData(s.token, { user, authDate: Math.floor(Date.now() / 1000) - 2 * 86_400 });
    expect(await handshakeStatus(t.url, expired)).toBe(401);
    expect(await handshakeStatus(t.url, '')).toBe(401);
    expect(await handshakeStatus(t.url, signInitData(s.token, { user }))).toBe(101);
    const history401 = await fetch(`${t.url}/p/support/api/history`, {
      headers: { authorization: `tma ${expired}` },
    });
    expect(history401.status).toBe(401);
  });

  it('uploads: a valid image is stored and forwarded; oversized and wrong types are refused', async () => {
    const gina = t.user('gina_customer', { first_name: 'Gina' });
    const ginaId = await gina.id();
    const initData = signInitData(s.token, { user: { id: ginaId, first_name: 'Gina' } });
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(200, 1),
    ]);
    const upload = (data: Buffer, name: string, type: string, auth = initData) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(data)], { type }), name);
      return fetch(`${t.url}/p/support/api/upload`, {
        method: 'POST',
        headers: { authorization: `tma ${auth}` },
        body: form,
      });
    };
    const ok = await upload(png, 'scratch.png', 'image/png');
    expect(ok.status).toBe(201);
    const body = (await ok.json()) as { file: { url: string; id: string } };
    const download = await fetch(`${t.url}${body.file.url}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
    const forgedLink = body.file.url.replace(/sig=[0-9a-f]+/, `sig=${'0'.repeat(64)}`);
    expect((await fetch(`${t.url}${forgedLink}`)).status).toBe(403);
    const otherCustomer = body.file.url.replace(/c=\d+/, 'c=1');
    expect((await fetch(`${t.url}${otherCustomer}`)).status).toBe(403);

    const big = await upload(Buffer.concat([png, Buffer.alloc(70 * 1024)]), 'big.png', 'image/png');
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('FILE_TOO_LARGE');
    const exe = await upload(Buffer.from('MZ\x90\x00'), 'tool.exe', 'application/x-msdownload');
    expect(exe.status).toBe(415);
    const fakePng = await upload(Buffer.from('<script>alert(1)</script>'), 'x.png', 'image/png');
    expect(fakePng.status).toBe(415);
    const forged = await upload(
      png,
      'scratch.png',
      'image/png',
      signInitData('1:other', { user: { id: ginaId, first_name: 'Gina' } }),
    );
    expect(forged.status).toBe(401);

    // The stored file is part of the ticket; after a handoff it is posted into the topic.
    const ticket = await s.latestTicketOf(ginaId);
    const detail = await t.admin.get(`/admin/api/support/tickets/${ticket.id}`);
    expect(detail.body.messages.filter((m: { file: unknown }) => m.file)).toHaveLength(1);
    await gina.send('I need help with a scratch on the bumper');
    await gina.expectReply("I can't answer that, shall I call a manager?");
    await gina.press('🙋 Call a manager');
    await gina.expectReply(/called a manager/, SLOW);
    await s.topicOf(ticket.id, /photo/);
  });

  it('admin API: knowledge CRUD feeds the answers; tickets and stats', async () => {
    const created = await t.admin.post('/admin/api/support/knowledge', {
      title: 'Child seats',
      content: 'Child seats are available for 5 euros per day on request.',
    });
    expect(created.status).toBe(201);
    const hank = t.user('hank_customer', { first_name: 'Hank' });
    await hank.send('Do you have child seats?');
    await hank.expectReply(/5 euros per day/);
    const id = created.body.item.id;
    expect(
      (
        await t.admin.patch(`/admin/api/support/knowledge/${id}`, {
          content: 'Child seats cost 7 euros per day.',
        })
      ).status,
    ).toBe(200);
    await hank.send('How much are child seats?');
    await hank.expectReply(/7 euros per day/);
    expect((await t.admin.delete(`/admin/api/support/knowledge/${id}`)).status).toBe(204);
    expect((await t.admin.get(`/admin/api/support/knowledge/${id}`)).status).toBe(404);
    const fileItem = (await t.admin.get('/admin/api/support/knowledge')).body.items.find(
      (i: { source: string }) => i.source === 'file',
    );
    expect((await t.admin.delete(`/admin/api/support/knowledge/${fileItem.id}`)).status).toBe(409);
    // Domain errors of the services reach the client with their status and code, mapped by core.
    const readOnly = await t.admin.patch(`/admin/api/support/knowledge/${fileItem.id}`, { content: 'x' });
    expect([readOnly.status, readOnly.body.error.code]).toEqual([409, 'KNOWLEDGE_READ_ONLY']);
    const deletedAgain = await t.admin.delete(`/admin/api/support/knowledge/${id}`);
    expect([deletedAgain.status, deletedAgain.body.error.code]).toEqual([404, 'KNOWLEDGE_NOT_FOUND']);
    const closeUnknown = await t.admin.post('/admin/api/support/tickets/999999/close');
    expect([closeUnknown.status, closeUnknown.body.error.code]).toEqual([404, 'TICKET_NOT_FOUND']);
    expect(closeUnknown.body.error.message).toBe('No ticket #999999');
    expect((await t.admin.post('/admin/api/support/knowledge', { title: '' })).status).toBe(422);
    expect((await t.viewer.post('/admin/api/support/knowledge', { title: 'x', content: 'y' })).status).toBe(
      403,
    );

    const stats = await t.admin.get('/admin/api/support/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.tickets).toBe(3);
    expect(stats.body.handoffRate).toBeCloseTo(2 / 3, 2);
    expect(stats.body.aiResolvedRate).toBe(0);
    expect(stats.body.csat).toMatchObject({ ratings: 1, average: 4, satisfiedShare: 1 });
    expect(stats.body.firstResponseSeconds.count).toBe(1);
    expect(stats.body.ticketsPerDay).toHaveLength(1);
    const waiting = await t.admin.get('/admin/api/support/tickets?status=waiting_manager');
    expect(waiting.body.tickets.map((x: { status: string }) => x.status)).toEqual(['waiting_manager']);
    expect((await t.admin.get('/admin/api/support/tickets?status=bogus')).status).toBe(422);
    expect((await t.admin.get('/admin/api/support/tickets/999999')).status).toBe(404);
    const closed = (await t.admin.get('/admin/api/support/tickets?status=closed')).body.tickets[0];
    const closeTwice = await t.admin.post(`/admin/api/support/tickets/${closed.id}/close`);
    expect([closeTwice.status, closeTwice.body.error.code]).toEqual([409, 'INVALID_TRANSITION']);
    const plugins = await t.admin.get('/admin/api/core/plugins');
    expect(JSON.stringify(plugins.body)).toContain('managerGroup');
  });
});

describe('a manager group without topic rights', () => {
  let t2: TestApp;
  beforeAll(async () => {
    t2 = await startTestApp({
      plugins: [supportPlugin()],
      config: { plugins: { support: { managerGroupChatId: s.group, adminUserId: ADMIN } } },
    });
    await t2.sandbox.createUser({ id: ADMIN, first_name: 'Ada' });
    // Telegram bots can only write to people who started them.
    await t2.sandbox.sendMessage(ADMIN, '/start');
    const group = await t2.sandbox.createChat({
      type: 'supergroup',
      title: 'No rights',
      isForum: true,
      botStatus: 'member',
      adminIds: [ADMIN],
    });
    expect(group.chat.id).toBe(s.group);
  });
  afterAll(async () => {
    await t2?.stop();
  });

  it('reports a clear error to the admin, in health and the status API, and the customer is told', async () => {
    const check = await t2.admin.post('/admin/api/support/status/check');
    expect(check.body.managerGroup).toMatchObject({ state: 'error' });
    expect(check.body.managerGroup.message).toMatch(/Manage topics/);
    const alert = await t2.sandbox.waitForBotMessage(ADMIN, { match: 'manager group cannot be used' });
    expect(alert.text).toContain('MANAGER_GROUP_CHAT_ID');
    const health = await t2.app.health();
    expect(health.support).toMatchObject({ ok: false });

    const ivan = t2.user('ivan_customer', { first_name: 'Ivan' });
    await ivan.send('I want a manager');
    await ivan.expectReply();
    await ivan.press('🙋 Call a manager');
    await ivan.expectReply(/saved. Managers are not reachable right now/, SLOW);
    expect(
      (await t2.admin.get(`/admin/api/support/tickets?customerId=${await ivan.id()}`)).body.tickets[0].status,
    ).toBe('waiting_manager');
    expect(t2.app.state).toBe('ready');
  });
});
