import { synonymsOf } from '@botloom/core';

/**
 * A small lexical index over the knowledge chunks: which question words occur in which chunk,
 * weighted by how rare they are in the whole knowledge (IDF). It complements the vector
 * score: a short question like "Какой залог?" that names a word of exactly one passage is a
 * strong match even when the embedding similarity of so few words is low, and a question whose
 * key word is nowhere in the knowledge ("yachts") is a weak match whatever else it shares.
 * Question words are expanded with core's small en/ru synonym groups (`synonymsOf`), so
 * "minimum age" finds "at least 21 years old" and "prices" finds "cost".
 */

/** Function words (en, ru) that say nothing about the topic; question words included. */
const FUNCTION_WORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being it its this that ' +
    'these those i you he she we they me my your our their his her them us do does did have has had not no ' +
    'so than then there here what which who whom how when where why can could would should will shall may ' +
    'might must just also too very about into over under up down out off again once all any both each few ' +
    'more most other some such only own same don now please much many tell know want need get there ' +
    'hello hi thanks thank ' +
    'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было ' +
    'вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был него до вас нибудь ' +
    'уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам ' +
    'чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой какая какие какое ' +
    'каков какова каковы сколько скольки скольких скажите подскажите расскажите здравствуйте привет спасибо пожалуйста ' +
    'этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец об ' +
    'хоть после над тот через эти нас про всего них много разве эту моя впрочем хорошо хочу хотел хотела ' +
    'свою этой перед иногда чуть том нельзя такой им всегда конечно всю между это ваш ваша ваше ваши вашей'
  ).split(/\s+/),
);

const WORD = /[\p{L}\p{N}]+/gu;

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/ё/g, 'е');
}

/** Content words of a text: lowercased (ё → е), function words dropped, English plurals folded. */
export function lexicalTerms(text: string): string[] {
  const out: string[] = [];
  for (const raw of normalize(text).match(WORD) ?? []) {
    if (FUNCTION_WORDS.has(raw)) continue;
    if (raw.length < 2 && !/\d/.test(raw)) continue;
    out.push(/^[a-z]{3,}s$/.test(raw) && !/(?:ss|us|is)$/.test(raw) ? raw.slice(0, -1) : raw);
  }
  return out;
}

/**
 * Light stemming as a comparison: two words match when equal, or when they share a prefix of
 * at least four letters that leaves at most three letters of either ("залог"/"залога",
 * "внедорожник"/"внедорожники", "rent"/"rental"), enough for en and ru inflections without
 * a dictionary. Numbers match only exactly.
 */
export function termsMatch(a: string, b: string): boolean {
  if (a === b) return true;
  if (/\d/.test(a) || /\d/.test(b)) return false;
  const limit = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a[prefix] === b[prefix]) prefix += 1;
  return prefix >= 4 && prefix >= Math.max(a.length, b.length) - 3;
}

/** A synonym entry ending with `*` is a prefix; otherwise it matches like a question word. */
function alternativeMatches(alternative: string, word: string): boolean {
  return alternative.endsWith('*')
    ? word.startsWith(alternative.slice(0, -1))
    : termsMatch(alternative, word);
}

export interface LexicalChunk {
  /** Identifies the chunk, e.g. `<itemId>:<n>`. */
  key: string;
  text: string;
  title: string;
  heading: string | null;
  chunk: number;
}

interface IndexedChunk extends LexicalChunk {
  terms: Set<string>;
}

export class LexicalIndex {
  private readonly chunks = new Map<string, IndexedChunk[]>();
  private readonly byKey = new Map<string, IndexedChunk>();
  /** term -> keys of the chunks holding it */
  private postings = new Map<string, Set<string>>();
  private dirty = false;

  get size(): number {
    return this.byKey.size;
  }

  /** Replaces the chunks of one item. */
  set(itemId: string, chunks: LexicalChunk[]): void {
    this.remove(itemId);
    const indexed = chunks.map((c) => ({ ...c, terms: new Set(lexicalTerms(c.text)) }));
    this.chunks.set(itemId, indexed);
    for (const chunk of indexed) this.byKey.set(chunk.key, chunk);
    this.dirty = true;
  }

  remove(itemId: string): void {
    for (const chunk of this.chunks.get(itemId) ?? []) this.byKey.delete(chunk.key);
    if (this.chunks.delete(itemId)) this.dirty = true;
  }

  chunk(key: string): LexicalChunk | undefined {
    return this.byKey.get(key);
  }

  has(itemId: string): boolean {
    return this.chunks.has(itemId);
  }

  items(): string[] {
    return [...this.chunks.keys()];
  }

  private rebuildPostings(): void {
    if (!this.dirty) return;
    const postings = new Map<string, Set<string>>();
    for (const list of this.chunks.values())
      for (const chunk of list)
        for (const term of chunk.terms) {
          const keys = postings.get(term) ?? new Set<string>();
          keys.add(chunk.key);
          postings.set(term, keys);
        }
    this.postings = postings;
    this.dirty = false;
  }

  /**
   * Lexical score of every chunk that shares a word with the question, in [0, 1]: the
   * IDF-weighted share of the question's content words found in the chunk. Words found nowhere
   * in the knowledge weigh the most, so they pull every score down.
   */
  score(question: string): Map<string, number> {
    this.rebuildPostings();
    const scores = new Map<string, number>();
    const terms = [...new Set(lexicalTerms(question))];
    const total = this.size;
    if (!terms.length || !total) return scores;
    let weightSum = 0;
    const matched: Array<{ weight: number; keys: Set<string> }> = [];
    for (const term of terms) {
      // Query expansion: a synonym found in a chunk counts as the word ("age" / "old").
      const alternatives = synonymsOf(term);
      const keys = new Set<string>();
      for (const [word, holders] of this.postings)
        if (termsMatch(term, word) || alternatives.some((alt) => alternativeMatches(alt, word)))
          for (const key of holders) keys.add(key);
      const weight = Math.log(1 + (total - keys.size + 0.5) / (keys.size + 0.5));
      weightSum += weight;
      if (keys.size) matched.push({ weight, keys });
    }
    for (const { weight, keys } of matched)
      for (const key of keys) scores.set(key, (scores.get(key) ?? 0) + weight);
    for (const [key, sum] of scores) scores.set(key, sum / weightSum);
    return scores;
  }
}
