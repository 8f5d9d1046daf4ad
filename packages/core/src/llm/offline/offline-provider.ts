import type { ZodTypeAny } from 'zod';
import { type ParsedPassage, parseContextBlocks } from '../context-block.js';
import type { ChatMessage } from '../types.js';
import {
  bestPassages,
  matchTerms,
  queryTerms,
  rankByBm25,
  splitSentences,
  summarizeExtractively,
  termHits,
} from './extractive.js';
import { classifyIntent, classifySentiment, detectLanguage, type Intent } from './lexicon.js';

/**
 * The offline provider: used when no endpoint is configured. It never calls a model and
 * never pretends to be one. Texts start with OFFLINE_MARKER; results carry `offline: true`.
 * What it can do honestly: quote the best-matching passages of the context it was given,
 * summarise extractively, classify sentiment and intent with a lexicon, and fill structured
 * schemas with those extractions or plain defaults.
 */
export const OFFLINE_MARKER = '[offline]';
export const OFFLINE_MODEL = 'offline';

const TEXT = {
  en: {
    fromContext: 'From the provided context:',
    nothing:
      'No language model is configured, and nothing in the provided context matches your message. A person or a configured model can answer it.',
    summary: 'Extractive summary:',
    emptySummary: 'Nothing to summarise.',
    classification: (s: string, i: string) => `sentiment: ${s}; intent: ${i}`,
  },
  ru: {
    fromContext: 'Из предоставленного контекста:',
    nothing:
      'Языковая модель не подключена, и в предоставленном контексте нет ничего подходящего к вашему сообщению. Ответить сможет человек или подключённая модель.',
    summary: 'Извлечённое резюме:',
    emptySummary: 'Нечего резюмировать.',
    classification: (s: string, i: string) => `тональность: ${s}; намерение: ${i}`,
  },
};

const SUMMARY_WORDS = /summar|recap|tl;?dr|резюм|сводк|кратк|итог|обобщ|конспект/i;
const CLASSIFY_WORDS = /sentiment|intent|classif|тональн|намерен|классифи/i;
const CONTEXT_MARKER =
  /(?:^|\n)\s*(?:#+\s*)?(?:context|knowledge|passages|documents|sources|memories|facts|relevant[^:\n]*|контекст|знания|источники|документы|воспоминания|память|факты)\s*:?\s*(?:\n|$)|<(?:context|knowledge|documents|memories)>/i;
const INSTRUCTION_START =
  /^(?:you\b|you're|your\b|answer|reply|respond|do not|don't|never|always|use\b|be\b|act\b|keep|write|only|if\b|when\b|ты\b|вы\b|твоя|ваша|отвечай|отвечайте|используй|используйте|не\s|никогда|всегда|будь|пиши|только|если|когда)/i;

/** "user: ..." / "Assistant: ..." at the start of a transcript line. */
const SPEAKER_PREFIX = /^\s*(?:user|assistant|system|bot|human|ai|пользователь|ассистент|бот)\s*:\s*/i;

/** The message being answered: the last user message, without any context block in it. */
function lastUserMessage(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i -= 1)
    if (messages[i]!.role === 'user') return messages[i]!.content.replace(CONTEXT_BLOCKS, ' ').trim();
  return '';
}

const CONTEXT_BLOCKS = /(?:^|\n)[ \t]*<context>[ \t]*\n[\s\S]*?\n[ \t]*<\/context>[ \t]*(?=\n|$)/gi;

/**
 * The grounding passages of a request: the passages of its `<context>` blocks (see
 * context-block.ts). The conversation (the user's earlier questions, the assistant's replies)
 * and the instructions are never passages.
 */
export function groundingPassages(messages: ChatMessage[]): ParsedPassage[] {
  return messages.flatMap((m) => (m.role === 'assistant' ? [] : parseContextBlocks(m.content)));
}

/**
 * Sentences the answer may quote when a request has no `<context>` block: the sections of
 * system messages introduced by a marker line ("Context:", "Knowledge:", "Контекст:").
 * Unmarked system text is instructions; user and assistant turns are conversation.
 */
export function contextPassages(messages: ChatMessage[]): string[] {
  const passages: string[] = [];
  for (const message of messages) {
    if (message.role !== 'system') continue;
    const marker = message.content.match(CONTEXT_MARKER);
    if (!marker || marker.index === undefined) continue;
    const after = message.content.slice(marker.index + marker[0].length).replace(/<\/\w+>/g, '\n');
    // A line ending with a colon labels what follows (e.g. "[2] Deposit and payment:"): not a fact to quote.
    passages.push(...splitSentences(after).filter((s) => !/:$/.test(s)));
  }
  return [...new Set(passages)];
}

/** Share of the best passage's score another passage needs to be quoted too. */
const SECOND_PASSAGE_SHARE = 0.5;
const MAX_PASSAGES = 2;
const MAX_SENTENCES_PER_PASSAGE = 4;
/** Share of the best sentence's score a sentence of a chosen passage needs to be quoted. */
const SENTENCE_SHARE = 0.4;

/**
 * The sentences to quote from grounding passages: the best passage (label and text matched
 * against the question, synonyms included) and at most one more that scores at least half as
 * well; from each, its sentences that match the question well (all of them when only the
 * label matched, e.g. "Fleet and prices" for "What do you charge?"). Passages in the
 * question's language are preferred.
 */
export function quotesFromPassages(
  passages: ParsedPassage[],
  query: string,
  language: 'en' | 'ru',
): string[] {
  const sameLanguage = passages.filter((p) => {
    const l = passageLanguage(p.text);
    return l === null || l === language;
  });
  const terms = queryTerms(query);
  const pick = (pool: ParsedPassage[]) => {
    const docs = pool.map((p) => matchTerms(`${p.label ?? ''}\n${p.text}`));
    const ranked = rankByBm25(
      pool.map((p) => `${p.label ?? ''}\n${p.text}`),
      query,
    )
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score);
    if (!ranked.length) return [];
    const covered = (index: number) => terms.filter((term) => termHits(term, docs[index]!) > 0);
    const first = new Set(covered(ranked[0]!.index));
    // A second passage only when it answers a part of the question the best one does not
    // ("Where do I live and what is my dog called?"), not because it repeats the same word.
    const second = ranked
      .slice(1)
      .find(
        (r) =>
          r.score >= ranked[0]!.score * SECOND_PASSAGE_SHARE && covered(r.index).some((t) => !first.has(t)),
      );
    // In the caller's order: callers list passages best first (retrieval rank).
    return [ranked[0]!, ...(second && MAX_PASSAGES > 1 ? [second] : [])]
      .sort((a, b) => a.index - b.index)
      .map((r) => pool[r.index]!);
  };
  let pool = sameLanguage;
  let chosen = pick(pool);
  if (!chosen.length) {
    pool = passages;
    chosen = pick(pool);
  }
  // A term's weight is its rarity among the passages given (IDF): within a chosen passage,
  // a sentence matching only words every passage has ("cost", "car") is not quoted beside one
  // matching the rare word the question is about ("SUV"), unless all it has is the common word.
  const docs = pool.map((p) => matchTerms(`${p.label ?? ''}\n${p.text}`));
  // Words of the synonym groups (price, rent, car, age…) are the generic vocabulary of service
  // questions and weigh half: "How much does an SUV cost?" quotes the SUV line, not every price,
  // while "How much does it cost to rent a car?" (generic words only) quotes all of them.
  const weights = terms.map((term) => {
    const df = docs.filter((d) => termHits(term, d) > 0).length;
    const generic = term.alternatives.length > 1 ? 0.5 : 1;
    return generic * Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
  });
  const quotes: string[] = [];
  for (const passage of chosen) {
    const sentences = splitSentences(passage.text);
    const scores = sentences.map((sentence) => {
      const words = matchTerms(sentence);
      return terms.reduce((sum, term, t) => sum + (termHits(term, words) > 0 ? weights[t]! : 0), 0);
    });
    const best = Math.max(0, ...scores);
    const matching = sentences.filter((_, i) => best > 0 && scores[i]! >= best * SENTENCE_SHARE);
    quotes.push(...(matching.length ? matching : sentences).slice(0, MAX_SENTENCES_PER_PASSAGE));
  }
  return [...new Set(quotes)];
}

/** The language of a passage, or null when it has no letters of either script (numbers, codes). */
function passageLanguage(text: string): 'en' | 'ru' | null {
  return /[\u0400-\u04FFA-Za-z]/.test(text) ? detectLanguage(text) : null;
}

/**
 * The passages to quote: the best matches among those in the question's language (the reply
 * is in that language too); other languages only when none of those match.
 */
export function bestPassagesFor(passages: string[], query: string, language: 'en' | 'ru', max = 3): string[] {
  const sameLanguage = passages.filter((p) => {
    const l = passageLanguage(p);
    return l === null || l === language;
  });
  // Without passage structure every sentence stands alone: keep only strong matches.
  const preferred = bestPassages(sameLanguage, query, max, 0.5);
  const chosen = preferred.length > 0 ? preferred : bestPassages(passages, query, max, 0.5);
  return chosen.map((r) => r.text);
}

/** Text to summarise: everything except the instructions. */
function summaryMaterial(messages: ChatMessage[]): string {
  const nonSystem = messages.filter((m) => m.role !== 'system' && !m.content.startsWith(OFFLINE_MARKER));
  const parts = nonSystem.map((m) => m.content);
  const systemContext = messages
    .filter((m) => m.role === 'system')
    .map((m) => {
      const marker = m.content.match(CONTEXT_MARKER);
      return marker?.index !== undefined ? m.content.slice(marker.index + marker[0].length) : '';
    })
    .filter(Boolean);
  return [...systemContext, ...parts]
    .join('\n')
    .split('\n')
    .filter((line) => !(SUMMARY_WORDS.test(line) && INSTRUCTION_START.test(line.trim())))
    .map((line) => line.replace(SPEAKER_PREFIX, ''))
    .join('\n');
}

export interface OfflineAnalysis {
  language: 'en' | 'ru';
  query: string;
  wantsSummary: boolean;
  wantsClassification: boolean;
  matches: string[];
  summary: string[];
  sentiment: ReturnType<typeof classifySentiment>;
  intent: ReturnType<typeof classifyIntent>;
}

export function analyze(messages: ChatMessage[], purpose: string): OfflineAnalysis {
  const query = lastUserMessage(messages);
  const instructions = `${purpose}\n${messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content.slice(0, 400))
    .join('\n')}\n${query.slice(0, 200)}`;
  const wantsSummary = SUMMARY_WORDS.test(purpose) || SUMMARY_WORDS.test(instructions);
  const language = detectLanguage(query || messages.map((m) => m.content).join(' '));
  const grounding = groundingPassages(messages);
  return {
    language,
    query,
    wantsSummary,
    wantsClassification: CLASSIFY_WORDS.test(purpose),
    matches: grounding.length
      ? quotesFromPassages(grounding, query, language)
      : bestPassagesFor(contextPassages(messages), query, language, 3),
    summary: wantsSummary ? summarizeExtractively(summaryMaterial(messages), 3) : [],
    sentiment: classifySentiment(query),
    intent: classifyIntent(query),
  };
}

/** The offline chat answer (starts with OFFLINE_MARKER). */
export function offlineChatAnswer(
  messages: ChatMessage[],
  purpose: string,
  noMatch?: { en: string; ru: string },
): string {
  const a = analyze(messages, purpose);
  const t = TEXT[a.language];
  if (a.wantsClassification)
    return `${OFFLINE_MARKER} ${t.classification(a.sentiment.label, a.intent.intent)}`;
  if (a.wantsSummary) {
    return a.summary.length > 0
      ? `${OFFLINE_MARKER} ${t.summary} ${a.summary.join(' ')}`
      : `${OFFLINE_MARKER} ${t.emptySummary}`;
  }
  if (a.matches.length > 0) return `${OFFLINE_MARKER} ${t.fromContext} ${a.matches.join(' ')}`;
  return `${OFFLINE_MARKER} ${noMatch?.[a.language] ?? t.nothing}`;
}

// ---------------------------------------------------------------------------------------
// Structured output: walk the zod (v3) schema and fill it with extractions or plain defaults.

function def(schema: ZodTypeAny): any {
  return (schema as any)._def ?? {};
}

const SENTIMENT_SYNONYMS: Record<string, string[]> = {
  positive: ['positive', 'pos', 'good', 'happy', 'позитив', 'положительн'],
  negative: ['negative', 'neg', 'bad', 'angry', 'негатив', 'отрицательн'],
  neutral: ['neutral', 'neu', 'none', 'нейтральн'],
};

const INTENT_SYNONYMS: Record<Intent, string[]> = {
  human_request: ['human', 'manager', 'operator', 'handoff', 'escalat', 'agent', 'contact'],
  complaint: ['complain', 'complaint', 'problem', 'issue'],
  thanks: ['thank', 'gratitude'],
  greeting: ['greet', 'hello', 'hi'],
  goodbye: ['goodbye', 'bye', 'farewell'],
  request: ['request', 'order', 'book', 'task', 'action'],
  question: ['question', 'ask', 'info', 'faq', 'knowledge', 'answer'],
  other: ['other', 'unknown', 'none', 'smalltalk', 'chat'],
};

function pickEnumValue(key: string, values: unknown[], a: OfflineAnalysis): unknown {
  const strings = values.filter((v): v is string => typeof v === 'string');
  const find = (synonyms: string[]) =>
    strings.find((v) => synonyms.some((s) => v.toLowerCase() === s || v.toLowerCase().startsWith(s)));
  if (/sentiment|tone|mood|тональ/i.test(key)) {
    const hit = find(SENTIMENT_SYNONYMS[a.sentiment.label]!);
    if (hit) return hit;
  }
  if (/intent|category|kind|type|намерен/i.test(key)) {
    const hit = find(INTENT_SYNONYMS[a.intent.intent]!);
    if (hit) return hit;
  }
  if (/lang/i.test(key)) {
    const hit = strings.find((v) => v.toLowerCase().startsWith(a.language));
    if (hit) return hit;
  }
  return values[0];
}

function textFor(key: string, a: OfflineAnalysis): string {
  const k = key.toLowerCase();
  if (/summary|resume|recap|abstract|резюме|итог/.test(k))
    return (a.summary.length ? a.summary : a.matches).join(' ');
  if (/title|headline|subject|name|заголов|назван/.test(k)) {
    const source = a.summary[0] ?? a.matches[0] ?? a.query;
    const words = source.split(/\s+/).slice(0, 8).join(' ');
    return words.length > 80 ? `${words.slice(0, 77)}...` : words;
  }
  if (/lang/.test(k)) return a.language;
  if (/sentiment|tone/.test(k)) return a.sentiment.label;
  if (/intent/.test(k)) return a.intent.intent;
  if (/answer|reply|response|text|content|message|ответ/.test(k)) {
    return a.matches.length ? a.matches.join(' ') : a.summary.join(' ');
  }
  return '';
}

function listFor(key: string, a: OfflineAnalysis): string[] {
  const k = key.toLowerCase();
  if (/fact|memor|point|highlight|item|sentence|note|takeaway|key|факт|пункт/.test(k)) {
    return a.wantsSummary ? a.summary : a.matches;
  }
  if (/quote|passage|source|evidence|citation|цитат/.test(k)) return a.matches;
  return [];
}

function numberFor(key: string, a: OfflineAnalysis, checks: any[]): number {
  const min = checks.find((c) => c.kind === 'min');
  const max = checks.find((c) => c.kind === 'max');
  let value = 0;
  if (/sentiment|score/i.test(key) && !/confidence/i.test(key)) value = a.sentiment.score;
  if (min && (value < min.value || (!min.inclusive && value === min.value)))
    value = min.value + (min.inclusive ? 0 : 1);
  if (max && value > max.value) value = max.value;
  if (checks.some((c) => c.kind === 'int')) value = Math.round(value);
  return value;
}

/** A value for `schema` built only from what the analysis found, or honest empty defaults. */
export function fillSchema(schema: ZodTypeAny, a: OfflineAnalysis, key = '', depth = 0): unknown {
  if (depth > 16) return undefined;
  const d = def(schema);
  switch (d.typeName) {
    case 'ZodObject': {
      const shape = typeof d.shape === 'function' ? d.shape() : d.shape;
      const out: Record<string, unknown> = {};
      for (const [field, child] of Object.entries<ZodTypeAny>(shape ?? {})) {
        const value = fillSchema(child, a, field, depth + 1);
        if (value !== undefined) out[field] = value;
      }
      return out;
    }
    case 'ZodString': {
      const text = textFor(key, a);
      const min = (d.checks ?? []).find((c: any) => c.kind === 'min')?.value ?? 0;
      const max = (d.checks ?? []).find((c: any) => c.kind === 'max')?.value;
      let value = text.length >= min ? text : text || OFFLINE_MARKER;
      if (max !== undefined && value.length > max) value = value.slice(0, max);
      return value;
    }
    case 'ZodNumber':
      return numberFor(key, a, d.checks ?? []);
    case 'ZodBigInt':
      return 0n;
    case 'ZodBoolean':
      return false;
    case 'ZodDate':
      return new Date(0);
    case 'ZodNull':
      return null;
    case 'ZodLiteral':
      return d.value;
    case 'ZodEnum':
      return pickEnumValue(key, d.values, a);
    case 'ZodNativeEnum':
      return pickEnumValue(
        key,
        // Numeric TS enums carry a reverse mapping (0 -> 'A'); keep only the real values.
        Object.values(d.values).filter(
          (v) => typeof v === 'number' || typeof d.values[v as string] !== 'number',
        ),
        a,
      );
    case 'ZodArray': {
      const min = d.minLength?.value ?? d.exactLength?.value ?? 0;
      const max = d.maxLength?.value ?? d.exactLength?.value;
      const itemType = def(d.type).typeName;
      let items: unknown[] = [];
      if (itemType === 'ZodString') items = listFor(key, a);
      else if (itemType === 'ZodObject' && /fact|memor|item|point/i.test(key)) {
        items = listFor(key, a).map((text) => {
          const filled = fillSchema(
            d.type,
            { ...a, matches: [text], summary: [text] },
            '',
            depth + 1,
          ) as Record<string, unknown>;
          return filled;
        });
      }
      while (items.length < min) items.push(fillSchema(d.type, a, key, depth + 1));
      return max !== undefined ? items.slice(0, max) : items;
    }
    case 'ZodTuple':
      return (d.items as ZodTypeAny[]).map((item) => fillSchema(item, a, key, depth + 1));
    case 'ZodRecord':
    case 'ZodMap':
      return d.typeName === 'ZodMap' ? new Map() : {};
    case 'ZodSet':
      return new Set();
    case 'ZodOptional':
      return undefined;
    case 'ZodNullable': {
      const inner = fillSchema(d.innerType, a, key, depth + 1);
      return inner === '' || (Array.isArray(inner) && inner.length === 0) ? null : inner;
    }
    case 'ZodDefault':
      return d.defaultValue();
    case 'ZodCatch':
    case 'ZodReadonly':
    case 'ZodBranded':
      return fillSchema(d.innerType ?? d.type, a, key, depth + 1);
    case 'ZodEffects':
      return fillSchema(d.schema, a, key, depth + 1);
    case 'ZodPipeline':
      return fillSchema(d.in, a, key, depth + 1);
    case 'ZodLazy':
      return fillSchema(d.getter(), a, key, depth + 1);
    case 'ZodUnion':
    case 'ZodDiscriminatedUnion': {
      const options: ZodTypeAny[] = Array.isArray(d.options) ? d.options : [...d.options.values()];
      return fillSchema(options[0]!, a, key, depth + 1);
    }
    case 'ZodIntersection': {
      const left = fillSchema(d.left, a, key, depth + 1);
      const right = fillSchema(d.right, a, key, depth + 1);
      return typeof left === 'object' && typeof right === 'object' ? { ...left, ...right } : left;
    }
    default:
      return null;
  }
}
