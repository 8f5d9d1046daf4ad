import { classifyIntent, classifySentiment, type Llm, structuredWithFallback } from '@botloom/core';
import { z } from 'zod';

export const INTENTS = [
  'question',
  'pricing',
  'purchase',
  'complaint',
  'human_request',
  'thanks',
  'greeting',
  'goodbye',
  'request',
  'other',
] as const;
export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;

const AnalysisSchema = z.object({
  sentiment: z.enum(SENTIMENTS),
  intent: z.enum(INTENTS),
  confidence: z.number().min(0).max(1),
});

export interface Analysis {
  sentiment: (typeof SENTIMENTS)[number];
  intent: (typeof INTENTS)[number];
  confidence: number;
  /** `llm`, or `offline-lexicon` when no model is configured or the call failed. */
  source: 'llm' | 'offline-lexicon';
}

/** Sentiment and intent of one message: the LLM's structured output, or core's offline lexicon. */
export class MessageAnalysis {
  constructor(private readonly llm: Llm) {}

  async analyze(text: string, user?: string): Promise<Analysis> {
    if (!text.trim())
      return { sentiment: 'neutral', intent: 'other', confidence: 0, source: 'offline-lexicon' };
    // A message is never left unlabelled: no model, any LLM failure or invalid output → the lexicon.
    const outcome = await structuredWithFallback(
      this.llm,
      {
        purpose: 'instagram.analyze',
        fast: true,
        schema: AnalysisSchema,
        schemaName: 'message_analysis',
        user,
        messages: [
          {
            role: 'system',
            content: `Classify the customer's Instagram message. sentiment: ${SENTIMENTS.join(', ')}. intent: ${INTENTS.join(', ')}. confidence: 0..1.`,
          },
          { role: 'user', content: text },
        ],
      },
      () => offlineAnalysis(text),
    );
    return outcome.source === 'llm' ? { ...outcome.data, source: 'llm' } : (outcome.data as Analysis);
  }
}

export function offlineAnalysis(text: string): Analysis {
  const sentiment = classifySentiment(text);
  const intent = classifyIntent(text);
  const lexiconIntent = (INTENTS as readonly string[]).includes(intent.intent)
    ? (intent.intent as Analysis['intent'])
    : 'other';
  const pricing = /\b(price|cost|how much)\b|сколько стоит|цен[аыу]|стоимост/i.test(text);
  const purchase = /\b(buy|order|purchase)\b|купить|заказ/i.test(text);
  return {
    sentiment: sentiment.label,
    intent: purchase ? 'purchase' : pricing ? 'pricing' : lexiconIntent,
    confidence: intent.confidence,
    source: 'offline-lexicon',
  };
}
