export interface SplitTextOptions {
  /** Maximum characters per chunk (default 1000). */
  chunkSize?: number;
  /** Characters shared by neighbouring chunks (default 150). */
  overlap?: number;
}

/**
 * Splits text into overlapping chunks for embedding, preferring paragraph, then line, then
 * sentence, then word boundaries (langchain's RecursiveCharacterTextSplitter).
 */
export async function splitText(text: string, options: SplitTextOptions = {}): Promise<string[]> {
  const chunkSize = options.chunkSize ?? 1000;
  const overlap = Math.min(options.overlap ?? 150, Math.floor(chunkSize / 2));
  if (!Number.isInteger(chunkSize) || chunkSize < 20)
    throw new RangeError('chunkSize must be an integer >= 20');
  // Loaded at the first split: langchain is heavy, and many apps never split text.
  const { RecursiveCharacterTextSplitter } = await import('@langchain/textsplitters');
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize,
    chunkOverlap: Math.max(0, overlap),
    separators: ['\n\n', '\n', '. ', '! ', '? ', '; ', ', ', ' ', ''],
  });
  const chunks = await splitter.splitText(text);
  return chunks.map((c) => c.trim()).filter((c) => c.length > 0);
}
