import type { StructuredFallbackReason } from '@botloom/core';
import { z } from 'zod';

export const INTENTS = [
  'greeting',
  'question',
  'need',
  'objection',
  'consent',
  'refusal',
  'stop',
  'answer',
  'other',
] as const;
export type Intent = (typeof INTENTS)[number];

/**
 * What the model returns for one client message. Strict structured output: every field
 * required (nullable instead of optional) and no length or range keywords, which strict
 * json_schema providers refuse; `boundAnalysis` clamps and cuts the answer afterwards.
 */
export const MessageAnalysisSchema = z.object({
  summary: z.string(),
  tone: z.enum(['friendly', 'neutral', 'formal', 'hesitant', 'irritated']),
  sentiment: z.enum(['positive', 'neutral', 'negative']),
  intent: z.enum(INTENTS),
  /** Ids of the script's objection handlers the message raises. */
  objections: z.array(z.string()),
  /** 0..1 */
  scriptFitScore: z.number(),
  consent: z.object({ given: z.boolean(), evidence: z.string().nullable() }),
  proposedTransition: z.object({ to: z.string(), reason: z.string() }).nullable(),
});
export type MessageAnalysisData = z.infer<typeof MessageAnalysisSchema>;

/** An analysis with where it came from: the model, or the deterministic offline analyser. */
export interface MessageAnalysis extends MessageAnalysisData {
  source: 'llm' | 'offline';
  /** Why the offline analyser answered (no model, the model's output was invalid); null for the model. */
  fallbackReason: StructuredFallbackReason | null;
  tokens: number;
  latencyMs: number;
}

/** What an analyser sees of the conversation. */
export interface AnalysisInput {
  text: string;
  userId: number;
  /** Earlier turns, oldest first (client and bot), a few at most. */
  history: { author: 'client' | 'bot' | 'operator'; text: string }[];
  stageTurns: number;
}

/** A model's analysis within the bounds the storage and the pipeline expect. */
export function boundAnalysis(data: MessageAnalysisData): MessageAnalysisData {
  const score = Number.isFinite(data.scriptFitScore) ? data.scriptFitScore : 0;
  return {
    ...data,
    summary: data.summary.slice(0, 1000),
    objections: data.objections.slice(0, 10).map((o) => o.slice(0, 63)),
    scriptFitScore: Math.min(1, Math.max(0, score)),
    consent: { given: data.consent.given, evidence: data.consent.evidence?.slice(0, 300) ?? null },
    proposedTransition: data.proposedTransition
      ? { to: data.proposedTransition.to.slice(0, 63), reason: data.proposedTransition.reason.slice(0, 300) }
      : null,
  };
}
