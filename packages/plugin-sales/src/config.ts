import { z } from 'zod';
import { EducationConfigSchema } from './education/config.js';

/**
 * Settings of the sales plugin. Environment names are `BOTLOOM_SALES_<KEY>` in
 * SCREAMING_SNAKE_CASE (e.g. `BOTLOOM_SALES_STRATEGY_THRESHOLD`).
 */
export const SalesConfigSchema = z.object({
  strategyThreshold: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.7)
    .describe('script_fit_score at or above which a reply follows the script (script_80); below: free_20'),
  maxMessageChars: z.coerce
    .number()
    .int()
    .min(50)
    .max(20_000)
    .default(4000)
    .describe('Longest client message accepted; longer ones are refused with a message'),
  defaultScript: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .default('course')
    .describe('Script a conversation started from the /start menu uses'),
  scriptFiles: z
    .array(z.string())
    .default([])
    .describe('YAML/JSON script files imported and published at start when their script does not exist yet'),
  replyMaxTokens: z.coerce
    .number()
    .int()
    .min(32)
    .default(400)
    .describe('Max completion tokens of a free reply'),
  educationGroups: z
    .boolean()
    .default(false)
    .describe(
      'Hand a consenting client to an education group (a pool group, or one they create); off: a manager follows up',
    ),
  managerChatIds: z
    .string()
    .trim()
    .regex(/^(-?\d{1,16}(\s*,\s*-?\d{1,16})*)?$/, 'Telegram chat ids separated by commas')
    .default('')
    .describe(
      'Telegram chats of the sales managers (user ids or a group id, comma-separated): they are alerted when a consenting client needs a person (education groups off, no free group)',
    ),
  managerLocale: z.enum(['en', 'ru']).default('en').describe('Language of the alerts to sales managers'),
  // The education groups' settings (assistant bot tokens, client-created groups, invite TTL).
  ...EducationConfigSchema.shape,
});

export type SalesConfig = z.output<typeof SalesConfigSchema>;

/** The managers' chats from `managerChatIds` (blank entries dropped). */
export function managerChats(config: Pick<SalesConfig, 'managerChatIds'>): number[] {
  return config.managerChatIds
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
    .map(Number)
    .filter(Number.isSafeInteger);
}
