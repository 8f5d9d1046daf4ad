import type { AnyContext } from './validation.js';

export const FRAMING_STATE_KEY = 'botloomAllowFraming';

/**
 * Lets a public page be shown inside a frame (e.g. a Telegram Web App in web.telegram.org):
 * the server then leaves out `X-Frame-Options: DENY` for this response.
 */
export function allowFraming(ctx: AnyContext): void {
  (ctx.state as Record<string, unknown>)[FRAMING_STATE_KEY] = true;
}

export function framingAllowed(ctx: AnyContext): boolean {
  return (ctx.state as Record<string, unknown>)[FRAMING_STATE_KEY] === true;
}
