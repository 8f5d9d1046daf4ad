/** `sales-` (a prefix: ends with a dash) covers every /start payload starting with it; other links only themselves. */
export function deepLinkCovers(link: string, payload: string): boolean {
  return link.endsWith('-') ? payload.startsWith(link) : payload === link;
}
