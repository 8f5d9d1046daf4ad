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

/** What the model returns for one client message (strict structured output: nullable, no optionals). */
export const MessageAnalysisSchema = z.object({
  summary: z.string().max(1000),
  tone: z.enum(['friendly', 'neutral', 'formal', 'hesitant', 'irritated']),
  sentiment: z.enum(['positive', 'neutral', 'negative']),
  intent: z.enum(INTENTS),
  /** Ids of the script's objection handlers the message raises. */
  objections: z.array(z.string().max(63)).max(10),
  scriptFitScore: z.number().min(0).max(1),
  consent: z.object({ given: z.boolean(), evidence: z.string().max(300).nullable() }),
  proposedTransition: z.object({ to: z.string().max(63), reason: z.string().max(300) }).nullable(),
});
export type MessageAnalysisData = z.infer<typeof MessageAnalysisSchema>;

/** An analysis with where it came from: the model, or the deterministic offline analyser. */
export interface MessageAnalysis extends MessageAnalysisData {
  source: 'llm' | 'offline';
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
