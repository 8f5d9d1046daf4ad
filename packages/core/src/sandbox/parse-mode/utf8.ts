/** UTF-8 byte offset of a UTF-16 index: Telegram reports parse errors in bytes of the input. */
export function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

/** Telegram counts message length in UTF-16 code units, like JavaScript strings. */
export function utf16Length(text: string): number {
  return text.length;
}
