/**
 * What the memory keeps from a session when no model is configured: the user's statements of
 * fact about themselves, never their questions, greetings or thanks. "Hi! My name is Alex and
 * I live in Lisbon. Where do I live?" keeps "My name is Alex and I live in Lisbon." A model
 * does this with judgement; offline it is a transparent rule (en and ru):
 * - sentences of the user's messages (commands dropped);
 * - a leading greeting or thanks is cut off ("Hi! …", "Привет, меня зовут …");
 * - questions are dropped: ending with "?" or opening with a question word;
 * - what is left must speak about the user: a first-person word (I, my, we / я, меня, мой, мы…).
 */

const SENTENCE_END = /(?<=[.!?…])\s+/u;

const GREETING =
  /^(?:(?:hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening)|thanks|thank you|привет|приветик|здравствуй(?:те)?|добрый (?:день|вечер)|доброе утро|спасибо|хай)(?![\p{L}])[\s,!.…)-]*)+/iu;

const QUESTION_START =
  /^(?:what|when|where|who|whom|whose|why|how|which|do|does|did|is|are|am|was|were|can|could|would|will|shall|should|have|has|что|чем|чего|когда|где|куда|откуда|кто|кого|кому|кем|почему|зачем|как|какой|какая|какое|какие|каков\p{L}*|сколько|скольки|ли|можно ли|разве|неужели)(?![\p{L}])/iu;

const FIRST_PERSON =
  /(?<![\p{L}'’])(?:i|i'm|i’m|i've|i’ve|i'd|i’d|i'll|i’ll|im|my|me|mine|myself|we|we're|our|ours|us|я|меня|мне|мной|мой|моя|моё|мое|мои|моего|моей|моему|моим|моих|мою|мы|нас|нам|нами|наш|наша|наше|наши|нашего|нашей|нашим|наших)(?![\p{L}'’])/iu;

function sentencesOf(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => line.split(SENTENCE_END))
    .map((s) => s.trim())
    .filter((s) => /\p{L}/u.test(s));
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/** A statement of fact about the user, with any greeting in front cut off; null otherwise. */
export function factOf(sentence: string): string | null {
  const trimmed = sentence.trim();
  if (!trimmed || trimmed.startsWith('/')) return null;
  const rest = trimmed.replace(GREETING, '').trim();
  if (!/\p{L}/u.test(rest)) return null;
  if (/[?？]\s*[)"»]*$/u.test(rest) || QUESTION_START.test(rest)) return null;
  if (!FIRST_PERSON.test(rest)) return null;
  return capitalise(rest);
}

/** The user's statements of fact, in order, without repeats. */
export function extractUserFacts(userMessages: string[]): string[] {
  const seen = new Set<string>();
  const facts: string[] = [];
  for (const message of userMessages) {
    for (const sentence of sentencesOf(message)) {
      const fact = factOf(sentence);
      if (!fact) continue;
      const key = fact.toLowerCase().replace(/[\s.!…]+$/u, '');
      if (seen.has(key)) continue;
      seen.add(key);
      facts.push(fact);
    }
  }
  return facts;
}

const CONJUNCTION =
  /^(?:and|but|or|so|because|while|which|who|и|а|но|или|потому|поэтому|где|который|которая|которые)$/iu;

/**
 * A title of at most `maxWords` words that ends at a phrase boundary: before a conjunction
 * ("and", "и") or after a comma, semicolon, colon or dash; "My name is Alex and I live in
 * Lisbon" becomes "My name is Alex", not "My name is Alex and I live in". A text that has no
 * boundary early enough is cut after `maxWords` words with an ellipsis.
 */
export function phraseTitle(text: string, maxWords = 8, maxChars = 80): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  const words = clean.split(' ').filter(Boolean);
  const strip = (s: string) => s.replace(/[\s,;:.!?…–—-]+$/u, '');
  if (words.length <= maxWords && clean.length <= maxChars) return strip(clean);
  // The longest cut of 2..maxWords words that ends at a boundary.
  for (let n = Math.min(maxWords, words.length - 1); n >= 2; n -= 1) {
    const head = words.slice(0, n);
    const next = words[n]!;
    const endsPhrase = /[,;:.!?…]$/u.test(head[n - 1]!) || /^[–—-]$/u.test(next) || CONJUNCTION.test(next);
    const candidate = strip(head.join(' '));
    if (endsPhrase && candidate.length <= maxChars) return candidate;
  }
  let cut = strip(words.slice(0, maxWords).join(' '));
  if (cut.length > maxChars - 1) cut = strip(cut.slice(0, maxChars - 1).replace(/\s+\S*$/, ''));
  return `${cut}…`;
}
