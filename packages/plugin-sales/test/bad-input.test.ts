/**
 * Bad input: invalid scripts over the admin API (with the path of each error), malformed
 * requests, unknown ids, viewers writing, and an LLM outage (the fake OpenAI server fails):
 * the client gets a clear reply and the message is kept.
 */
import { type BadInputCase, findBadInputMismatches, startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import salesPlugin, { DEMO_SCRIPT_FILES } from '../src/index.js';
import { query, turn } from './e2e-helpers.js';
import { courseJson } from './helpers.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    plugins: [salesPlugin({ scriptFiles: DEMO_SCRIPT_FILES })],
    openai: true,
    config: { RATE_LIMIT_PER_MINUTE: 1000, LLM_MAX_RETRIES: 0 },
  });
}, 120_000);
afterAll(() => t?.stop());

describe('bad input', { timeout: 120_000 }, () => {
  it('refuses an invalid script with the path of every error', async () => {
    const unknown = courseJson();
    unknown.stages[5].transitions[0].to = 'party';
    const res = await t.admin.put('/admin/api/sales/scripts/course/draft', { definition: unknown });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('SCRIPT_INVALID');
    expect(res.body.error.details.issues).toEqual([
      { path: 'stages.5.transitions.0.to', message: 'unknown stage "party"' },
    ]);

    const loop = courseJson();
    loop.stages[4].transitions = [{ to: 'close', when: { minTurns: 1 } }];
    loop.stages[5].transitions = [{ to: 'objections', when: { intents: ['objection'] } }];
    const cycle = await t.admin.post('/admin/api/sales/scripts', { id: 'loop', definition: loop });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.details.issues[0].message).toContain(
      'cycle with no exit: objections -> close -> objections',
    );
    // Nothing was stored.
    expect((await t.admin.get('/admin/api/sales/scripts/loop')).status).toBe(404);
  });

  it('answers malformed requests, unknown ids and viewers with clear 4xx', async () => {
    const cases: BadInputCase[] = [
      {
        method: 'POST',
        path: '/admin/api/sales/scripts',
        body: { id: 'Bad Id', definition: {} },
        status: 422,
      },
      {
        method: 'POST',
        path: '/admin/api/sales/scripts',
        body: { id: 'course', definition: courseJson() },
        status: 409,
        code: 'SCRIPT_EXISTS',
      },
      {
        method: 'PUT',
        path: '/admin/api/sales/scripts/nope/draft',
        body: { definition: courseJson() },
        status: 404,
        code: 'SCRIPT_NOT_FOUND',
      },
      {
        method: 'POST',
        path: '/admin/api/sales/scripts/course/rollback',
        body: { version: 99 },
        status: 404,
        code: 'SCRIPT_VERSION_NOT_FOUND',
      },
      {
        method: 'POST',
        path: '/admin/api/sales/scripts/course/rollback',
        body: { version: 'one' },
        status: 422,
      },
      { method: 'POST', path: '/admin/api/sales/conversations/not-a-uuid/takeover', status: 422 },
      {
        method: 'POST',
        path: '/admin/api/sales/conversations/00000000-0000-4000-8000-000000000000/takeover',
        status: 404,
        code: 'CONVERSATION_NOT_FOUND',
      },
      {
        method: 'POST',
        path: '/admin/api/sales/scripts/import',
        body: { text: 'id: x\nname: [' },
        status: 400,
        code: 'SCRIPT_FILE_UNREADABLE',
      },
      {
        method: 'POST',
        path: '/admin/api/sales/scripts',
        raw: '{"id":',
        contentType: 'application/json',
        status: 400,
      },
      { method: 'POST', path: '/admin/api/sales/scripts/course/publish', token: t.viewerToken, status: 403 },
    ];
    expect(await findBadInputMismatches(t.url, t.adminToken, cases)).toEqual([]);
    expect((await t.admin.get('/admin/api/sales/scripts/course/diff?from=1')).status).toBe(422);
    expect((await t.admin.get('/admin/api/sales/scripts/course/versions/0')).status).toBe(422);
    expect((await t.admin.get('/admin/api/sales/conversations?strategy=both')).status).toBe(422);
  });

  it('an LLM outage gives a clear reply, and the message is kept', async () => {
    const gus = t.user('gus', { first_name: 'Gus', language_code: 'en' });
    await turn(gus, '/start sales-course');
    t.openai!.fail('server_error', 20);
    expect(await turn(gus, 'What exactly will I learn?')).toEqual([
      'Sorry, I cannot answer right now. Your message is saved, and I or a manager will get back to you.',
    ]);
    const [row] = await query(
      t,
      "SELECT analysis_status, text_length FROM sales_conversation_messages WHERE author = 'client' ORDER BY id DESC LIMIT 1",
    );
    expect(row).toEqual({ analysis_status: 'failed', text_length: 'What exactly will I learn?'.length });
    t.openai!.reset();
    // With the model back, the analysis comes from it and the conversation goes on.
    t.openai!.script({
      match: { purpose: 'sales.analyse' },
      reply: {
        content: {
          summary: 'greets',
          tone: 'friendly',
          sentiment: 'positive',
          intent: 'greeting',
          objections: [],
          scriptFitScore: 0.9,
          consent: { given: false, evidence: null },
          proposedTransition: { to: 'qualification', reason: 'replied to the greeting' },
        },
      },
    });
    t.openai!.script({
      match: { purpose: 'sales.adapt' },
      reply: 'Thanks, lovely to hear from you! Two short questions so I can give you honest advice.',
    });
    const reply = await turn(gus, 'Hi, nice to meet you!');
    expect(reply.join('\n')).toContain('Have you worked with data');
    const [last] = await query(
      t,
      "SELECT analysis_source, strategy, stage FROM sales_conversation_messages WHERE author = 'client' ORDER BY id DESC LIMIT 1",
    );
    expect(last).toEqual({ analysis_source: 'llm', strategy: 'script_80', stage: 'greeting' });
  });
});
