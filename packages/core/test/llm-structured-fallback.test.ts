import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LlmStructuredOutputError, LlmUnavailableError } from '../src/llm/errors.js';
import { structuredFallbackReasonOf, structuredWithFallback } from '../src/llm/structured-fallback.js';
import { ScriptedLlm } from '../src/testing/scripted-llm.js';

const Label = z.object({ label: z.enum(['good', 'bad']), note: z.string() });
type Label = z.infer<typeof Label>;

const request = {
  purpose: 'test.label',
  schema: Label,
  schemaName: 'label',
  messages: [{ role: 'user' as const, content: 'is this good?' }],
};
const offline = (): Label => ({ label: 'bad', note: 'offline rule' });

describe('structuredWithFallback', () => {
  it("returns the model's valid answer, labelled llm", async () => {
    const llm = new ScriptedLlm({ data: { label: 'good', note: 'from the model' } });
    const outcome = await structuredWithFallback(llm, request, offline);
    expect(outcome).toMatchObject({ source: 'llm', data: { label: 'good', note: 'from the model' } });
    expect(outcome.reason).toBeUndefined();
    expect(llm.requestsFor('test.label')).toHaveLength(1);
  });

  it('without a model, the offline function answers and the model is not called', async () => {
    const llm = new ScriptedLlm({ offline: true, data: { label: 'good', note: 'x' } });
    const reasons: string[] = [];
    const outcome = await structuredWithFallback(llm, request, (reason) => {
      reasons.push(reason);
      return offline();
    });
    expect(outcome).toMatchObject({ source: 'offline', reason: 'offline_provider', data: offline() });
    expect(reasons).toEqual(['offline_provider']);
    expect(llm.calls).toHaveLength(0);
  });

  it('an outage, a rate limit, a spent budget and a refused request fall back, each with its reason', async () => {
    const cases = [
      ['unavailable', 'unavailable'],
      ['rate_limited', 'rate_limited'],
      ['budget_exceeded', 'budget_exceeded'],
      ['request_failed', 'request_failed'],
    ] as const;
    for (const [failure, reason] of cases) {
      const llm = new ScriptedLlm({ data: { label: 'good', note: 'x' } }).failNext(failure);
      const warned: object[] = [];
      const outcome = await structuredWithFallback(llm, request, offline, {
        logger: { warn: (details) => warned.push(details) },
      });
      expect(outcome).toMatchObject({ source: 'offline', reason, data: offline() });
      expect(warned).toEqual([expect.objectContaining({ purpose: 'test.label', reason })]);
    }
  });

  it('output that does not match the schema falls back as invalid_output', async () => {
    const llm = new ScriptedLlm({ data: { label: 'maybe', note: 1 } });
    const outcome = await structuredWithFallback(llm, request, offline);
    expect(outcome).toMatchObject({ source: 'offline', reason: 'invalid_output' });
    expect(outcome.source === 'offline' && outcome.error).toBeInstanceOf(LlmStructuredOutputError);
  });

  it('accept can refuse a valid answer (rejected)', async () => {
    const llm = new ScriptedLlm({ data: { label: 'good', note: '   ' } });
    const outcome = await structuredWithFallback(llm, request, offline, {
      accept: (data) => data.note.trim() !== '',
    });
    expect(outcome).toMatchObject({ source: 'offline', reason: 'rejected' });
  });

  it('throws failures outside fallbackOn, and errors that are not core Llm errors', async () => {
    const outage = new ScriptedLlm({ data: { label: 'good', note: 'x' } }).failNext('unavailable');
    await expect(
      structuredWithFallback(outage, request, offline, {
        fallbackOn: ['offline_provider', 'invalid_output'],
      }),
    ).rejects.toBeInstanceOf(LlmUnavailableError);

    const invalid = new ScriptedLlm({ data: { label: 'maybe' } });
    const covered = await structuredWithFallback(invalid, request, offline, {
      fallbackOn: ['offline_provider', 'invalid_output'],
    });
    expect(covered).toMatchObject({ source: 'offline', reason: 'invalid_output' });

    const bug = new ScriptedLlm().failNext(new TypeError('a bug'));
    await expect(structuredWithFallback(bug, request, offline)).rejects.toBeInstanceOf(TypeError);
  });

  it('a gateway that fell over to its offline provider counts as offline_provider, unless not covered', async () => {
    const fellOver = {
      offline: false,
      structured: async () => ({
        data: { label: 'good' as const, note: 'offline provider text' },
        model: 'offline',
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
        latencyMs: 0,
        offline: true,
      }),
    } as unknown as ScriptedLlm;
    expect(await structuredWithFallback(fellOver, request, offline)).toMatchObject({
      source: 'offline',
      reason: 'offline_provider',
    });
    expect(
      await structuredWithFallback(fellOver, request, offline, { fallbackOn: ['invalid_output'] }),
    ).toMatchObject({ source: 'llm', data: { note: 'offline provider text' } });
  });

  it('maps core Llm errors to reasons', () => {
    expect(structuredFallbackReasonOf(new LlmUnavailableError('down'))).toBe('unavailable');
    expect(structuredFallbackReasonOf(new Error('other'))).toBeUndefined();
  });
});
