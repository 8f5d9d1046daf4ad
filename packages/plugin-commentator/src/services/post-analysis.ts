import { classifySentiment, detectLanguage } from '@botloom/core';
import { z } from 'zod';

/** What the model (or the offline analyser) says about a post. */
export const PostAnalysisSchema = z.object({
  main_idea: z.string().describe("The post's main idea in one sentence, in the post's language"),
  keywords: z.array(z.string()).describe('Up to 8 keywords of the post'),
  tone: z.enum(['positive', 'neutral', 'negative']),
  language: z.enum(['en', 'ru', 'other']),
  topic: z.string().describe("The post's subject in two or three words"),
});

export type PostAnalysis = z.output<typeof PostAnalysisSchema>;

const STOP = new Set(
  (
    'the a an and or but of to in on for with at by from is are was were be been it this that these those as ' +
    'we you they he she i our your their its not no yes do does did have has had will would can could ' +
    'about into over more most very just also so than then there here what which who how when why all any ' +
    'и в во на не что это как с со по к ко из за от до для а но или же ли бы то мы вы они он она оно ' +
    'я наш ваш их его её был была были быть есть уже ещё еще так там тут кто где когда почему все всё это'
  ).split(' '),
);

/** Lowercase words of 3+ letters (Latin or Cyrillic), without stop words. */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).filter((w) => !STOP.has(w));
}

/** Same word for matching: a shared 4+ letter prefix that leaves at most 3 letters (rent/rental). */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length < 4) return false;
  const stem = short.slice(0, Math.max(4, short.length - 2));
  return long.startsWith(stem) && long.length - stem.length <= 3 + (short.length - stem.length);
}

function firstSentence(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const sentence = flat.match(/^.+?[.!?](\s|$)/)?.[0]?.trim() ?? flat;
  return sentence.length > max ? `${sentence.slice(0, max - 1).trimEnd()}…` : sentence;
}

/**
 * The deterministic analysis used when no model is configured (core's offline provider) or
 * the model is down: the first sentence as the main idea, the most frequent words as
 * keywords, core's lexicon for tone and language. It is stored with `offline: true`.
 */
export function analyseOffline(text: string, topics: readonly string[]): PostAnalysis {
  const counts = new Map<string, number>();
  for (const w of words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const keywords = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 8)
    .map(([w]) => w);
  const best = scoreTopics(text, keywords, topics);
  const sentiment = classifySentiment(text).label;
  return {
    main_idea: firstSentence(text),
    keywords,
    tone: sentiment,
    language: detectLanguage(text),
    topic: best.topic ?? offlineTopic(counts),
  };
}

/**
 * The post's subject without a model and without a matching brand topic: the words the post
 * repeats (at most two, no bare numbers), or none. The two most frequent words of a post that
 * repeats nothing were an arbitrary pair ("Thanks for the post about 499 acme", "про acme всю").
 */
function offlineTopic(counts: Map<string, number>): string {
  return [...counts.entries()]
    .filter(([w, n]) => n >= 2 && !/^\p{N}+$/u.test(w))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 2)
    .map(([w]) => w)
    .join(' ');
}

export interface Relevance {
  score: number;
  /** The brand topic that matched best, if any. */
  topic: string | null;
}

/**
 * How well a post matches the brand's topics: for each topic, the share of its words found
 * in the post (text and keywords); the best topic wins. No topics configured: everything is
 * relevant (score 1).
 */
export function scoreTopics(text: string, keywords: readonly string[], topics: readonly string[]): Relevance {
  if (topics.length === 0) return { score: 1, topic: null };
  const postWords = [...words(text), ...keywords.flatMap((k) => words(k))];
  let best: Relevance = { score: 0, topic: null };
  for (const topic of topics) {
    const topicWords = words(topic);
    if (topicWords.length === 0) continue;
    const found = topicWords.filter((tw) => postWords.some((pw) => sameWord(tw, pw))).length;
    const score = found / topicWords.length;
    if (score > best.score) best = { score, topic };
  }
  return { score: Math.round(best.score * 100) / 100, topic: best.topic };
}
