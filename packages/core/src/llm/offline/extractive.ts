import { STOP_WORDS, words } from '../../vector/text-features.js';
import { matchesAlternative, synonymsOf } from './synonyms.js';

/** Crude, language-agnostic stemming: the first five letters (enough for en and ru inflections). */
export function stem(word: string): string {
  return word.length > 5 ? word.slice(0, 5) : word;
}

export function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/.test(w)))
    .map(stem);
}

/** Splits text into sentences (also on line breaks and list items). */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => line.split(/(?<=[.!?…])\s+(?=[\p{Lu}\p{N}"«(])/u))
    .map((s) => s.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim())
    .filter((s) => s.length > 0 && /[\p{L}\p{N}]/u.test(s));
}

export interface RankedSentence {
  text: string;
  index: number;
  score: number;
}

/** Content words for matching: lowercased, stop words dropped, English plurals folded. */
export function matchTerms(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/.test(w)))
    .map((w) => (/^[a-z]{3,}s$/.test(w) && !/(?:ss|us|is)$/.test(w) ? w.slice(0, -1) : w));
}

/**
 * Light stemming as a comparison: equal, or a shared prefix of 4+ letters that leaves at most
 * three letters of either ("rent"/"rental", "залог"/"залога", "стоит"/"стоят" do not: 3+2).
 * Numbers match only exactly.
 */
export function termsMatch(a: string, b: string): boolean {
  if (a === b) return true;
  if (/\d/.test(a) || /\d/.test(b)) return false;
  const limit = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a[prefix] === b[prefix]) prefix += 1;
  return prefix >= 4 && prefix >= Math.max(a.length, b.length) - 3;
}

/** One query term and the words that count as it (itself and its synonyms). */
export interface QueryTerm {
  alternatives: string[];
}

export function queryTerms(query: string): QueryTerm[] {
  const seen = new Set<string>();
  const out: QueryTerm[] = [];
  for (const term of matchTerms(query)) {
    if (seen.has(term)) continue;
    seen.add(term);
    out.push({ alternatives: [term, ...synonymsOf(term)] });
  }
  return out;
}

export function termHits(term: QueryTerm, doc: string[]): number {
  return doc.filter((w) => term.alternatives.some((alt) => matchesAlternative(alt, w, termsMatch))).length;
}

/** BM25 of each passage against the query terms (k1 = 1.2, b = 0.75); synonyms count as the term. */
export function rankByBm25(passages: string[], query: string): RankedSentence[] {
  const terms = queryTerms(query);
  const docs = passages.map((p) => matchTerms(p));
  const n = docs.length;
  if (n === 0 || terms.length === 0) return passages.map((text, index) => ({ text, index, score: 0 }));
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / n || 1;
  const hits = terms.map((term) => docs.map((doc) => termHits(term, doc)));
  return passages.map((text, index) => {
    const doc = docs[index]!;
    let score = 0;
    terms.forEach((_, t) => {
      const tf = hits[t]![index]!;
      if (tf === 0) return;
      const df = hits[t]!.filter((h) => h > 0).length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += (idf * tf * 2.2) / (tf + 1.2 * (1 - 0.75 + (0.75 * doc.length) / avgLength));
    });
    return { text, index, score };
  });
}

/** The best passages for a query, in their original order; only those that share terms with it. */
export function bestPassages(passages: string[], query: string, max = 3, share = 1 / 3): RankedSentence[] {
  const ranked = rankByBm25(passages, query).filter((r) => r.score > 0);
  ranked.sort((a, b) => b.score - a.score);
  if (ranked.length === 0) return [];
  // Keep passages that score at least `share` of the best one: weak matches only add noise.
  const threshold = ranked[0]!.score * share;
  return ranked
    .filter((r) => r.score >= threshold)
    .slice(0, max)
    .sort((a, b) => a.index - b.index);
}

/**
 * Extractive summary: sentences scored by how many of the text's frequent content terms they
 * carry (centrality), with a small bonus for coming early; the top ones in original order.
 */
export function summarizeExtractively(text: string, maxSentences = 3): string[] {
  const sentences = splitSentences(text);
  if (sentences.length <= maxSentences) return sentences;
  const frequency = new Map<string, number>();
  const terms = sentences.map((s) => contentTerms(s));
  for (const sentenceTerms of terms)
    for (const t of new Set(sentenceTerms)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  const scored = sentences.map((text, index) => {
    const unique = [...new Set(terms[index]!)];
    const centrality =
      unique.reduce((sum, t) => sum + (frequency.get(t)! - 1), 0) / Math.sqrt(unique.length + 1);
    const position = 1 - index / (sentences.length * 2);
    return { text, index, score: centrality + 0.5 * position };
  });
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, maxSentences)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.text);
}
