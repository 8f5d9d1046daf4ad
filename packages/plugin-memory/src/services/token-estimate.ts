/**
 * A conservative token estimate without a tokenizer: about 4 characters per token for Latin
 * text and 2.5 for other scripts (Cyrillic costs more tokens), plus the per-message overhead
 * of the chat format.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
  const other = text.length - ascii;
  return Math.ceil(ascii / 4 + other / 2.5);
}

export const MESSAGE_OVERHEAD_TOKENS = 4;

export function estimateMessageTokens(message: { content: string }): number {
  return estimateTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
}
