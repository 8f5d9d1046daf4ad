import type { Llm } from '@botloom/core';
import { z } from 'zod';
import type { FeatureName } from './features.js';
import type { ClientProfile, FeatureComparison } from './segment-queries.js';

export const InsightSchema = z.object({
  summary: z.string().describe('Two or three sentences on how this client behaves compared with peers'),
  recommendations: z
    .array(z.string())
    .max(5)
    .describe('Concrete, numbers-grounded product or marketing actions'),
});
export type InsightData = z.infer<typeof InsightSchema>;

export interface Insight {
  cardId: string;
  /** The client's most distinctive features (by deviation from the population), computed, not generated. */
  highlights: FeatureComparison[];
  summary: string;
  recommendations: string[];
  /** True when the offline provider answered: the text is a placeholder, the highlights are real. */
  offline: boolean;
  model: string;
}

/** The features that set the client apart most (|z| against the population). */
export function highlightsOf(profile: ClientProfile, count = 5): FeatureComparison[] {
  return [...profile.comparisons].sort((a, b) => Math.abs(b.zClient) - Math.abs(a.zClient)).slice(0, count);
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** The numbers the model must ground its answer in (JSON, one line per feature). */
export function buildInsightPrompt(
  profile: ClientProfile,
  segmentName: string,
  locale: string,
  currency = 'RUB',
): string {
  const lines = profile.comparisons.map((c) => ({
    feature: c.feature,
    client: round(c.client),
    segment_mean: round(c.segment),
    population_mean: round(c.population),
    z_vs_population: round(c.zClient, 2),
  }));
  return [
    `Client card_id: ${profile.features.cardId}`,
    `Segment: ${segmentName} (${profile.segment.size} clients, ${(profile.segment.share * 100).toFixed(1)}% of all)`,
    `Data as of: ${profile.run.asOf?.toISOString().slice(0, 10) ?? 'unknown'}; spend (total_spend, avg_spend, std_spend) in ${currency}.`,
    'Features (share_* = share of spend by category; online_share = share of transactions online; frequency = transactions per day):',
    JSON.stringify(lines),
    `Answer in the language with code "${locale}".`,
  ].join('\n');
}

const SYSTEM_PROMPT =
  "You are a retail-banking analyst. Given one client's behavioural features next to the means of their " +
  'segment and of all clients, write a short summary of how the client differs and up to five concrete ' +
  'recommendations (offers, communication, risk checks). Use only the numbers given; never invent data; ' +
  'quote the numbers that support each point.';

export class InsightService {
  constructor(
    private readonly llm: Llm,
    /** ISO 4217 code every spend feature is expressed in. */
    private readonly currency = 'RUB',
  ) {}

  async insight(
    profile: ClientProfile,
    segmentName: string,
    locale: string,
    userId?: string,
  ): Promise<Insight> {
    const result = await this.llm.structured({
      purpose: 'segmentation.insight',
      schema: InsightSchema,
      schemaName: 'client_insight',
      temperature: 0.2,
      user: userId,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: buildInsightPrompt(profile, segmentName, locale, this.currency) },
      ],
    });
    return {
      cardId: profile.features.cardId,
      highlights: highlightsOf(profile),
      summary: result.data.summary,
      recommendations: result.data.recommendations,
      offline: result.offline,
      model: result.model,
    };
  }
}

export type { FeatureName };
