import type { Llm } from '@botloom/core';
import type { ScriptDefinition } from '../script/script-schema.js';
import { SalesPipeline } from '../services/sales-pipeline.js';
import type { EvalConversation } from './eval-format.js';

export interface EvalReport {
  conversations: number;
  turns: number;
  stageAccuracy: number;
  strategyAccuracy: number;
  consent: {
    precision: number;
    recall: number;
    truePositives: number;
    falsePositives: number;
    falseNegatives: number;
  };
  /** expected stage -> predicted stage -> count */
  confusion: Record<string, Record<string, number>>;
  tokensPerTurn: number;
  latencyMsPerTurn: { mean: number; p50: number; p95: number };
  offline: boolean;
  skipped: { id: string; reason: string }[];
}

/**
 * Replays labelled conversations through the sales pipeline (analysis, triggers, stage
 * machine, strategy, reply) and compares each turn with its labels. The conversation state is
 * kept in memory between turns, as the conversation service keeps it in the database.
 */
export async function runEvaluation(
  llm: Llm,
  conversations: EvalConversation[],
  scriptFor: (c: EvalConversation) => Promise<ScriptDefinition | null>,
  options: { threshold: number; now?: () => number },
): Promise<EvalReport> {
  const pipeline = new SalesPipeline(llm);
  const now = options.now ?? (() => performance.now());
  let turns = 0;
  let stageHits = 0;
  let strategyHits = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tokens = 0;
  const latencies: number[] = [];
  const confusion: EvalReport['confusion'] = {};
  const skipped: EvalReport['skipped'] = [];
  for (const conversation of conversations) {
    const script = await scriptFor(conversation);
    if (!script) {
      skipped.push({ id: conversation.id, reason: 'no published script' });
      continue;
    }
    const opening = pipeline.opening(script);
    let state = {
      stage: script.startStage,
      stageTurns: 0,
      lineCursor: opening.lineCursor,
      answers: {} as Record<string, number>,
    };
    const history: { author: 'client' | 'bot'; text: string }[] = [{ author: 'bot', text: opening.text }];
    for (const turn of conversation.turns) {
      const started = now();
      const step = await pipeline.step({ script, ...state, history }, turn.client, {
        threshold: options.threshold,
        replyMaxTokens: 400,
        userId: 1,
      });
      latencies.push(now() - started);
      tokens += step.analysis.tokens + (step.reply?.tokens ?? 0);
      turns++;
      const predicted = step.state.stage;
      if (predicted === turn.expected.stage) stageHits++;
      if (step.strategy === turn.expected.strategy) strategyHits++;
      const consent = step.analysis.consent.given;
      if (consent && turn.expected.consent) tp++;
      else if (consent) fp++;
      else if (turn.expected.consent) fn++;
      confusion[turn.expected.stage] ??= {};
      const row = confusion[turn.expected.stage]!;
      row[predicted] = (row[predicted] ?? 0) + 1;
      history.push({ author: 'client', text: turn.client });
      if (step.reply) history.push({ author: 'bot', text: step.reply.text });
      state = step.state;
      if (step.action !== 'reply') break;
    }
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
  return {
    conversations: conversations.length - skipped.length,
    turns,
    stageAccuracy: turns ? stageHits / turns : 0,
    strategyAccuracy: turns ? strategyHits / turns : 0,
    consent: {
      precision: tp + fp ? tp / (tp + fp) : 0,
      recall: tp + fn ? tp / (tp + fn) : 0,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
    },
    confusion,
    tokensPerTurn: turns ? tokens / turns : 0,
    latencyMsPerTurn: {
      mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0,
      p50: pct(0.5),
      p95: pct(0.95),
    },
    offline: llm.offline,
    skipped,
  };
}

const pctText = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The report as the CLI prints it. */
export function formatReport(report: EvalReport): string[] {
  const lines = [
    `Sales evaluation (${report.offline ? 'offline analyser, no language model' : 'language model'}): ${report.conversations} conversations, ${report.turns} turns`,
    `stage accuracy:    ${pctText(report.stageAccuracy)}`,
    `strategy accuracy: ${pctText(report.strategyAccuracy)}`,
    `consent precision: ${pctText(report.consent.precision)}  recall: ${pctText(report.consent.recall)}  (tp ${report.consent.truePositives}, fp ${report.consent.falsePositives}, fn ${report.consent.falseNegatives})`,
    `tokens per turn:   ${report.tokensPerTurn.toFixed(1)}`,
    `latency per turn:  mean ${report.latencyMsPerTurn.mean.toFixed(1)} ms, p50 ${report.latencyMsPerTurn.p50.toFixed(1)} ms, p95 ${report.latencyMsPerTurn.p95.toFixed(1)} ms`,
    'stage confusion (expected -> predicted: count):',
  ];
  for (const [expected, row] of Object.entries(report.confusion).sort()) {
    const cells = Object.entries(row)
      .sort((a, b) => b[1] - a[1])
      .map(([predicted, n]) => `${predicted} ${n}`)
      .join(', ');
    lines.push(`  ${expected.padEnd(16)} -> ${cells}`);
  }
  for (const s of report.skipped) lines.push(`skipped ${s.id}: ${s.reason}`);
  return lines;
}
