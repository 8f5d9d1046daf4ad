/** Splits text into chunks of about `chunkSize` characters (core's text splitter in production). */
export type TextSplitter = (
  text: string,
  options: { chunkSize: number; overlap: number },
) => Promise<string[]>;

/** One topic of a knowledge item: its heading (if any) and its text. */
export interface KnowledgeSection {
  heading: string | null;
  body: string;
}

const MAX_HEADING_CHARS = 80;

/** A short line without sentence punctuation at its end ("Deposit and payment", "## Fuel"). */
function isHeadingLine(line: string): boolean {
  const text = line.trim();
  if (/^#{1,6}\s+\S/.test(text)) return true;
  return (
    text.length > 0 &&
    text.length <= MAX_HEADING_CHARS &&
    !/[.!?;:,…)\]]$/.test(text) &&
    /\p{L}/u.test(text) &&
    !/^[-*•]\s/.test(text)
  );
}

function headingText(line: string): string {
  return line
    .trim()
    .replace(/^#{1,6}\s+/, '')
    .replace(/\s*#+$/, '')
    .trim();
}

/**
 * Splits knowledge text into sections on blank lines: each paragraph is one topic, and a
 * heading line (a short line without closing punctuation, or a Markdown `#` heading) belongs
 * to the paragraph it introduces, whether the text follows on the next line or after a
 * blank line.
 */
export function knowledgeSections(content: string): KnowledgeSection[] {
  const blocks = content
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((b) => b.trim())
    .filter(Boolean);
  const sections: KnowledgeSection[] = [];
  let pendingHeading: string | null = null;
  for (const block of blocks) {
    const lines = block.split('\n');
    if (lines.length === 1 && isHeadingLine(lines[0]!)) {
      // A heading alone in its paragraph introduces the next one (two in a row: the later wins).
      pendingHeading = headingText(lines[0]!);
      continue;
    }
    let heading = pendingHeading;
    let body = block;
    // A wrapped sentence's first line is not a heading: the line after a heading starts a sentence.
    if (lines.length > 1 && isHeadingLine(lines[0]!) && /^\s*(?:[-*•]\s|\p{Lu}|\p{N})/u.test(lines[1]!)) {
      heading = heading ? `${heading} / ${headingText(lines[0]!)}` : headingText(lines[0]!);
      body = lines.slice(1).join('\n').trim();
    }
    pendingHeading = null;
    sections.push({ heading, body });
  }
  if (pendingHeading) sections.push({ heading: null, body: pendingHeading });
  return sections;
}

/** A chunk to index: `text` is the heading line (if any) and the section text. */
export interface KnowledgeChunk {
  heading: string | null;
  text: string;
}

/**
 * Knowledge chunks, one topic each: a section that fits `chunkSize` is one chunk ("heading\n
 * text"); a longer one is split further (core `splitText`) and every piece keeps the heading.
 * Mixing topics in one chunk dilutes the similarity of every one of them.
 */
export async function chunkKnowledge(
  content: string,
  chunkSize: number,
  split: TextSplitter,
): Promise<KnowledgeChunk[]> {
  const chunks: KnowledgeChunk[] = [];
  for (const { heading, body } of knowledgeSections(content)) {
    const prefix = heading ? `${heading}\n` : '';
    if (prefix.length + body.length <= chunkSize) {
      chunks.push({ heading, text: `${prefix}${body}` });
      continue;
    }
    const room = Math.max(100, chunkSize - prefix.length);
    const pieces = await split(body, { chunkSize: room, overlap: Math.floor(room / 8) });
    for (const piece of pieces) chunks.push({ heading, text: `${prefix}${piece}` });
  }
  return chunks;
}
