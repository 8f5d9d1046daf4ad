import { classifyIntent, detectLanguage } from '@botloom/core';

export type SmallTalk = 'greeting' | 'thanks' | 'goodbye';

/** Longer messages carry a question or a request, even when they open with "Hi". */
const MAX_WORDS = 6;

/**
 * A greeting, thanks or goodbye on its own ("hello", "thanks a lot", "Привет!", "Спасибо"),
 * which deserves a short friendly reply, not a knowledge search that ends in "shall I call a
 * manager?". "Hi, how much is an SUV?" is a question (core's lexicon intent).
 */
export function smallTalkOf(text: string): SmallTalk | null {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0 || words.length > MAX_WORDS) return null;
  const { intent } = classifyIntent(text);
  return intent === 'greeting' || intent === 'thanks' || intent === 'goodbye' ? intent : null;
}

/** The language the customer wrote in ("Привет" from an English Telegram client is Russian). */
export function writtenLanguage(text: string, fallback: string): string {
  return /\p{L}/u.test(text) ? detectLanguage(text) : fallback;
}
