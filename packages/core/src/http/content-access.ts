import { HttpError } from './http-error.js';
import type { AdminState } from './types.js';

/**
 * The one rule of every plugin's admin API about what users wrote: **metadata for viewers,
 * content for admins.** Content is what a user (or the AI on their behalf) wrote or sent:
 * message and transcript text, summaries, memories, custom instructions, file names. Metadata
 * is everything around it: ids, authors, times, counts, lengths, statuses, ratings, file types
 * and sizes.
 *
 * A GET route reached by a viewer returns metadata and leaves content out (say so with
 * `contentIncluded: false`); a route that only makes sense on content (a full-text search)
 * calls `requireContentAccess` and answers 403 to viewers.
 */
export function canSeeContent(ctx: { state: AdminState }): boolean {
  return ctx.state.admin?.role === 'admin';
}

/** Throws 403 CONTENT_FORBIDDEN unless the caller may see content (role admin). */
export function requireContentAccess(ctx: { state: AdminState }): void {
  if (!canSeeContent(ctx)) {
    throw new HttpError(
      403,
      'CONTENT_FORBIDDEN',
      'Content (what users wrote) is shown to admin tokens only; viewer tokens see metadata',
    );
  }
}
