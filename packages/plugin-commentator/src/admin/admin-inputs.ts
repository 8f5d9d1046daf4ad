import type { AdminState } from '@botloom/core';
import { z } from 'zod';

const words = z.array(z.string().trim().min(1).max(80)).max(30);

/** An account's voice guide: how the operator's own account writes, never a persona. */
export const VoiceGuide = z
  .object({
    style: z.string().trim().max(500).optional(),
    tone: z.string().trim().max(200).optional(),
    interests: words.optional(),
    vocabulary: words.optional(),
    phrases: words.optional(),
  })
  .strict();

/** The actor recorded with a change made through the admin API. */
export function adminActor(ctx: { state: AdminState }): string {
  return `admin:${ctx.state.admin?.name ?? 'unknown'}`;
}
