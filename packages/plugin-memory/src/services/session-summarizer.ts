import type { Llm } from '@botloom/core';
import { z } from 'zod';
import { extractUserFacts, phraseTitle } from './offline-extraction.js';
import type { StoredMessage } from './session-service.js';
import { estimateTokens } from './token-estimate.js';

export const SessionSummarySchema = z.object({
  title: z.string().describe('A short title of the session, at most 8 words'),
  summary: z
    .string()
    .describe('What was discussed and decided, 1-4 sentences, in the language of the conversation'),
  facts: z
    .array(z.string())
    .describe(
      'Durable facts about the user worth remembering in future sessions (preferences, projects, goals, context); empty if none',
    ),
});

export type SessionSummary = z.infer<typeof SessionSummarySchema>;

const INSTRUCTIONS = [
  'You maintain the long-term memory of a personal assistant.',
  'Summarise the conversation below: a short title, a summary of what was discussed and decided,',
  'and a list of durable facts about the user that will help in future conversations.',
  'Only state what the conversation supports; never invent facts.',
].join(' ');

const MAX_FACTS = 12;
const MAX_FACT_CHARS = 500;
const MAX_TITLE_CHARS = 80;

/** Turns a finished session into a title, a summary and facts with one structured LLM call. */
export class SessionSummarizer {
  constructor(
    private readonly llm: Llm,
    private readonly transcriptTokenBudget = 6000,
  ) {}

  async summarise(userId: string, messages: StoredMessage[]): Promise<SessionSummary | null> {
    if (messages.length === 0) return null;
    // No model: keep the user's statements of fact (see offline-extraction.ts), not a generic
    // extractive summary that would keep greetings and questions.
    if (this.llm.offline) return offlineSummary(messages);
    const transcript = transcriptWithin(messages, this.transcriptTokenBudget);
    const result = await this.llm.structured({
      purpose: 'memory.summarize',
      user: userId,
      fast: true,
      temperature: 0,
      schema: SessionSummarySchema,
      schemaName: 'session_summary',
      messages: [
        { role: 'system', content: INSTRUCTIONS },
        { role: 'user', content: transcript },
      ],
    });
    return normaliseSummary(result.data, messages);
  }
}

const MAX_OFFLINE_SUMMARY_CHARS = 600;

/**
 * The offline memory of a session: its statements of fact about the user. The first ones, up
 * to 600 characters, are the summary (one memory); any further ones are facts of their own.
 * A session of questions and greetings only leaves nothing to remember (null).
 */
export function offlineSummary(messages: StoredMessage[]): SessionSummary | null {
  const facts = extractUserFacts(messages.filter((m) => m.role === 'user').map((m) => m.content));
  if (facts.length === 0) return null;
  let summary = clip(facts[0]!, MAX_OFFLINE_SUMMARY_CHARS);
  let used = 1;
  while (used < facts.length && summary.length + 1 + facts[used]!.length <= MAX_OFFLINE_SUMMARY_CHARS) {
    summary = `${summary} ${facts[used]}`;
    used += 1;
  }
  return normaliseSummary({ title: phraseTitle(facts[0]!), summary, facts: facts.slice(used) }, messages);
}

/** The newest part of the conversation that fits the budget, as "User:/Assistant:" lines. */
export function transcriptWithin(messages: StoredMessage[], budgetTokens: number, speakers = true): string {
  const lines: string[] = [];
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    const line = speakers ? `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}` : m.content;
    const cost = estimateTokens(line);
    if (used + cost > budgetTokens && lines.length > 0) break;
    lines.unshift(line);
    used += cost;
  }
  return lines.join('\n\n');
}

/**
 * Trims and bounds the model's answer. When the model (or the offline provider) leaves the
 * summary empty, the user's own words stand in for it, so what they said is still remembered.
 */
export function normaliseSummary(raw: SessionSummary, messages: StoredMessage[]): SessionSummary | null {
  const userText = messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content.trim())
    .filter(Boolean);
  let summary = raw.summary.trim();
  if (!summary) summary = clip(userText.join(' '), 600);
  // A fact that repeats the summary (the offline provider extracts the same sentence for
  // both) or another fact would only be a duplicate memory.
  const seen = new Set([comparable(summary)]);
  const facts: string[] = [];
  for (const item of raw.facts) {
    const fact = clip(item.trim(), MAX_FACT_CHARS);
    const key = comparable(fact);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    facts.push(fact);
    if (facts.length === MAX_FACTS) break;
  }
  // A long title is cut at a phrase boundary ("My name is Alex", not "My name is Alex and I live in").
  let title = raw.title.trim() ? phraseTitle(raw.title, 14, MAX_TITLE_CHARS) : '';
  if (!title) title = userText[0] ? phraseTitle(userText[0], 8, 60) : '';
  if (!summary && facts.length === 0) return null;
  return { title: title || '…', summary, facts };
}

/** Case, spacing and final punctuation do not make two memories different. */
function comparable(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s.!?…]+$/u, '')
    .trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
