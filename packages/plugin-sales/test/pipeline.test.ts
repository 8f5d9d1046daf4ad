import { ScriptedLlm } from '@botloom/core/testing';
import { describe, expect, it } from 'vitest';
import type { MessageAnalysisData } from '../src/services/analysis.js';
import { inventedFigures } from '../src/services/reply-composer.js';
import { SalesPipeline } from '../src/services/sales-pipeline.js';
import { selectStrategy } from '../src/services/strategy.js';
import { courseEn } from './helpers.js';

const script = courseEn();
const OPTIONS = { threshold: 0.7, replyMaxTokens: 300, userId: 42 };

function analysis(overrides: Partial<MessageAnalysisData>): MessageAnalysisData {
  return {
    summary: 'client message',
    tone: 'neutral',
    sentiment: 'neutral',
    intent: 'other',
    objections: [],
    scriptFitScore: 0.9,
    consent: { given: false, evidence: null },
    proposedTransition: null,
    ...overrides,
  };
}

function at(stage: string, extra: Partial<{ stageTurns: number; lineCursor: number }> = {}) {
  return { script, stage, stageTurns: 0, lineCursor: 0, answers: {}, history: [], ...extra };
}

describe('strategy', () => {
  it('script_80 at or above the threshold, free_20 below', () => {
    expect(selectStrategy(0.7, 0.7)).toBe('script_80');
    expect(selectStrategy(0.69, 0.7)).toBe('free_20');
    expect(selectStrategy(0.5, 0.4)).toBe('script_80');
  });
});

describe('the pipeline with a model', () => {
  it('above the threshold replies with the scripted lines; below it talks freely with script elements', async () => {
    const llm = new ScriptedLlm({ data: analysis({ scriptFitScore: 0.92 }) });
    const pipeline = new SalesPipeline(llm);
    const high = await pipeline.step(at('presentation', { stageTurns: 0 }), 'Tell me more', OPTIONS);
    expect(high.strategy).toBe('script_80');
    expect(high.reply!.text).toBe(script.stages[3]!.lines[0]);
    expect(llm.requestsFor('sales.reply')).toHaveLength(0);

    llm.setData(analysis({ scriptFitScore: 0.3 }));
    llm.script({
      match: { purpose: 'sales.reply' },
      reply: 'Many people feel stuck at first. The course lasts 8 weeks.',
    });
    const low = await pipeline.step(at('presentation'), 'My boss keeps me on spreadsheets all day', OPTIONS);
    expect(low.strategy).toBe('free_20');
    expect(low.reply!.mode).toBe('free');
    expect(low.reply!.text).toContain('8 weeks');
    // The model was given the stage's key message and the facts as its only grounding.
    const request = llm.requestsFor('sales.reply')[0]!;
    expect(request.messages[0]!.content).toContain(script.stages[3]!.keyMessage);
    expect(request.messages[0]!.content).toContain('<context>');
  });

  it('refuses a free reply that invents a price, and sends script text instead', async () => {
    const llm = new ScriptedLlm({ data: analysis({ scriptFitScore: 0.2 }) });
    llm.script({ match: { purpose: 'sales.reply' }, reply: 'Today only: 99 EUR with a 50% discount!' });
    const step = await new SalesPipeline(llm).step(at('presentation'), 'Is there a discount?', OPTIONS);
    expect(step.reply!.guarded).toBe(true);
    expect(step.reply!.text).not.toContain('99');
    expect(step.reply!.text).toContain(script.stages[3]!.keyMessage);
    expect(inventedFigures('290 EUR for 8 weeks', { script, text: '' })).toEqual([]);
  });

  it('refuses a proposed skip and records why; applies an allowed proposal', async () => {
    const llm = new ScriptedLlm({
      data: analysis({ proposedTransition: { to: 'close', reason: 'client seems ready' } }),
    });
    const pipeline = new SalesPipeline(llm);
    const skip = await pipeline.step(at('needs'), 'ok', { ...OPTIONS });
    // needs -> close is not in the script; the machine falls back to needs' own rule (minTurns 1).
    expect(skip.decision.refused).toEqual({
      to: 'close',
      reason: 'refused: the script does not allow "needs" -> "close"',
    });
    expect(skip.decision.to).toBe('presentation');
    expect(skip.decision.reason).toMatch(/^condition minTurns=1/);

    llm.setData(analysis({ proposedTransition: { to: 'close', reason: 'wants to join' } }));
    const allowed = await pipeline.step(at('presentation', { stageTurns: 1 }), 'sounds good', OPTIONS);
    expect(allowed.decision).toMatchObject({ from: 'presentation', to: 'close', moved: true });
    expect(allowed.decision.reason).toContain('proposed by the analysis (wants to join)');
  });

  it('uses the objection handler the analysis names', async () => {
    const llm = new ScriptedLlm({ data: analysis({ intent: 'objection', objections: ['price'] }) });
    const step = await new SalesPipeline(llm).step(
      at('presentation'),
      'That is too expensive for me',
      OPTIONS,
    );
    expect(step.decision.to).toBe('objections');
    expect(step.reply!.text.startsWith(script.stages[3]!.objections[0]!.reply)).toBe(true);
  });

  it("keeps the model's answer in bounds (a score above 1 is clamped)", async () => {
    const llm = new ScriptedLlm({ data: analysis({ scriptFitScore: 1.7, summary: 'x'.repeat(5000) }) });
    const step = await new SalesPipeline(llm).step(at('presentation'), 'Tell me more', OPTIONS);
    expect(step.analysis.scriptFitScore).toBe(1);
    expect(step.analysis.summary).toHaveLength(1000);
    expect(step.analysis.source).toBe('llm');
  });

  it('invalid model output falls back to the offline analyser with the reason; an outage is thrown', async () => {
    const llm = new ScriptedLlm({ data: { ...analysis({}), intent: 'buying', scriptFitScore: 'high' } });
    const step = await new SalesPipeline(llm).step(at('close'), "Yes, I'm in!", OPTIONS);
    expect(step.analysis).toMatchObject({ source: 'offline', fallbackReason: 'invalid_output' });
    expect(step.analysis.consent.given).toBe(true); // the offline analyser's answer, not the model's
    expect(llm.requestsFor('sales.analyse')).toHaveLength(1);

    const down = new ScriptedLlm({ data: analysis({}) }).failNext('unavailable');
    await expect(new SalesPipeline(down).step(at('close'), 'Hello', OPTIONS)).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
    });
    const fine = await new SalesPipeline(new ScriptedLlm({ data: analysis({}) })).step(
      at('close'),
      'Hi',
      OPTIONS,
    );
    expect(fine.analysis).toMatchObject({ source: 'llm', fallbackReason: null });
  });

  it('consent triggers the move to the education group', async () => {
    const llm = new ScriptedLlm({
      data: analysis({ intent: 'consent', consent: { given: true, evidence: 'yes' } }),
    });
    const step = await new SalesPipeline(llm).step(at('close'), 'Yes, sign me up', OPTIONS);
    expect(step.action).toBe('education');
    expect(step.decision).toMatchObject({ to: 'education', reason: 'trigger: the client consented' });
  });
});

describe('the offline pipeline', () => {
  const offline = () => new SalesPipeline(new ScriptedLlm({ offline: true }));

  it('is deterministic and labelled offline', async () => {
    const a = await offline().step(at('greeting'), 'Hi there', OPTIONS);
    const b = await offline().step(at('greeting'), 'Hi there', OPTIONS);
    expect(a.analysis).toEqual(b.analysis);
    expect(a.analysis.source).toBe('offline');
    expect(a.analysis.fallbackReason).toBe('offline_provider');
    expect(a.decision.to).toBe('qualification');
  });

  it('finds consent, objections and stop', async () => {
    const consent = await offline().step(at('close'), "Yes, I'm in! How do I pay?", OPTIONS);
    expect(consent.analysis.consent.given).toBe(true);
    expect(consent.action).toBe('education');
    const negated = await offline().step(at('close'), "I'm not in, sorry", OPTIONS);
    expect(negated.analysis.consent.given).toBe(false);
    const objection = await offline().step(at('presentation'), 'Honestly it looks too expensive', OPTIONS);
    expect(objection.analysis.objections).toEqual(['price']);
    expect(objection.reply!.text).toContain('three monthly payments of 100 EUR');
    const stop = await offline().step(at('needs'), 'stop', OPTIONS);
    expect(stop.action).toBe('stop');
    expect(stop.reply).toBeNull();
  });
});
