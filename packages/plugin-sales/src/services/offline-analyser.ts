import { classifyIntent, classifySentiment } from '@botloom/core';
import type { ScriptDefinition, Stage } from '../script/script-schema.js';
import type { AnalysisInput, Intent, MessageAnalysis } from './analysis.js';
import { conditionHolds } from './stage-machine.js';
import { containsKeyword, firstKeyword, normalise, words } from './text-match.js';

// Small en+ru lexicons. They make the offline analysis deterministic and honest (it is
// labelled `offline`); a model reads the messages far better.
const STOP = [
  'stop',
  'unsubscribe',
  'leave me alone',
  'do not write',
  "don't write",
  'стоп',
  'отпишите',
  'не пишите',
  'хватит писать',
];
const CONSENT = [
  "i'm in",
  'i am in',
  'count me in',
  'sign me up',
  'i want to join',
  'i want to enrol',
  'i want to enroll',
  "let's do it",
  'lets do it',
  "i'll take it",
  'i agree',
  'where do i pay',
  'how do i pay',
  'ready to start',
  'i want in',
  'давайте',
  'согласен',
  'согласна',
  'записывайте',
  'запишите',
  'хочу записаться',
  'хочу присоединиться',
  'беру',
  'я в деле',
  'готов начать',
  'готова начать',
  'как оплатить',
  'куда платить',
];
const NEGATION = ['not', "don't", 'dont', 'no', 'never', 'не', 'нет', 'никогда'];
const REFUSAL = [
  'not interested',
  'no thanks',
  'no, thanks',
  'не интересно',
  'неинтересно',
  'не надо',
  'не нужно',
  'нет, спасибо',
];
const NEED = [
  'i want',
  'i need',
  'struggle',
  'problem',
  "can't",
  'cannot',
  'stuck',
  'career',
  'хочу',
  'нужно',
  'надо',
  'не получается',
  'проблем*',
  'сложно',
  'карьер*',
];
const HESITANT = [
  'maybe',
  'not sure',
  'perhaps',
  'i guess',
  'может',
  'не уверен',
  'не уверена',
  'наверное',
  'подумаю',
];
const QUESTION_WORDS = [
  'what',
  'how',
  'when',
  'where',
  'why',
  'which',
  'who',
  'is there',
  'do you',
  'can i',
  'что',
  'как',
  'когда',
  'где',
  'почему',
  'сколько',
  'какой',
  'какие',
  'можно ли',
  'есть ли',
];

export interface OfflineAnalyserInput extends AnalysisInput {
  script: ScriptDefinition;
  stage: Stage;
  questionnaireDone: boolean;
}

/**
 * The deterministic analyser used when no model is configured: keyword lexicons, core's en/ru
 * sentiment lexicon and the script's own vocabulary (transition and objection keywords,
 * facts). Proposes the first transition of the stage whose condition the message meets.
 */
export function analyseOffline(input: OfflineAnalyserInput): MessageAnalysis {
  const { text, script, stage } = input;
  const norm = normalise(text);
  const stopWords = [...STOP, ...script.triggers.flatMap((t) => (t.on === 'stop' ? t.keywords : []))];
  const isStop = Boolean(firstKeyword(text, stopWords)) && words(text).length <= 6;
  const consentPhrase = firstKeyword(text, CONSENT);
  const negated = consentPhrase !== undefined && hasNegationBefore(norm, normalise(consentPhrase));
  const consent = !isStop && consentPhrase !== undefined && !negated;
  const handlers = [stage, ...script.stages.filter((s) => s.id !== stage.id)].flatMap((s) => s.objections);
  const objections = [
    ...new Set(handlers.filter((h) => firstKeyword(text, h.keywords)).map((h) => h.id)),
  ].slice(0, 3);
  const sentiment = classifySentiment(text).label;
  const isQuestion = norm.includes('?') || QUESTION_WORDS.some((w) => norm.startsWith(`${w} `) || norm === w);
  const refusal = Boolean(firstKeyword(text, REFUSAL));
  const core = classifyIntent(text).intent;

  let intent: Intent;
  if (isStop) intent = 'stop';
  else if (consent) intent = 'consent';
  else if (objections.length) intent = 'objection';
  else if (refusal) intent = 'refusal';
  else if (core === 'greeting' && words(text).length <= 4) intent = 'greeting';
  else if (isQuestion) intent = 'question';
  else if (firstKeyword(text, NEED)) intent = 'need';
  else if (stage.questionnaire && !input.questionnaireDone) intent = 'answer';
  else intent = 'other';

  const vocabulary = [
    ...stage.transitions.flatMap((t) => t.when.keywords ?? []),
    ...stage.objections.flatMap((o) => o.keywords),
    ...(stage.questionnaire?.questions.flatMap((q) => q.options ?? []) ?? []),
  ];
  const onScript = vocabulary.some((k) => containsKeyword(text, k));
  const factWords = new Set(
    script.product.facts.flatMap((f) => [f.key, ...words(f.text)]).filter((w) => w.length > 3),
  );
  const factHit = words(text).some((w) => factWords.has(w));
  let score = 0.5;
  if (onScript || consent || objections.length) score += 0.35;
  if (intent === 'greeting' && stage.id === script.startStage) score += 0.3;
  if (intent === 'answer' || intent === 'need') score += 0.25;
  if (intent === 'question') score += factHit ? 0.1 : -0.3;
  if (text.length > 280) score -= 0.15;
  if (sentiment === 'negative' && !objections.length) score -= 0.2;
  if (refusal) score -= 0.2;
  const scriptFitScore = Math.round(Math.min(1, Math.max(0, score)) * 100) / 100;

  const tone =
    sentiment === 'negative' && (/!{2,}/.test(text) || refusal)
      ? 'irritated'
      : firstKeyword(text, HESITANT)
        ? 'hesitant'
        : sentiment === 'positive'
          ? 'friendly'
          : 'neutral';

  const partial = {
    summary: summaryOf(text),
    tone,
    sentiment,
    intent,
    objections,
    scriptFitScore,
    consent: { given: consent, evidence: consent ? (consentPhrase ?? null) : null },
    proposedTransition: null,
    source: 'offline' as const,
    fallbackReason: null,
    tokens: 0,
    latencyMs: 0,
  } satisfies MessageAnalysis;
  const transition = stage.transitions.find(
    (t) =>
      Object.keys(t.when).length > 0 &&
      conditionHolds(t.when, {
        text,
        analysis: partial,
        stageTurns: input.stageTurns,
        questionnaireDone: input.questionnaireDone,
      }),
  );
  return transition
    ? {
        ...partial,
        proposedTransition: {
          to: transition.to,
          reason: 'offline: the message meets the transition condition',
        },
      }
    : partial;
}

function hasNegationBefore(text: string, phrase: string): boolean {
  const at = text.indexOf(phrase);
  if (at < 0) return false;
  const before = text.slice(Math.max(0, at - 16), at).split(/[^\p{L}']+/u);
  return before.some((w) => NEGATION.includes(w));
}

/** Offline summary: the first sentence, shortened. */
function summaryOf(text: string): string {
  const first = text.split(/(?<=[.!?])\s/)[0] ?? text;
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}
