import { type ChatMessage, formatContextBlock, type GroundingPassage, type Llm } from '@botloom/core';
import type { KnowledgePassage } from './knowledge-service.js';
import { needsLiveData } from './live-data.js';
import { type SmallTalk, smallTalkOf } from './small-talk.js';

export const NO_ANSWER = 'NO_ANSWER';

export type CannotAnswerReason =
  | 'live_data'
  | 'no_knowledge'
  | 'low_confidence'
  | 'model_declined'
  /** The model is unreachable (circuit open, timeouts, 5xx) or rate-limited: try again later. */
  | 'model_unavailable';

/** Core's LLM errors that mean "not now" rather than "this request is wrong". */
const UNAVAILABLE_CODES = new Set(['LLM_UNAVAILABLE', 'LLM_RATE_LIMITED']);

export type AnswerResult =
  | { kind: 'answer'; text: string; passages: KnowledgePassage[]; confidence: number }
  | { kind: 'small_talk'; intent: SmallTalk }
  | { kind: 'cannot_answer'; reason: CannotAnswerReason; passages: KnowledgePassage[]; confidence: number };

export interface PassageSource {
  search(question: string, k: number): Promise<KnowledgePassage[]>;
}

export interface AnswerOptions {
  minConfidence: number;
  topK: number;
  maxTokens?: number;
}

/** One passage for the context block: labelled `title / heading`, its text without the heading line. */
function groundingPassage(p: KnowledgePassage): GroundingPassage {
  const heading = p.heading?.trim() ?? '';
  const text = heading && p.text.startsWith(`${heading}\n`) ? p.text.slice(heading.length + 1) : p.text;
  const label = [p.title.trim(), heading].filter(Boolean).join(' / ');
  return { label: label || undefined, text };
}

/**
 * The instructions and the knowledge. The passages go in core's marked context block, apart
 * from the conversation: a model reads them as the only reference material, and the offline
 * provider quotes nothing else (never the customer's earlier questions).
 */
export function buildSystemPrompt(passages: KnowledgePassage[]): string {
  return [
    "You are the company's customer support assistant.",
    'Answer ONLY with facts stated in the knowledge passages of the context block below; never guess or add outside facts. The conversation is not knowledge.',
    `If the passages do not contain the answer, or the question needs live information (availability on given dates, the current state of an order or booking, today's prices), reply with exactly ${NO_ANSWER} and nothing else.`,
    "Reply briefly, in the customer's language. After the answer, list the passages you used like [1] or [1][3].",
    '',
    formatContextBlock(passages.map(groundingPassage)),
  ].join('\n');
}

const CITATION = /\[(\d{1,2})\]/g;

/** Which passages an answer cites; when it cites none, all it was given count as used. */
export function citedPassages(text: string, passages: KnowledgePassage[]): KnowledgePassage[] {
  const cited = new Set<number>();
  for (const match of text.matchAll(CITATION)) {
    const n = Number(match[1]);
    if (n >= 1 && n <= passages.length) cited.add(n - 1);
  }
  return cited.size ? [...cited].sort((a, b) => a - b).map((i) => passages[i]!) : passages;
}

function stripCitations(text: string): string {
  return text
    .replace(/\s*(?:\[\d{1,2}\])+\s*$/g, '')
    .replace(CITATION, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Sentences (20+ characters) of the passages that an offline (extractive) reply quotes. */
function quotedPassages(reply: string, passages: KnowledgePassage[]): KnowledgePassage[] {
  const normalized = reply.replace(/\s+/g, ' ');
  return passages.filter((p) =>
    p.text
      .split(/(?<=[.!?])\s+|\n+/)
      .map((s) => s.replace(/\s+/g, ' ').trim())
      .some((s) => s.length >= 20 && normalized.includes(s)),
  );
}

/**
 * Answers a customer's question from retrieved knowledge only. It declines (and the desk
 * offers a manager) when the question needs live data, when nothing is indexed, when the
 * best passage is below the confidence threshold, or when the model says the passages do
 * not contain the answer.
 */
export class AnswerService {
  constructor(
    private readonly knowledge: PassageSource,
    private readonly llm: Llm,
    private readonly options: AnswerOptions,
  ) {}

  async answer(question: string, history: ChatMessage[] = [], user?: string): Promise<AnswerResult> {
    const smallTalk = smallTalkOf(question);
    if (smallTalk) return { kind: 'small_talk', intent: smallTalk };
    const found = await this.knowledge.search(question, this.options.topK);
    const confidence = found[0]?.score ?? 0;
    if (needsLiveData(question))
      return { kind: 'cannot_answer', reason: 'live_data', passages: [], confidence };
    if (!found.length) return { kind: 'cannot_answer', reason: 'no_knowledge', passages: [], confidence: 0 };
    const passages = found.filter((p) => p.score >= this.options.minConfidence);
    if (!passages.length)
      return { kind: 'cannot_answer', reason: 'low_confidence', passages: [], confidence };

    const messages: ChatMessage[] = [
      { role: 'system', content: buildSystemPrompt(passages) },
      ...history,
      { role: 'user', content: question },
    ];
    let result: Awaited<ReturnType<Llm['chat']>>;
    try {
      result = await this.llm.chat({
        purpose: 'support.answer',
        messages,
        temperature: 0,
        maxTokens: this.options.maxTokens ?? 600,
        user,
      });
    } catch (err) {
      if (!UNAVAILABLE_CODES.has((err as { code?: string }).code ?? '')) throw err;
      return { kind: 'cannot_answer', reason: 'model_unavailable', passages: [], confidence };
    }
    const reply = result.content.trim();
    if (!reply || reply.includes(NO_ANSWER)) {
      return { kind: 'cannot_answer', reason: 'model_declined', passages: [], confidence };
    }
    if (result.offline) {
      // The offline provider quotes passages; a reply quoting none of them is not an answer.
      const used = quotedPassages(reply, passages);
      if (!used.length) return { kind: 'cannot_answer', reason: 'model_declined', passages: [], confidence };
      return { kind: 'answer', text: reply, passages: used, confidence };
    }
    const text = stripCitations(reply);
    if (!text) return { kind: 'cannot_answer', reason: 'model_declined', passages: [], confidence };
    return { kind: 'answer', text, passages: citedPassages(reply, passages), confidence };
  }
}
