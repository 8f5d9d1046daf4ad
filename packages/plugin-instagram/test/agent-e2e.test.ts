/**
 * The agent through its admin API and signed webhooks: rules, handoff, search, plans,
 * experiments and analytics, with a scripted LLM (core's ScriptedLlm) behind every call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ASSISTANT_REPLY,
  api,
  type InstagramTestApp,
  scriptedAssistant,
  startInstagramTestApp,
} from './support/instagram-test-app.js';

let t: InstagramTestApp;
const llm = scriptedAssistant();

beforeAll(async () => {
  t = await startInstagramTestApp({}, {}, { services: { llm } });
});
afterAll(() => t?.stop());

const decisionOf = async (mid: string) =>
  (
    await t.query<{ action: string; rule_name: string | null; reason: string }>(
      `SELECT d.action, d.rule_name, d.reason FROM instagram_decisions d JOIN instagram_messages m ON m.id = d.message_id WHERE m.mid = $1`,
      [mid],
    )
  )[0];
const conversationOf = async (igsid: string) =>
  (await t.query<{ id: string }>('SELECT id FROM instagram_conversations WHERE thread_id = $1', [igsid]))[0]!
    .id;

describe('auto-reply rules', () => {
  it('fires a template rule and records the decision with its rule', async () => {
    const created = await t.app.admin.post(api('/agent/rules'), {
      name: 'Prices',
      priority: 200,
      conditions: { keywords: { mode: 'word', values: ['price', 'цена'] } },
      action: { type: 'template', text: 'Our price list: example.com/prices' },
      cooldownSeconds: 3600,
    });
    expect(created.status).toBe(201);
    const { mid } = await t.sender.message('9101', 'What is the price of the blue one?');
    const sent = await t.graph.waitForSent((m) => m.recipient === '9101');
    expect(sent.text).toBe('Our price list: example.com/prices');
    await t.handled(mid);
    expect(await decisionOf(mid)).toMatchObject({ action: 'template', rule_name: 'Prices' });

    // The cooldown: the same rule does not fire again in this thread; the default AI reply answers.
    const { mid: second } = await t.sender.message('9101', 'And the price of the red one?');
    await t.handled(second);
    expect(await decisionOf(second)).toMatchObject({ action: 'ai_reply', rule_name: null });
    await t.graph.waitForSent((m) => m.recipient === '9101' && m.text === ASSISTANT_REPLY);
  });

  it('hands a thread to a person, stays silent until it is handed back', async () => {
    const rule = await t.app.admin.post(api('/agent/rules'), {
      name: 'Wants a person',
      priority: 300,
      conditions: { keywords: { mode: 'contains', values: ['operator', 'оператор'] } },
      action: { type: 'handoff', message: 'A teammate will answer you here soon.' },
    });
    expect(rule.status).toBe(201);
    await t.sender.message('9102', 'Can I talk to an operator please');
    await t.graph.waitForSent((m) => m.recipient === '9102' && /teammate/.test(m.text ?? ''));
    const id = await conversationOf('9102');
    expect((await t.app.admin.get(api(`/conversations/${id}/context`))).body.status).toBe('handoff');

    const { mid } = await t.sender.message('9102', 'Hello? Anyone?');
    await t.handled(mid);
    expect(await decisionOf(mid)).toMatchObject({ action: 'paused' });
    expect(t.graph.sentTo('9102')).toHaveLength(1);

    expect((await t.app.admin.post(api(`/conversations/${id}/hand-back`))).status).toBe(200);
    await t.sender.message('9102', 'Thanks, one more question');
    await t.graph.waitForSent((m) => m.recipient === '9102' && m.text === ASSISTANT_REPLY);
  });

  it('refuses bad rule definitions with the path, and unknown ids with 404', async () => {
    const bad = await t.app.admin.post(api('/agent/rules'), { name: 'x', action: { type: 'template' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INSTAGRAM_INVALID_RULE');
    expect(bad.body.error.details.issues[0].path).toBe('action.text');
    const hours = await t.app.admin.post(api('/agent/rules'), {
      name: 'x',
      action: { type: 'no_reply' },
      conditions: { businessHours: { inside: true, from: '9:00', to: '18:00' } },
    });
    expect(hours.status).toBe(400);
    expect(hours.body.error.details.issues[0].path).toBe('conditions.businessHours.from');
    expect((await t.app.admin.get(api('/agent/rules/00000000-0000-4000-8000-000000000000'))).status).toBe(
      404,
    );
    expect((await t.app.admin.get(api('/agent/rules/not-a-uuid'))).status).toBe(404);
    expect(
      (await t.app.admin.get(api('/conversations/00000000-0000-4000-8000-000000000000/history'))).status,
    ).toBe(404);
    expect(
      (await t.app.viewer.post(api('/agent/rules'), { name: 'v', action: { type: 'no_reply' } })).status,
    ).toBe(403);
  });
});

describe('search', () => {
  it('finds messages in Russian and English by stem', async () => {
    const { mid: ru } = await t.sender.message('9201', 'Хочу заказать доставку цветов');
    const { mid: en } = await t.sender.message('9202', 'I am ordering flowers for delivery');
    await t.handled(ru);
    await t.handled(en);
    const rus = await t.app.admin.get(api(`/search?q=${encodeURIComponent('доставкой')}`));
    expect(rus.status).toBe(200);
    expect(rus.body.items.map((m: { threadId: string }) => m.threadId)).toContain('9201');
    const eng = await t.app.admin.get(api('/search?q=order'));
    expect(eng.body.items.map((m: { threadId: string }) => m.threadId)).toContain('9202');
    expect((await t.app.admin.get(api('/search?q='))).status).toBe(422);
    // Viewers see metadata only: no search, no message text.
    expect((await t.app.viewer.get(api('/search?q=order'))).status).toBe(403);
    const id = await conversationOf('9202');
    const asViewer = await t.app.viewer.get(api(`/conversations/${id}/history`));
    expect(asViewer.body.messages[0]).toMatchObject({ text: null, direction: 'in' });
    const asAdmin = await t.app.admin.get(api(`/conversations/${id}/history`));
    expect(asAdmin.body.messages[0].text).toBe('I am ordering flowers for delivery');
  });
});

describe('agent plans', () => {
  it('drafts, is approved, runs with progress, and messages only users inside the window', async () => {
    const { mid: recent } = await t.sender.message('9301', 'I may buy the lamp');
    const { mid: old } = await t.sender.message('9302', 'I may buy the chair', {
      at: new Date(Date.now() - 30 * 3600_000),
    });
    await t.handled(recent);
    await t.handled(old);
    const before = { recent: t.graph.sentTo('9301').length, old: t.graph.sentTo('9302').length };
    llm.script({
      match: { purpose: 'instagram.plan' },
      data: {
        name: 'Nudge buyers',
        steps: [
          { tool: 'tag_users', audience: { intent: 'purchase' }, tags: ['buyer'] },
          { tool: 'send_template', audience: { tag: 'buyer' }, text: 'Our lamps are 10% off today.' },
          { tool: 'report' },
        ],
      },
      times: 1,
    });
    const drafted = await t.app.admin.post(api('/agent/plans'), {
      goal: 'Nudge people who want to buy',
      constraints: ['be polite'],
    });
    expect(drafted.status).toBe(201);
    const plan = drafted.body.plan;
    expect(plan.status).toBe('draft');
    expect(plan.steps).toHaveLength(3);
    expect((await t.app.viewer.post(api(`/agent/plans/${plan.id}/execute`))).status).toBe(403);
    expect((await t.app.admin.post(api(`/agent/plans/${plan.id}/execute`))).body.plan.status).toBe('running');
    const done = await t.waitFor(async () => {
      const s = await t.app.admin.get(api(`/agent/plans/${plan.id}/status`));
      return s.body.status === 'done' && s.body;
    }, 'the plan to finish');
    expect(done.progress).toBe(1);
    // 9302 wrote 30 hours ago: skipped before anything is queued.
    expect(done.report.steps[1].tool).toBe('send_template');
    expect(done.report.steps[1].queued).toBeGreaterThanOrEqual(1);
    expect(done.report.steps[1].skippedOutsideWindow).toBeGreaterThanOrEqual(1);
    await t.graph.waitForSent((m) => m.recipient === '9301' && m.text === 'Our lamps are 10% off today.');
    expect(t.graph.sentTo('9302')).toHaveLength(before.old);
    expect(t.graph.sentTo('9302').some((m) => m.text?.includes('lamps'))).toBe(false);
  });

  it('is cancelled midway: later steps never run', async () => {
    llm.script({
      match: { purpose: 'instagram.plan' },
      data: {
        name: 'Follow up later',
        steps: [
          { tool: 'tag_users', audience: { tag: 'buyer' }, tags: ['followed'] },
          {
            tool: 'schedule_follow_up',
            audience: { tag: 'buyer' },
            text: 'Still interested?',
            delayHours: 2,
          },
          { tool: 'report' },
        ],
      },
      times: 1,
    });
    const { plan } = (await t.app.admin.post(api('/agent/plans'), { goal: 'Follow up with buyers' })).body;
    await t.app.admin.post(api(`/agent/plans/${plan.id}/execute`));
    await t.waitFor(
      async () => (await t.app.admin.get(api(`/agent/plans/${plan.id}/status`))).body.progress > 0,
      'step 1',
    );
    const cancelled = await t.app.admin.post(api(`/agent/plans/${plan.id}/cancel`));
    expect(cancelled.body.plan.status).toBe('cancelled');
    const status = (await t.app.admin.get(api(`/agent/plans/${plan.id}/status`))).body;
    expect(status.progress).toBeCloseTo(1 / 3);
    expect(status.report.steps[2]).toBeUndefined();
    const again = await t.app.admin.post(api(`/agent/plans/${plan.id}/cancel`));
    expect([again.status, again.body.error.code]).toEqual([409, 'INSTAGRAM_PLAN_FINISHED']);
    const rerun = await t.app.admin.post(api(`/agent/plans/${plan.id}/execute`));
    expect([rerun.status, rerun.body.error.code]).toEqual([409, 'INSTAGRAM_PLAN_NOT_DRAFT']);
  });
});

describe('experiments and analytics', () => {
  it('assigns a sticky template variant and reports results without a winner below the minimum sample', async () => {
    const rule = await t.app.admin.post(api('/agent/rules'), {
      name: 'Greeting template',
      priority: 500,
      conditions: { keywords: { mode: 'contains', values: ['hello shop'] } },
      action: { type: 'template', text: 'fallback' },
    });
    expect(rule.status).toBe(201);
    const created = await t.app.admin.post(api('/experiments'), {
      name: 'Greeting',
      kind: 'template',
      metric: 'reply',
      variants: [
        { key: 'a', text: 'Hi! How can I help?' },
        { key: 'b', text: 'Hello! What are you looking for today?' },
      ],
      minSample: 50,
    });
    expect(created.status).toBe(201);
    const id = created.body.experiment.id;
    await t.sender.message('9401', 'hello shop');
    const first = await t.graph.waitForSent((m) => m.recipient === '9401');
    await t.sender.message('9401', 'hello shop again');
    await t.graph.waitForSent((m) => m.recipient === '9401' && m !== first);
    const texts = t.graph.sentTo('9401').map((m) => m.text);
    expect(new Set(texts).size).toBe(1);
    expect(['Hi! How can I help?', 'Hello! What are you looking for today?']).toContain(texts[0]);

    const results = (await t.app.admin.get(api(`/experiments/${id}/results`))).body;
    expect(results.enoughSample).toBe(false);
    expect(results.winner).toBeNull();
    const exposed = results.variants.reduce((n: number, v: { exposed: number }) => n + v.exposed, 0);
    expect(exposed).toBe(1);
    const stopped = await t.app.admin.post(api(`/experiments/${id}/stop`), { promote: 'b' });
    expect(stopped.body.experiment).toMatchObject({ status: 'stopped', winner: 'b' });
    expect((await t.app.admin.post(api(`/experiments/${id}/stop`), { promote: 'zzz' })).status).toBe(400);
    expect(
      (
        await t.app.admin.post(api('/experiments'), {
          name: 'x',
          kind: 'template',
          metric: 'reply',
          variants: [],
        })
      ).status,
    ).toBe(400);
  });

  it('answers the analytics endpoints', async () => {
    const conv = await t.app.admin.get(api('/analytics/conversations'));
    expect(conv.status).toBe(200);
    expect(conv.body.replies.bot).toBeGreaterThan(0);
    expect(conv.body.replies.aiShare).toBeGreaterThan(0);
    expect(conv.body.perDay.length).toBeGreaterThan(0);
    expect(conv.body.responseSeconds.samples).toBeGreaterThan(0);
    expect(conv.body.conversions.some((c: { kind: string }) => c.kind === 'intent:purchase')).toBe(true);
    const users = await t.app.viewer.get(api('/analytics/users'));
    expect(users.body.total).toBeGreaterThan(5);
    const perf = await t.app.admin.get(api('/agent/performance'));
    expect(perf.body.rules.some((r: { rule_name: string }) => r.rule_name === 'Prices')).toBe(true);
    expect(perf.body.plans.length).toBeGreaterThan(0);
    expect(
      (await t.app.admin.get(api('/analytics/conversations?from=2026-02-01&to=2026-01-01'))).status,
    ).toBe(400);
  });

  it('applies rule-based segments', async () => {
    const res = await t.app.admin.post(api('/users/segment'), {
      name: 'buyers',
      criteria: { intent: 'purchase' },
    });
    expect(res.status).toBe(200);
    expect(res.body.matched).toBeGreaterThanOrEqual(2);
    expect(
      (await t.app.admin.post(api('/users/segment'), { name: 'x', criteria: { minMessages: -1 } })).status,
    ).toBe(400);
    const list = await t.app.admin.get(api('/users?segment=buyers'));
    expect(list.body.total).toBe(res.body.matched);
  });

  it('clusters users by behaviour with core KMeans, next to the rule-based segments', async () => {
    const [{ n: users }] = await t.query<{ n: number }>('SELECT count(*)::int AS n FROM instagram_users');
    expect(users).toBeGreaterThanOrEqual(3);
    const buyersBefore = (await t.app.admin.get(api('/users?segment=buyers'))).body.total;

    const run = await t.app.admin.post(api('/users/clusters'), { k: 2, seed: 3 });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ k: 2, seed: 3, users });
    const clusters = run.body.clusters as Array<{ name: string; users: number; avgMessages: number }>;
    expect(clusters.map((c) => c.name)).toEqual(['cluster-1', 'cluster-2']);
    expect(clusters[0].users + clusters[1].users).toBe(users);
    expect(clusters[0].users).toBeGreaterThanOrEqual(clusters[1].users);

    // Stored per user: the users list filters by cluster, the averages match the stored features.
    for (const cluster of clusters) {
      const members = await t.app.admin.get(api(`/users?cluster=${cluster.name}&limit=200`));
      expect(members.body.total).toBe(cluster.users);
      const counts = await t.query<{ m: number }>(
        `SELECT COALESCE(c.message_count, 0)::int AS m FROM instagram_users u
           LEFT JOIN instagram_conversations c ON c.user_id = u.id WHERE u.cluster = $1`,
        [cluster.name],
      );
      expect(cluster.avgMessages).toBeCloseTo(counts.reduce((s, r) => s + r.m, 0) / counts.length, 9);
    }

    // The segments page lists both kinds; rule-based segments are untouched.
    const page = await t.app.admin.get(api('/users/segments'));
    const kinds = new Set((page.body.items as Array<{ kind: string }>).map((i) => i.kind));
    expect(kinds).toEqual(new Set(['rule', 'cluster']));
    const onlyClusters = await t.app.admin.get(api('/users/segments?kind=cluster'));
    expect(
      (onlyClusters.body.items as Array<{ id: string; users: number }>).map((i) => [i.id, i.users]),
    ).toEqual(clusters.map((c) => [`cluster:${c.name}`, c.users]));
    expect((await t.app.admin.get(api('/users?segment=buyers'))).body.total).toBe(buyersBefore);
    expect((await t.app.admin.get(api('/users/segments?kind=other'))).status).toBe(422);

    // Same seed, same members (recency moves with the clock); more clusters than users is a 400.
    const membersOf = async (name: string) =>
      (
        await t.query<{ igsid: string }>(
          'SELECT igsid FROM instagram_users WHERE cluster = $1 ORDER BY igsid',
          [name],
        )
      ).map((r) => r.igsid);
    const before = await Promise.all(clusters.map((c) => membersOf(c.name)));
    const again = await t.app.admin.post(api('/users/clusters'), { k: 2, seed: 3 });
    expect(again.body.clusters.map((c: { users: number }) => c.users)).toEqual(clusters.map((c) => c.users));
    expect(await Promise.all(clusters.map((c) => membersOf(c.name)))).toEqual(before);
    if (users < 8) {
      const tooMany = await t.app.admin.post(api('/users/clusters'), { k: 8 });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.code).toBe('INSTAGRAM_NOT_ENOUGH_USERS');
    }
  });
});
