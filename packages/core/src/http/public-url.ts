/** The base URL at which people and Telegram reach this app's HTTP routes (web apps, links). */
export interface PublicUrl {
  /** PUBLIC_URL, or where the HTTP server listens once it does; no trailing slash. */
  base(): string | undefined;
}

/**
 * PUBLIC_URL when set. Otherwise the address the server actually listens on, so that PORT=0
 * works too (the server shows a wildcard host as `localhost`): the documented default
 * `http://localhost:PORT`, good for the sandbox and a browser on the same machine.
 */
export function publicBaseUrl(
  configured: string | undefined,
  listening: string | undefined,
): string | undefined {
  return (configured ?? listening)?.replace(/\/+$/, '');
}
