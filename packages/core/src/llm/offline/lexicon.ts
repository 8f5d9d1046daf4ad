import { words } from '../../vector/text-features.js';

/**
 * A small en+ru lexicon for the offline provider. Entries are stems: a word matches when it
 * equals the stem or, for stems of four letters or more, starts with it (so "спасибо",
 * "благодарю", "благодарен" all hit "благодар"). Deliberately small and predictable; it is
 * a fallback, not a model.
 */

/** `a|b c|d` -> ['a', 'b c', 'd'] (compact word lists). */
function list(text: string): string[] {
  return text.split('|');
}

const POSITIVE = list(
  'good|great|excellent|awesome|amazing|perfect|love|like|nice|happy|glad|thank|thanks|' +
    'helpful|wonderful|fantastic|satisf|recommend|best|cool|fine|fast|easy|works|solved|pleased|' +
    'enjoy|хорош|отличн|прекрасн|замечательн|супер|класс|нрав|люблю|спасиб|благодар|доволен|' +
    'довольн|рад|рада|удобн|быстр|помог|решен|лучш|круто|шикарн|рекоменд|молодц',
);

const NEGATIVE = list(
  'bad|terrible|awful|horrible|hate|worst|poor|broken|angry|annoy|disappoint|slow|problem|' +
    'issue|fail|error|bug|wrong|useless|scam|refund|complain|unhappy|upset|never|late|lost|' +
    "crash|stuck|cannot|can't|doesn|doesn't|плох|ужасн|отвратит|ненави|худш|сломал|злой|зол|" +
    'бесит|раздраж|разочаров|медлен|проблем|ошибк|баг|неправильн|бесполезн|обман|мошен|возврат|' +
    'жалоб|недовол|опоздал|потерял|не работает|кошмар|долго',
);

const NEGATORS = new Set([
  'not',
  'no',
  "don't",
  'dont',
  "isn't",
  "wasn't",
  'never',
  'не',
  'нет',
  'ни',
  'без',
]);

const INTENTS: Record<Exclude<Intent, 'question' | 'other'>, string[]> = {
  human_request: list(
    'manager|operator|human|person|agent|support team|real person|call me|someone|менеджер|' +
      'оператор|человек|живой|сотрудник|специалист|позовите|соедините|позвоните',
  ),
  complaint: list(
    'complain|complaint|refund|broken|terrible|awful|unacceptable|disappoint|angry|жалоб|' +
      'претензи|возврат|верните|безобраз|ужасн|недовол|возмутит|обман',
  ),
  thanks: ['thank', 'thanks', 'thx', 'appreciate', 'спасиб', 'благодар', 'признател'],
  greeting: list(
    'hello|hi|hey|good morning|good evening|good afternoon|greetings|привет|здравствуй|' +
      'здравствуйте|добрый день|добрый вечер|доброе утро|хай|салют',
  ),
  goodbye: ['bye', 'goodbye', 'see you', 'farewell', 'пока', 'до свидания', 'всего доброго', 'до встречи'],
  request: list(
    'want|need|would like|please|book|order|buy|reserve|rent|help me|can you|хочу|нужно|нужен|' +
      'нужна|надо|пожалуйста|забронир|заказ|купить|арендо|помогите',
  ),
};

export type Sentiment = 'positive' | 'negative' | 'neutral';
export type Intent =
  | 'greeting'
  | 'thanks'
  | 'goodbye'
  | 'complaint'
  | 'human_request'
  | 'request'
  | 'question'
  | 'other';

function hits(stem: string, tokens: string[], joined: string): number {
  if (stem.includes(' ')) return joined.includes(` ${stem}`) ? 1 : 0;
  let count = 0;
  for (const token of tokens) {
    if (token === stem || (stem.length >= 4 && token.startsWith(stem))) count += 1;
  }
  return count;
}

/** Lexicon sentiment of an en/ru text: label and a score in [-1, 1]. Negators flip the next word. */
export function classifySentiment(text: string): { label: Sentiment; score: number } {
  const tokens = words(text);
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    const negated = i > 0 && NEGATORS.has(tokens[i - 1]!);
    const isPositive = POSITIVE.some(
      (stem) => token === stem || (stem.length >= 4 && token.startsWith(stem)),
    );
    const isNegative = NEGATIVE.some(
      (stem) => !stem.includes(' ') && (token === stem || (stem.length >= 4 && token.startsWith(stem))),
    );
    if (isPositive) {
      if (negated) negative += 1;
      else positive += 1;
    } else if (isNegative) {
      // "not bad" is mildly positive, not as positive as "good".
      if (negated) positive += 0.5;
      else negative += 1;
    }
  }
  const joined = ` ${tokens.join(' ')} `;
  for (const phrase of NEGATIVE.filter((stem) => stem.includes(' ')))
    if (joined.includes(` ${phrase}`)) negative += 1;
  if (/!{2,}/.test(text) && negative > 0) negative += 0.5;
  const total = positive + negative;
  if (total === 0) return { label: 'neutral', score: 0 };
  const score = Math.round(((positive - negative) / total) * 100) / 100;
  const label: Sentiment = score > 0.2 ? 'positive' : score < -0.2 ? 'negative' : 'neutral';
  return { label, score };
}

const QUESTION_WORDS = list(
  'what|when|where|who|why|how|which|is|are|do|does|can|could|will|что|когда|где|кто|почему|' +
    'зачем|как|какой|какая|какие|сколько|можно|ли',
);

/**
 * Lexicon intent of an en/ru message. A request for a human wins over everything (support
 * handoff must never be missed), then complaints, then the rest by hit count.
 */
export function classifyIntent(text: string): { intent: Intent; confidence: number } {
  const tokens = words(text);
  if (tokens.length === 0) return { intent: 'other', confidence: 0 };
  const joined = ` ${tokens.join(' ')} `;
  const scores = Object.entries(INTENTS).map(([intent, stems]) => ({
    intent: intent as Intent,
    score: stems.reduce((sum, stem) => sum + hits(stem, tokens, joined), 0),
  }));
  const byName = Object.fromEntries(scores.map((s) => [s.intent, s.score]));
  const confidence = (score: number) => Math.min(0.95, 0.5 + 0.15 * score);
  if (byName.human_request! > 0)
    return { intent: 'human_request', confidence: confidence(byName.human_request!) };
  if (byName.complaint! > 0) return { intent: 'complaint', confidence: confidence(byName.complaint!) };
  const isQuestion = text.includes('?') || QUESTION_WORDS.includes(tokens[0]!);
  const short = tokens.length <= 4;
  for (const intent of ['thanks', 'greeting', 'goodbye'] as const) {
    if (byName[intent]! > 0 && (short || !isQuestion))
      return { intent, confidence: confidence(byName[intent]!) };
  }
  if (isQuestion) return { intent: 'question', confidence: text.includes('?') ? 0.8 : 0.6 };
  if (byName.request! > 0) return { intent: 'request', confidence: confidence(byName.request!) };
  return { intent: 'other', confidence: 0.3 };
}

/** 'ru' when most letters are Cyrillic, else 'en'. */
export function detectLanguage(text: string): 'ru' | 'en' {
  const cyrillic = text.match(/[\u0400-\u04FF]/g)?.length ?? 0;
  const latin = text.match(/[A-Za-z]/g)?.length ?? 0;
  return cyrillic > latin ? 'ru' : 'en';
}
