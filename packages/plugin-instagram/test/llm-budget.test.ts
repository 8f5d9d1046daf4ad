/**
 * A DM whose AI reply the LLM budget refuses, through signed webhooks, the fake OpenAI server
 * and the fake Graph API: the refusal is not a fault to retry. The delivery is processed in one
 * run of its lane job, the thread goes to a person with the reason `budget` (the inbox shows
 * it), nothing reaches the model past the budget, and the log has a warning, no error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type InstagramTestApp, startInstagramTestApp } from './support/instagram-test-app.js';

let t: InstagramTestApp;
/** Each fake model call costs exactly this many tokens. */
const CALL_TOKENS = 100;

beforeAll(async () => {
  t = await startInstagramTestApp({}, {}, { openai: true, config: { LOG_LEVEL: 'warn' } });
  const usage = { prompt_tokens: 80, completion_tokens: 20 };
  const openai = t.app.openai!;
  openai.script({
    match: { purpose: 'instagram.analyze' },
    reply: { content: { sentiment: 'neutral', intent: 'question', confidence: 0.9 }, usage },
  });
  openai.script({
    match: { purpose: 'instagram.reply' },
    reply: { content: 'We ship to Porto, yes.', usage },
  });
});
afterAll(() => t?.stop());

/** Generous: the CI machine is a busy 2-core box. */
const WAIT_MS = 120_000;
const chatCalls = (purpose?: string) =>
  t.app.openai!.chatRequests.filter((r) => r.status === 200 && (!purpose || r.purpose === purpose)).length;
const deliveryOf = (mid: string) =>
  t.waitFor(
    async () => {
      const [row] = await t.query<{ id: string; status: string; attempts: number }>(
        `SELECT d.id::text, d.status, d.attempts FROM instagram_deliveries d
           JOIN instagram_events e ON e.delivery_id = d.id WHERE e.dedupe_key = $1`,
        [`msg:${mid}`],
      );
      return row?.status === 'processed' && row;
    },
    `delivery of ${mid} processed`,
    WAIT_MS,
  );
const laneJobsOf = (deliveryId: string) =>
  t.query<{ name: string; state: string; retry_count: number }>(
    `SELECT name, state, retry_count FROM botloom_jobs.job
      WHERE name LIKE 'instagram.process-%' AND data->>'deliveryId' = $1`,
    [deliveryId],
  );
const decisionOf = async (mid: string) =>
  (
    await t.query<{ action: string; reason: string }>(
      `SELECT d.action, d.reason FROM instagram_decisions d JOIN instagram_messages m ON m.id = d.message_id WHERE m.mid = $1`,
      [mid],
    )
  )[0];
const tokensOf = async (igsid: string) =>
  (
    await t.query<{ used: number }>(
      `SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0)::int AS used FROM core_llm_usage WHERE user_id = $1`,
      [igsid],
    )
  )[0]!.used;
const logs = async (level: 'warn' | 'error') => {
  const res = await t.app.admin.get(`/admin/api/core/panel/logs?level=${level}&limit=1000`);
  expect(res.status).toBe(200);
  return res.body.entries as Array<{ level: string; msg: string; fields: Record<string, unknown> }>;
};

describe('an AI reply over the LLM budget', () => {
  it('answers a customer with budget left through the model (the fake works)', async () => {
    const { mid } = await t.sender.message('7001', 'Do you ship to Lisbon?');
    const sent = await t.graph.waitForSent((m) => m.recipient === '7001', WAIT_MS);
    expect(sent.text).toBe('We ship to Porto, yes.');
    await deliveryOf(mid);
    expect(chatCalls('instagram.reply')).toBe(1);
  }, 300_000);

  it('hands the thread to a person, processes the delivery once and retries nothing', async () => {
    const igsid = '7002';
    // The customer's daily budget for this plugin, as an admin sets one: one call's worth.
    await t.query(
      `INSERT INTO core_llm_budgets (plugin, user_id, daily_tokens, updated_at) VALUES ('instagram', $1, $2, now())`,
      [igsid, CALL_TOKENS],
    );
    const callsBefore = chatCalls();
    const { mid } = await t.sender.message(igsid, 'Do you ship to Porto? My card ends 4242');
    const delivery = await deliveryOf(mid);

    // The analysis spent the budget; the reply was refused before it reached the model.
    expect(chatCalls() - callsBefore).toBe(1);
    expect(chatCalls('instagram.reply')).toBe(1);
    expect(await tokensOf(igsid)).toBeLessThanOrEqual(CALL_TOKENS);

    // One run of one lane job, completed without a retry.
    expect(delivery.attempts).toBe(1);
    const jobs = await t.waitFor(
      async () => {
        const rows = await laneJobsOf(delivery.id);
        return rows.length > 0 && rows.every((j) => j.state === 'completed') && rows;
      },
      'the lane job completed',
      WAIT_MS,
    );
    expect(jobs.map((j) => ({ name: j.name.replace(/\d+$/, 'N'), retry_count: j.retry_count }))).toEqual([
      { name: 'instagram.process-lane-N', retry_count: 0 },
    ]);

    // Nothing went to the customer; the inbox shows the thread waiting for a person, and why.
    expect(t.graph.sentTo(igsid)).toEqual([]);
    expect(await decisionOf(mid)).toMatchObject({ action: 'ai_reply' });
    expect((await decisionOf(mid))!.reason).toMatch(/LLM budget \(instagram\): handed to a person/);
    const inbox = await t.app.admin.get(api('/conversations?status=handoff'));
    const thread = (inbox.body.items as Array<Record<string, any>>).find((c) => c.igsid === igsid);
    expect(thread).toMatchObject({ status: 'handoff', handoffReason: 'budget' });
    expect(thread!.handoffNote.en).toMatch(/budget/i);
    expect(thread!.handoffNote.ru).toMatch(/LLM/);

    // A warning with ids, never the customer's words; no error line at all.
    const warning = (await logs('warn')).find((l) => /refused by the LLM budget/.test(l.msg));
    expect(warning).toMatchObject({ level: 'warn', fields: { scope: 'instagram', limit: CALL_TOKENS } });
    expect(JSON.stringify(warning)).not.toMatch(/Porto|4242/);
    expect(await logs('error')).toEqual([]);

    // The next DM waits for the person: no model call (the analysis falls back offline), no reply.
    const next = await t.sender.message(igsid, 'Hello? Porto?');
    await deliveryOf(next.mid);
    expect(await decisionOf(next.mid)).toMatchObject({ action: 'paused' });
    expect(chatCalls() - callsBefore).toBe(1);
    expect(t.graph.sentTo(igsid)).toEqual([]);
    expect(await logs('error')).toEqual([]);

    // A draft asked for from the panel is refused by name, not with a 500.
    const draft = await t.app.admin.post(api(`/conversations/${thread!.id}/ai-reply`), {});
    expect(draft.status).toBe(409);
    expect(draft.body.error).toMatchObject({ code: 'LLM_BUDGET_EXCEEDED', details: { scope: 'instagram' } });
    expect(chatCalls() - callsBefore).toBe(1);
    expect(await logs('error')).toEqual([]);

    // Handed back, the reason is gone.
    const back = await t.app.admin.post(api(`/conversations/${thread!.id}/hand-back`));
    expect(back.status).toBe(200);
    expect(back.body.conversation).toMatchObject({
      status: 'active',
      handoffReason: null,
      handoffNote: null,
    });
  }, 600_000);
});

describe("an admin's own AI calls (chat completion, plan drafts)", () => {
  /** The test app's admin token is named `test-admin`: its budget subject. */
  const ADMIN = 'admin:test-admin';
  const setAdminBudget = (tokens: number) =>
    t.query(
      `INSERT INTO core_llm_budgets (plugin, user_id, daily_tokens, updated_at) VALUES ('instagram', $1, $2, now())
       ON CONFLICT (plugin, user_id) DO UPDATE SET daily_tokens = EXCLUDED.daily_tokens`,
      [ADMIN, tokens],
    );
  const usageOf = (user: string) =>
    t.query<{ purpose: string; tokens: number }>(
      `SELECT purpose, SUM(prompt_tokens + completion_tokens)::int AS tokens FROM core_llm_usage
        WHERE user_id = $1 GROUP BY purpose ORDER BY purpose`,
      [user],
    );
  const chat = () =>
    t.app.admin.post(api('/ai/chat-completion'), { messages: [{ role: 'user', content: 'Say hi' }] });
  const draftPlan = () => t.app.admin.post(api('/agent/plans'), { goal: 'Tag the buyers' });
  const expectRefused = (res: Awaited<ReturnType<typeof chat>>) => {
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.body.error).toMatchObject({ code: 'LLM_BUDGET_EXCEEDED', details: { scope: 'instagram' } });
  };

  beforeAll(() => {
    const usage = { prompt_tokens: 80, completion_tokens: 20 };
    const openai = t.app.openai!;
    openai.script({ match: { purpose: 'instagram.chat' }, reply: { content: 'Hi.', usage } });
    openai.script({
      match: { purpose: 'instagram.plan' },
      reply: { content: { name: 'Tag buyers', steps: [{ tool: 'report' }] }, usage },
    });
  });

  it('spend the admin budget and are refused with 429 once it is spent, before the model', async () => {
    await setAdminBudget(CALL_TOKENS);
    expect((await chat()).status).toBe(200);
    const calls = chatCalls();
    expectRefused(await draftPlan());
    expectRefused(await chat());
    expect(chatCalls()).toBe(calls);
    expect(await usageOf(ADMIN)).toEqual([{ purpose: 'instagram.chat', tokens: CALL_TOKENS }]);

    // One more call's worth: the plan draft goes through and spends it too.
    await setAdminBudget(2 * CALL_TOKENS);
    expect((await draftPlan()).status).toBe(201);
    expectRefused(await chat());
    expect(await usageOf(ADMIN)).toEqual([
      { purpose: 'instagram.chat', tokens: CALL_TOKENS },
      { purpose: 'instagram.plan', tokens: CALL_TOKENS },
    ]);
    expect(await logs('error')).toEqual([]);
  }, 300_000);
});
