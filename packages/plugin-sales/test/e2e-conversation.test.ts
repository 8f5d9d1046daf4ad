/**
 * A client talks to the sales bot through the sandbox emulator, with the offline analyser, real
 * PostgreSQL and the shipped demo scripts: from the deep link to consent, Russian, /stop,
 * follow-ups after silence (injected clock), human takeover and an oversized message.
 */
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import salesPlugin, { DEMO_SCRIPT_FILES, type SalesServices } from '../src/index.js';
import { query, turn, WAIT } from './e2e-helpers.js';

let t: TestApp;
let now = new Date('2026-03-02T10:00:00Z');
const services = () => t.app.services<SalesServices>('sales');

beforeAll(async () => {
  t = await startTestApp({
    plugins: [salesPlugin({ scriptFiles: DEMO_SCRIPT_FILES }, { clock: () => now })],
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
  });
}, 120_000);
afterAll(() => t?.stop());

async function conversationOf(userId: number, status?: string) {
  const list = await t.admin.get(
    `/admin/api/sales/conversations?limit=200${status ? `&status=${status}` : ''}`,
  );
  return list.body.conversations.filter((c: { userId: number }) => c.userId === userId)[0];
}

describe('a sales conversation', { timeout: 180_000 }, () => {
  it('goes from the deep link through the questionnaire and an objection to consent', async () => {
    const ann = t.user('ann', { first_name: 'Ann', language_code: 'en' });
    const [opening] = await turn(ann, '/start sales-course');
    expect(opening).toContain('Hi! I am the automated advisor of the course');

    expect((await turn(ann, 'Hello!')).join('\n')).toContain(
      'Have you worked with data or spreadsheets before?',
    );
    // The second question comes alone: the stage's opening line is not said before each question.
    expect((await turn(ann, 'a little')).join('\n')).toBe(
      'How many hours a week could you spend on studying?',
    );
    expect((await turn(ann, 'maybe 5 hours')).join('\n')).toContain(
      'What would you like data skills to change',
    );
    expect((await turn(ann, 'I want a new job, I am stuck in routine')).join('\n')).toContain(
      'from zero to your first real analyses in 8 weeks',
    );
    expect((await turn(ann, 'Honestly it is too expensive for me')).join('\n')).toContain(
      'three monthly payments of 100 EUR',
    );
    expect((await turn(ann, 'ok, and what is included?')).join('\n')).toContain(
      'Would you like to join the next group?',
    );
    const consent = await turn(ann, "Yes, I'm in!");
    expect(consent.join('\n')).toContain('A manager will contact you shortly'); // no education port in this app

    // The conversation ended. Sales is the only plugin reading free text in this app, so it is
    // the default owner: a new message from the client starts a new conversation.
    expect((await turn(ann, 'hello again'))[0]).toContain('Hi! I am the automated advisor');

    const id = await ann.id();
    const conversation = await conversationOf(id, 'ended');
    expect(conversation).toMatchObject({
      scriptSlug: 'course',
      scriptVersion: 1,
      status: 'ended',
      endReason: 'education',
      educationStatus: 'manager',
      stage: 'education',
    });
    const detail = await t.admin.get(`/admin/api/sales/conversations/${conversation.id}`);
    const client = detail.body.messages.filter((m: { author: string }) => m.author === 'client');
    expect(client).toHaveLength(7);
    for (const m of client) {
      expect(m).toMatchObject({ scriptVersion: 1, analysisSource: 'offline', analysisStatus: 'done' });
      expect(['script_80', 'free_20']).toContain(m.strategy);
      expect(typeof m.scriptFitScore).toBe('number');
    }
    expect(client.at(-1)).toMatchObject({ consent: true, intent: 'consent' });
    expect(
      detail.body.transitions.filter((x: { applied: boolean }) => x.applied).map((x: { to: string }) => x.to),
    ).toEqual(['greeting', 'qualification', 'needs', 'presentation', 'objections', 'close', 'education']);
    expect(detail.body.transitions.every((x: { reason: string }) => x.reason.length > 0)).toBe(true);

    // Questionnaire answers and the journey are stored; message text only encrypted.
    const answers = await query(
      t,
      'SELECT question_id, answer_enc FROM sales_diagnostic_results WHERE conversation_id = $1 ORDER BY id',
      [conversation.id],
    );
    expect(answers.map((a) => a.question_id)).toEqual(['experience', 'hours']);
    const raw = await query(
      t,
      'SELECT text_enc, analysis_enc FROM sales_conversation_messages WHERE conversation_id = $1',
      [conversation.id],
    );
    expect(JSON.stringify(raw)).not.toContain('too expensive');
    const journey = await query(
      t,
      'SELECT stage FROM sales_journey_progress WHERE conversation_id = $1 ORDER BY id',
      [conversation.id],
    );
    expect(journey.map((j) => j.stage)).toEqual([
      'greeting',
      'qualification',
      'needs',
      'presentation',
      'objections',
      'close',
      'education',
    ]);

    // Viewers see metadata only.
    const asViewer = await t.viewer.get(`/admin/api/sales/conversations/${conversation.id}`);
    expect(asViewer.body.contentIncluded).toBe(false);
    expect(asViewer.body.messages[0].text).toBeUndefined();

    const stats = await t.admin.get('/admin/api/sales/stats');
    expect(stats.body.conversations.toEducation).toBeGreaterThanOrEqual(1);
    expect(stats.body.funnel.map((f: { stage: string }) => f.stage)).toContain('close');
    expect(stats.body.strategies.reduce((n: number, s: { share: number }) => n + s.share, 0)).toBeCloseTo(1);
  });

  it('with education groups off, a consenting client alerts the sales managers', async () => {
    const max = t.user('max', { first_name: 'Max', language_code: 'en' });
    await turn(max, '/start'); // a manager must have started the bot to get its messages
    const put = await t.admin.put('/admin/api/core/panel/settings/runtime/sales/managerChatIds', {
      value: `${await max.id()}, -1001234`,
    });
    expect(put.status).toBe(200);
    const quinn = t.user('quinn', { first_name: 'Quinn', language_code: 'en' });
    await turn(quinn, '/start sales-course');
    expect((await turn(quinn, 'Sign me up please')).join('\n')).toContain(
      'A manager will contact you shortly',
    );
    const alert = await max.expectReply(/A client agreed to join and needs a manager/, { timeoutMs: 45_000 });
    expect(alert.text).toContain('education groups are turned off');
    expect(alert.text).toContain(`Telegram id ${await quinn.id()}`);
    // One durable job per manager chat (the unreachable group's job fails on its own).
    const jobs = await query(t, "SELECT data FROM botloom_jobs.job WHERE name = 'sales.manager-alert'");
    expect(jobs.map((j) => j.data.chatId).sort()).toEqual([-1001234, await max.id()].sort());
    expect(jobs.every((j) => j.data.reason === 'off')).toBe(true);
    const bad = await t.admin.put('/admin/api/core/panel/settings/runtime/sales/managerChatIds', {
      value: 'maria',
    });
    expect(bad.status).toBe(400);
    await t.admin.delete('/admin/api/core/panel/settings/runtime/sales/managerChatIds');
  });

  it('opens the conversation as soon as the client chooses the advisor in the /start menu', async () => {
    const ben = t.user('ben-menu', { first_name: 'Ben', language_code: 'en' });
    await ben.send('/start');
    await ben.expectReply(/Course advisor/, WAIT);
    await ben.press('🎓 Course advisor');
    const opening = await ben.expectReply(/automated advisor/, WAIT);
    expect(opening.text).toContain('Hi! I am the automated advisor of the course');
    // The first message is the answer to the opening, not a trigger for the greeting.
    const first = (await turn(ben, 'Hello!')).join('\n');
    expect(first).not.toContain('automated advisor');
    expect(first).toContain('Have you worked with data or spreadsheets before?');
  });

  it('speaks Russian to a Russian client (the course-ru script)', async () => {
    const boris = t.user('boris', { first_name: 'Борис', language_code: 'ru' });
    const [opening] = await turn(boris, '/start sales-course');
    expect(opening).toContain('Здравствуйте! Я автоматический консультант курса');
    expect((await turn(boris, 'Привет')).join('\n')).toContain('Вы уже работали с данными');
    expect((await turn(boris, 'немного')).join('\n')).toBe('Сколько часов в неделю вы могли бы учиться?');
    expect(await turn(boris, 'стоп')).toEqual([
      'Понял, я остановился. Я больше не напишу вам, пока вы не напишете сами.',
    ]);
  });

  it('/stop ends the conversation, and no follow-up is ever sent afterwards', async () => {
    const cleo = t.user('cleo', { first_name: 'Cleo', language_code: 'en' });
    await turn(cleo, '/start sales-course');
    await turn(cleo, 'Hi');
    await turn(cleo, 'never');
    await turn(cleo, '3 hours');
    const id = await cleo.id();
    const conversation = await conversationOf(id);
    expect(conversation.stage).toBe('needs');
    expect(await turn(cleo, '/stop')).toEqual([
      'Understood, I have stopped. I will not write to you again unless you write first.',
    ]);
    const jobs = await query(t, "SELECT data FROM botloom_jobs.job WHERE name = 'sales.follow-up'");
    const mine = jobs.map((j) => j.data).filter((d) => d.conversationId === conversation.id);
    expect(mine.length).toBeGreaterThan(0);
    now = new Date(now.getTime() + 48 * 3600_000);
    for (const data of mine) expect(await services().conversations.runFollowUp(data)).toBe(false);
    expect(
      (await t.admin.get(`/admin/api/sales/conversations/${conversation.id}`)).body.conversation.endReason,
    ).toBe('client_stop');
  });

  it('sends one follow-up after N hours of silence at a stage (durable job, injected clock)', async () => {
    const dan = t.user('dan', { first_name: 'Dan', language_code: 'en' });
    await turn(dan, '/start sales-course');
    await turn(dan, 'Hi');
    await turn(dan, 'a lot');
    await turn(dan, '10 hours');
    const conversation = await conversationOf(await dan.id());
    const jobs = await query(
      t,
      "SELECT data, start_after FROM botloom_jobs.job WHERE name = 'sales.follow-up' AND data->>'conversationId' = $1",
      [conversation.id],
    );
    // One after the opening (greeting), one after the reply at needs; the greeting's is void now.
    expect(jobs.map((j) => j.data.stage).sort()).toEqual(['greeting', 'needs']);
    const greeting = jobs.find((j) => j.data.stage === 'greeting')!;
    expect(await services().conversations.runFollowUp(greeting.data)).toBe(false);
    const job = jobs.find((j) => j.data.stage === 'needs');
    expect(job!.data.stage).toBe('needs');
    expect(new Date(job!.start_after).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000); // durable, a day ahead
    now = new Date(now.getTime() + 23 * 3600_000);
    expect(await services().conversations.runFollowUp(job!.data)).toBe(false); // not silent long enough
    now = new Date(now.getTime() + 2 * 3600_000);
    expect(await services().conversations.runFollowUp(job!.data)).toBe(true);
    await dan.expectReply(/Whenever you are ready, tell me what you would like data skills to change/);
    expect(await services().conversations.runFollowUp(job!.data)).toBe(false); // once per stage
  });

  it("a script's silence trigger follows up at stages without their own follow-up", async () => {
    const definition = {
      name: 'Webinar',
      startStage: 'hello',
      product: { name: 'Free webinar' },
      stages: [
        {
          id: 'hello',
          goal: 'Greet the client.',
          keyMessage: 'Hi! I am the automated advisor of the free webinar.',
          transitions: [{ to: 'done', when: { consent: true } }],
        },
        { id: 'done', goal: 'Done.', keyMessage: 'See you at the webinar.', final: true },
      ],
      triggers: [
        { on: 'silence', action: 'follow_up', afterHours: 6, text: 'Still thinking about the webinar?' },
      ],
    };
    expect((await t.admin.post('/admin/api/sales/scripts', { id: 'webinar', definition })).status).toBe(201);
    expect((await t.admin.post('/admin/api/sales/scripts/webinar/publish', {})).status).toBe(201);
    // A second silence trigger is refused with its path.
    const twice = await t.admin.put('/admin/api/sales/scripts/webinar/draft', {
      definition: { ...definition, triggers: [...definition.triggers, ...definition.triggers] },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.details.issues).toContainEqual({
      path: 'triggers.1.on',
      message: 'only one silence trigger per script',
    });

    const fay = t.user('fay', { first_name: 'Fay', language_code: 'en' });
    expect((await turn(fay, '/start sales-webinar')).join('\n')).toContain(
      'automated advisor of the free webinar',
    );
    const conversation = await conversationOf(await fay.id());
    const [job] = await query(
      t,
      "SELECT data, start_after FROM botloom_jobs.job WHERE name = 'sales.follow-up' AND data->>'conversationId' = $1",
      [conversation.id],
    );
    expect(job!.data.stage).toBe('hello');
    now = new Date(now.getTime() + 5 * 3600_000);
    expect(await services().conversations.runFollowUp(job!.data)).toBe(false); // not silent long enough
    now = new Date(now.getTime() + 2 * 3600_000);
    expect(await services().conversations.runFollowUp(job!.data)).toBe(true);
    await fay.expectReply('Still thinking about the webinar?');
  });

  it('lets an operator take over, write as the operator, and resume', async () => {
    const eve = t.user('eve', { first_name: 'Eve', language_code: 'en' });
    await turn(eve, '/start sales-course');
    const conversation = await conversationOf(await eve.id());
    expect((await t.viewer.post(`/admin/api/sales/conversations/${conversation.id}/takeover`)).status).toBe(
      403,
    );
    expect(
      (await t.admin.post(`/admin/api/sales/conversations/${conversation.id}/messages`, { text: 'hi' })).body
        .error.code,
    ).toBe('CONVERSATION_NOT_TAKEN_OVER');
    const taken = await t.admin.post(`/admin/api/sales/conversations/${conversation.id}/takeover`);
    expect(taken.body.conversation).toMatchObject({ status: 'paused', takenOverBy: 'test-admin' });
    expect(await turn(eve, 'Is anybody there?')).toEqual([]);
    const sent = await t.admin.post(`/admin/api/sales/conversations/${conversation.id}/messages`, {
      text: 'Hi Eve, Maria here.',
    });
    expect(sent.status).toBe(201);
    await eve.expectReply('👤 Manager: Hi Eve, Maria here.');
    expect(
      (await t.admin.post(`/admin/api/sales/conversations/${conversation.id}/resume`)).body.conversation
        .status,
    ).toBe('active');
    expect((await turn(eve, 'Hello')).join('\n')).toContain('Have you worked with data');
    const detail = await t.admin.get(`/admin/api/sales/conversations/${conversation.id}`);
    expect(detail.body.messages.map((m: { author: string }) => m.author)).toEqual([
      'bot',
      'client',
      'operator',
      'client',
      'bot',
    ]);
    expect(detail.body.messages[1].analysisStatus).toBe('skipped');
  });

  it('refuses an oversized message with a clear reply', async () => {
    const fay = t.user('fay', { first_name: 'Fay', language_code: 'en' });
    await turn(fay, '/start sales-course');
    expect(await turn(fay, 'x'.repeat(4001))).toEqual([
      'Your message is too long (at most 4000 characters). Please shorten it.',
    ]);
  });

  it('hands a consenting client to the education port when one is plugged in', async () => {
    const offers: unknown[] = [];
    services().setEducation({
      offer: async (input) => {
        offers.push(input);
        return { status: 'invited', inviteLink: 'https://t.me/+single-use-link', groupChatId: -100123 };
      },
    });
    try {
      const ivy = t.user('ivy', { first_name: 'Ivy', language_code: 'en' });
      await turn(ivy, '/start sales-course');
      const reply = await turn(ivy, 'I already decided, sign me up');
      expect(reply.at(-1)).toBe(
        'Great! Here is your personal invitation to the study group (it works once): https://t.me/+single-use-link',
      );
      expect(offers).toEqual([
        expect.objectContaining({
          userId: await ivy.id(),
          scriptId: 'course',
          scriptVersion: 1,
          locale: 'en',
        }),
      ]);
      const conversation = await conversationOf(await ivy.id(), 'ended');
      expect(conversation).toMatchObject({ educationStatus: 'invited', endReason: 'education' });
    } finally {
      services().setEducation(undefined);
    }
  });

  it("keeps the chat after request_chat, so the client's chat_shared answer reaches the education part", async () => {
    services().setEducation({ offer: async () => ({ status: 'request_chat' }) });
    try {
      const s = services().conversations;
      await s.begin({ userId: 777_001, chatId: 777_001, locale: 'en', slug: 'course' });
      const outcome = await s.handleClientMessage({
        userId: 777_001,
        chatId: 777_001,
        locale: 'en',
        text: 'Sign me up',
      });
      expect(outcome).toMatchObject({
        status: 'ended',
        released: false,
        replies: ['Wonderful, welcome aboard!'],
      });
    } finally {
      services().setEducation(undefined);
    }
  });

  it('reads the strategy threshold on every message: a runtime setting applies at once', async () => {
    const hal = t.user('hal', { first_name: 'Hal', language_code: 'en' });
    await turn(hal, '/start sales-course');
    const set = (value: number) =>
      t.admin.put('/admin/api/core/panel/settings/runtime/sales/strategyThreshold', { value });
    expect((await set(1)).status).toBe(200);
    await turn(hal, 'Hello');
    expect((await set(0)).status).toBe(200);
    await turn(hal, 'a little');
    await t.admin.delete('/admin/api/core/panel/settings/runtime/sales/strategyThreshold');
    const rows = await query(
      t,
      "SELECT m.strategy FROM sales_conversation_messages m JOIN sales_client_conversations c ON c.id = m.conversation_id WHERE c.user_id = $1 AND m.author = 'client' ORDER BY m.id",
      [await hal.id()],
    );
    expect(rows.map((r) => r.strategy)).toEqual(['free_20', 'script_80']);
  });

  it('erases everything about a client for /delete_my_data', async () => {
    const fay = t.user('fay', { first_name: 'Fay', language_code: 'en' });
    const id = await fay.id();
    expect(
      (
        await query(t, 'SELECT count(*)::int AS n FROM sales_client_conversations WHERE user_id = $1', [id])
      )[0]!.n,
    ).toBeGreaterThan(0);
    await services().store.eraseUser(id);
    for (const table of [
      'sales_client_conversations',
      'sales_journey_progress',
      'sales_diagnostic_results',
    ]) {
      expect((await query(t, `SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [id]))[0]!.n).toBe(
        0,
      );
    }
  });
});
