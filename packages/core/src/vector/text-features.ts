/**
 * Tokenisation shared by the local embeddings and the offline LLM provider. Unicode-aware
 * (Latin and Cyrillic alike): lowercase, NFKC, `ё` folded into `е`, words are runs of letters
 * and digits.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/ё/g, 'е');
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

export function words(text: string): string[] {
  return normalizeText(text).match(WORD) ?? [];
}

/** Very common en/ru words that carry little meaning; down-weighted, not dropped. */
export const STOP_WORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being it its this that ' +
    'these those i you he she we they me my your our their his her them us do does did have has had not no ' +
    'so than then there here what which who whom how when where why can could would should will shall may ' +
    'might must just also too very about into over under up down out off again once all any both each few ' +
    'more most other some such only own same s t don now please ' +
    'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было ' +
    'вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь ' +
    'опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам ' +
    'чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь ' +
    'этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой ' +
    'хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо ' +
    'свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это'
  ).split(/\s+/),
);

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across processes and platforms. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Rough token count as tokenizers see it (~4 characters per token, at least one per word). */
export function estimateTokens(text: string): number {
  if (!text) return 0;
  const byChars = Math.ceil(text.length / 4);
  const byWords = Math.ceil((text.match(/\S+/g)?.length ?? 0) * 0.75);
  return Math.max(1, byChars, byWords);
}
