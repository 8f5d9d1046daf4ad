/**
 * The rule form's shape on the API (conditions as rows) and the conversion report behind the
 * panel's charts: conversions per day, and per rule and plan the threads reached and converted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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

describe('rules in the form shape', () => {
  it('takes conditions as rows, answers them back as rows, and names a bad row input', async () => {
    const rows = [
      { kind: 'keywords', values: ['price'], mode: 'word', caseSensitive: false, not: false },
      {
        kind: 'businessHours',
        values: [],
        mode: 'word',
        not: true,
        from: '09:00',
        to: '18:00',
        days: '1, 2,3',
      },
    ];
    const created = await t.app.admin.post(api('/agent/rules'), {
      name: 'Form-made',
      enabled: false,
      conditionRows: rows,
      // A form sends every action input; the ones left empty are not the action's.
      action: { type: 'template', text: 'From the form', instructions: '', tags: [] },
    });
    expect(created.status).toBe(201);
    expect(created.body.rule.conditions).toEqual({
      keywords: { mode: 'word', values: ['price'], caseSensitive: false },
      businessHours: { inside: false, days: [1, 2, 3], from: '09:00', to: '18:00' },
    });
    expect(created.body.rule.action).toEqual({ type: 'template', text: 'From the form' });
    expect(created.body.rule.conditionRows).toEqual([
      { kind: 'keywords', values: ['price'], mode: 'word', caseSensitive: false },
      { kind: 'businessHours', not: true, days: '1,2,3', from: '09:00', to: '18:00' },
    ]);
    const id = created.body.rule.id as string;
    const detail = await t.app.viewer.get(api(`/agent/rules/${id}`));
    expect(detail.body.rule.conditionRows).toEqual(created.body.rule.conditionRows);

    const refused = async (body: Record<string, unknown>) => {
      const res = await t.app.admin.put(api(`/agent/rules/${id}`), {
        name: 'Form-made',
        action: { type: 'no_reply' },
        ...body,
      });
      expect([res.status, res.body.error.code]).toEqual([400, 'INSTAGRAM_INVALID_RULE']);
      return [res.body.error.details.field, res.body.error.message];
    };
    expect(
      await refused({ conditionRows: [{ kind: 'intents', values: ['a'] }, { kind: 'intents' }] }),
    ).toEqual([
      'conditionRows.1.kind',
      'Condition 2: a second "intents" condition; put all its values in row 1',
    ]);
    expect((await refused({ conditionRows: [{ kind: 'timeOfDay', from: '25:00', to: '10:00' }] }))[0]).toBe(
      'conditionRows.0.from',
    );
    expect((await refused({ conditionRows: [{ kind: 'sentiments', values: ['happy'] }] }))[0]).toBe(
      'conditionRows.0.values',
    );
    expect(await refused({ conditionRows: [{ kind: 'intents', values: ['a'], from: '10:00' }] })).toEqual([
      'conditionRows.0.from',
      'Condition 1: "from" is not used by the intents condition',
    ]);
    expect((await refused({ conditionRows: [{ kind: 'mood' }] }))[0]).toBe('conditionRows.0.kind');
    expect((await refused({ conditionRows: [], conditions: {} }))[0]).toBe('conditionRows');
    // An input the chosen action does not use is named on that input.
    expect(await refused({ action: { type: 'ai_reply', text: 'left over' } })).toEqual([
      'action.text',
      "Invalid rule at action.text: Unrecognized key(s) in object: 'text'",
    ]);
    expect(
      (await t.app.viewer.put(api(`/agent/rules/${id}`), { name: 'v', action: { type: 'no_reply' } })).status,
    ).toBe(403);
    expect((await t.app.admin.delete(api(`/agent/rules/${id}`))).status).toBe(204);
  });
});

describe('conversions', () => {
  it('counts conversions per day, and for each rule and plan the threads reached and converted after', async () => {
    const rule = await t.app.admin.post(api('/agent/rules'), {
      name: 'Prices',
      conditionRows: [{ kind: 'keywords', values: ['price'], mode: 'word' }],
      action: { type: 'template', text: 'Our prices: example.com' },
    });
    expect(rule.status).toBe(201);
    // A, B and D ask the price (the rule answers); C orders straight away (a conversion, no rule).
    for (const igsid of ['7001', '7002', '7004']) {
      await t.sender.message(igsid, 'What is the price?');
      await t.graph.waitForSent((m) => m.recipient === igsid && m.text === 'Our prices: example.com');
    }
    await t.handled((await t.sender.message('7001', 'I want to buy it')).mid);
    await t.handled((await t.sender.message('7003', 'I want to order one')).mid);

    // A plan messages everyone who asked the price; B buys after it, A had bought before.
    llm.script({
      match: { purpose: 'instagram.plan' },
      data: {
        name: 'Price askers',
        steps: [{ tool: 'send_template', audience: { intent: 'pricing' }, text: 'Sale today!' }],
      },
      times: 1,
    });
    const plan = (await t.app.admin.post(api('/agent/plans'), { goal: 'Nudge the price askers' })).body.plan;
    expect((await t.app.admin.post(api(`/agent/plans/${plan.id}/execute`))).status).toBe(200);
    await t.waitFor(
      async () =>
        (await t.query(`SELECT 1 FROM instagram_outbox WHERE plan_id = $1 AND status = 'sent'`, [plan.id]))
          .length === 3,
      'the plan messages sent',
    );
    await t.handled((await t.sender.message('7002', 'OK I will buy it')).mid);

    const report = await t.app.viewer.get(api('/analytics/conversions'));
    expect(report.status).toBe(200);
    expect(report.body.totals).toEqual({ conversions: 3, conversations: 3, active: 4, rate: 0.75 });
    expect(
      (report.body.perDay as Array<{ conversions: number }>).reduce((n, d) => n + d.conversions, 0),
    ).toBe(3);
    expect(report.body.byKind).toEqual([{ kind: 'intent:purchase', n: 3 }]);
    expect(report.body.rules).toEqual([
      {
        key: `rule:${rule.body.rule.id}`,
        kind: 'rule',
        id: rule.body.rule.id,
        name: 'Prices',
        triggered: 3,
        converted: 2,
        rate: 2 / 3,
        ratePercent: 66.7,
      },
    ]);
    expect(report.body.plans).toEqual([
      {
        key: `plan:${plan.id}`,
        kind: 'plan',
        id: plan.id,
        name: 'Price askers',
        triggered: 3,
        converted: 1,
        rate: 1 / 3,
        ratePercent: 33.3,
      },
    ]);
    expect(report.body.performance.map((r: { kind: string }) => r.kind)).toEqual(['rule', 'plan']);
    const plans = await t.app.viewer.get(api('/analytics/conversions?kind=plan'));
    expect(plans.body.performance).toEqual(report.body.plans);

    // A range before any of it: all zero, nothing divided by zero.
    const empty = await t.app.viewer.get(api('/analytics/conversions?from=2020-01-01&to=2020-01-31'));
    expect([empty.body.totals, empty.body.perDay, empty.body.rules]).toEqual([
      { conversions: 0, conversations: 0, active: 0, rate: 0 },
      [],
      [],
    ]);
    expect((await t.app.viewer.get(api('/analytics/conversions?from=2026-02-01&to=2026-01-01'))).status).toBe(
      400,
    );
    expect((await t.app.viewer.get(api('/analytics/conversions?kind=tag'))).status).toBe(422);
  });
});
