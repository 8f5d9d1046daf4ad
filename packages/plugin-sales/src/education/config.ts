import { secret } from '@botloom/core';
import { z } from 'zod';

/**
 * Settings of the education module; the sales plugin's config schema spreads `.shape` of this
 * (`z.object({ ...salesFields, ...EducationConfigSchema.shape })`).
 */
export const EducationConfigSchema = z.object({
  educationAssistantBotTokens: secret(
    z
      .string()
      .default('')
      .describe(
        'Tokens of disclosed assistant bots, comma-separated (each a separate bot from BotFather, named as an assistant). They only send: worked examples and common questions, marked as from an assistant.',
      ),
  ),
  educationClientGroups: z
    .boolean()
    .default(true)
    .describe(
      'When no pool group is free, let the client create a group with the bot as admin (request_chat button)',
    ),
  educationOfferTtlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(48)
    .describe(
      'Hours an unused invite (or request_chat button) stays valid; then the pool group is free again',
    ),
});

export type EducationConfig = z.output<typeof EducationConfigSchema>;

/** The assistant tokens from the setting (blank entries dropped). */
export function assistantTokens(config: EducationConfig): string[] {
  return config.educationAssistantBotTokens
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}
