/**
 * Grounding passages (retrieved knowledge, memories) travel in a marked context block inside a
 * system message, apart from the conversation:
 *
 *   <context>
 *   [1] Deposit and payment:
 *   The deposit is 300 euros.
 *   [2] The user's dog is called Biscuit.
 *   </context>
 *
 * A real model reads it as delimited reference material (XML-style tags are what OpenAI's
 * prompting guides recommend for documents) and can cite `[n]`. The offline provider quotes
 * only what is inside such blocks: never the user's turns, never the instructions around them.
 */
export interface GroundingPassage {
  /** Shown on the label line `[n] label:` (a title, a heading); never quoted by the offline provider. */
  label?: string;
  text: string;
}

export const CONTEXT_OPEN = '<context>';
export const CONTEXT_CLOSE = '</context>';

/** The tags stand on lines of their own, so a mention of `<context>` in instructions is no block. */
const BLOCK = /(?:^|\n)[ \t]*<context>[ \t]*\n([\s\S]*?)\n[ \t]*<\/context>[ \t]*(?=\n|$)/gi;
const PASSAGE_START = /^\[(\d{1,3})\]\s*/;

/** The context block of `passages`, numbered from 1 in the given order. */
export function formatContextBlock(passages: Array<GroundingPassage | string>): string {
  const lines = passages.map((p, i) => {
    const { label, text } = typeof p === 'string' ? { label: undefined, text: p } : p;
    // Inside a passage the text is one line, so a line starting with "[n]" always starts a passage.
    const body = text.replace(/\s+/g, ' ').trim();
    const cleanLabel = label?.replace(/\s+/g, ' ').replace(/:+$/, '').trim();
    return cleanLabel ? `[${i + 1}] ${cleanLabel}:\n${body}` : `[${i + 1}] ${body}`;
  });
  return [CONTEXT_OPEN, ...lines, CONTEXT_CLOSE].join('\n');
}

export interface ParsedPassage {
  label: string | null;
  text: string;
}

/** Passages of every context block in `text` (empty when it has none). */
export function parseContextBlocks(text: string): ParsedPassage[] {
  const out: ParsedPassage[] = [];
  for (const match of text.matchAll(BLOCK)) {
    let current: ParsedPassage | null = null;
    for (const raw of match[1]!.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const start = line.match(PASSAGE_START);
      if (start) {
        if (current) out.push(current);
        const rest = line.slice(start[0].length);
        current = /:$/.test(rest) ? { label: rest.slice(0, -1), text: '' } : { label: null, text: rest };
        continue;
      }
      if (!current) current = { label: null, text: '' };
      current.text = current.text ? `${current.text} ${line}` : line;
    }
    if (current) out.push(current);
  }
  return out.filter((p) => p.text.length > 0);
}
