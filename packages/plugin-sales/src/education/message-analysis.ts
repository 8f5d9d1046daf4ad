import { type Llm, type StructuredFallbackReason, structuredWithFallback } from '@botloom/core';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { EducationStage } from './scenario-schema.js';

/** What a message in an education group is, as far as deciding who answers goes. */
export const GroupMessageAnalysisSchema = z.object({
  summary: z.string().max(500),
  intent: z.enum(['answer', 'question', 'example_request', 'smalltalk', 'other']),
  /** The message does the current stage's assignment (false when the stage has none). */
  answersAssignment: z.boolean(),
  sentiment: z.enum(['positive', 'neutral', 'negative']),
});

export type GroupMessageAnalysis = z.infer<typeof GroupMessageAnalysisSchema> & {
  /** `model`: the LLM; `offline`: the deterministic rules (no model configured, or the model failed). */
  source: 'model' | 'offline';
  /** Why the rules answered (core's structuredWithFallback reasons); absent for the model. */
  fallbackReason?: StructuredFallbackReason;
};

const EXAMPLE_REQUEST =
  /\b(example|show me|don'?t understand|do not understand|not clear)\b|пример|покажи|не понима|не понятно|непонятно/i;
const QUESTION_START =
  /^(how|what|why|when|where|which|who|can|could|should|do|does|is|are|will)\b|^(как|что|почему|зачем|когда|где|какой|какая|какие|можно|нужно|сколько)/i;
const SMALLTALK =
  /^(thanks|thank you|ok|okay|hi|hello|hey|great|cool|got it|sure|спасибо|ок|окей|привет|понял|поняла|ясно|отлично|супер|хорошо)[\s!.)]*$/i;
const NEGATIVE =
  /\b(hard|difficult|confus|lost|stuck|boring|annoy)|сложно|трудно|запута|скучно|не получается/i;
const POSITIVE = /\b(thanks|great|cool|love|nice|clear)\b|спасибо|отлично|супер|понятно|здорово/i;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A keyword matches a word that starts with its stem (so "расходы" matches "расход", "saving" matches "save"). */
function mentions(tokens: string[], keyword: string): boolean {
  const k = keyword.toLowerCase().replace(/ё/g, 'е');
  const stem = k.length > 5 ? k.slice(0, k.length - 2) : k.length > 3 ? k.slice(0, k.length - 1) : k;
  return tokens.some((t) => t.startsWith(stem));
}

/** Does the text do the assignment? Enough words and (when the assignment lists keywords) one of them. */
export function meetsAssignment(text: string, stage: EducationStage | undefined): boolean {
  const assignment = stage?.assignment;
  if (!assignment) return false;
  const tokens = words(text);
  if (tokens.length < assignment.minWords) return false;
  return assignment.keywords.length === 0 || assignment.keywords.some((k) => mentions(tokens, k));
}

/** The deterministic analysis: lexical rules, honest about being offline. */
export function offlineAnalysis(text: string, stage: EducationStage | undefined): GroupMessageAnalysis {
  const trimmed = text.trim();
  const answers = meetsAssignment(trimmed, stage);
  let intent: GroupMessageAnalysis['intent'];
  if (EXAMPLE_REQUEST.test(trimmed)) intent = 'example_request';
  else if (answers) intent = 'answer';
  else if (trimmed.endsWith('?') || QUESTION_START.test(trimmed)) intent = 'question';
  else if (SMALLTALK.test(trimmed)) intent = 'smalltalk';
  else if (stage?.assignment && words(trimmed).length >= 3) intent = 'answer';
  else intent = 'other';
  const sentiment = NEGATIVE.test(trimmed) ? 'negative' : POSITIVE.test(trimmed) ? 'positive' : 'neutral';
  return {
    summary: `[offline] ${intent}${answers ? ', does the assignment' : ''}`,
    intent,
    answersAssignment: answers,
    sentiment,
    source: 'offline',
  };
}

/**
 * Analyses a client's message in the group with the LLM (structured output). Without a model
 * (offline provider) or when the call fails, the deterministic rules answer, labelled offline:
 * the scenario never stalls on an LLM outage.
 */
export class GroupMessageAnalyzer {
  constructor(
    private readonly llm: Llm,
    private readonly logger: Logger,
  ) {}

  async analyse(input: {
    text: string;
    stage: EducationStage | undefined;
    locale: string;
    userId: number;
  }): Promise<GroupMessageAnalysis> {
    const assignment = input.stage?.assignment;
    const outcome = await structuredWithFallback(
      this.llm,
      {
        purpose: 'sales.education.analyse',
        user: String(input.userId),
        schema: GroupMessageAnalysisSchema,
        schemaName: 'group_message_analysis',
        temperature: 0,
        messages: [
          {
            role: 'system',
            content: [
              'You classify one message a student wrote in a course study group.',
              'intent: answer (attempts the assignment), question, example_request (asks for an example or says they do not understand), smalltalk, other.',
              `answersAssignment: true only if the message does this assignment: ${assignment ? assignment.task : '(no assignment now: false)'}`,
              'summary: one short sentence in the language of the message.',
            ].join('\n'),
          },
          { role: 'user', content: input.text },
        ],
      },
      () => offlineAnalysis(input.text, input.stage),
      { logger: this.logger },
    );
    if (outcome.source === 'offline')
      return { ...outcome.data, source: 'offline', fallbackReason: outcome.reason };
    const data = outcome.data;
    return { ...data, answersAssignment: Boolean(assignment) && data.answersAssignment, source: 'model' };
  }
}
