import { MAX_TELEGRAM_ID } from '@botloom/core';
import { z } from 'zod';

/** An optional Telegram id from the environment, within Telegram's 52-bit range. */
const optionalTelegramId = (min: number) =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number().int().min(min).max(MAX_TELEGRAM_ID).optional(),
  );

/**
 * Settings of the support plugin. Environment names are `BOTLOOM_SUPPORT_<KEY>` (SCREAMING_SNAKE_CASE);
 * `MANAGER_GROUP_CHAT_ID` and `ADMIN_USER_ID` are accepted as aliases (see the manifest's `env`).
 */
export const SupportConfigSchema = z.object({
  managerGroupChatId: optionalTelegramId(-MAX_TELEGRAM_ID).describe(
    'Forum supergroup where managers get one topic per ticket (the bot must be an admin with "Manage topics")',
  ),
  adminUserId: optionalTelegramId(1).describe(
    'Telegram user id of the support admin: manages managers, gets setup alerts',
  ),
  knowledgeDir: z
    .string()
    .optional()
    .describe(
      'Directory with .txt/.md knowledge files (e.g. company_context.txt); re-indexed when they change',
    ),
  knowledgeRescanSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .default(60)
    .describe('How often the knowledge directory is checked for changes (0 = only at start)'),
  minConfidence: z.coerce
    .number()
    .min(-1)
    .max(1)
    .default(0.3)
    .describe(
      'Minimum confidence of the best retrieved passage (hybrid vector and lexical score); below it the assistant offers a manager',
    ),
  lexicalWeight: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe(
      'Weight of the lexical match (shared words) in the confidence; the rest is embedding similarity (0 = embeddings only)',
    ),
  retrievalTopK: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(4)
    .describe('Passages retrieved per question'),
  chunkSize: z.coerce
    .number()
    .int()
    .min(100)
    .max(8000)
    .default(800)
    .describe('Characters per knowledge chunk'),
  historyForAnswer: z.coerce
    .number()
    .int()
    .min(0)
    .max(50)
    .default(6)
    .describe('Recent ticket messages given to the model with each question'),
  maxMessageChars: z.coerce
    .number()
    .int()
    .min(100)
    .default(4000)
    .describe('Longest customer message accepted'),
  outageRetrySeconds: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('While the model is unavailable: seconds between tries to answer a pending question'),
  outageRetryAttempts: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('Tries to answer a pending question before it is handed to a manager'),
  webAppUrl: z
    .string()
    .url()
    .optional()
    .describe(
      'Public URL of the web app chat; default PUBLIC_URL + /p/support/app (Telegram requires https)',
    ),
  uploadMaxBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024)
    .describe('Largest file a customer may upload from the web app'),
  initDataMaxAgeSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 60 * 60)
    .describe('How old Telegram web app initData (auth_date) may be'),
});

export type SupportConfig = z.output<typeof SupportConfigSchema>;

/** What an app wires in code rather than configures (the second argument of `supportPlugin`). */
export interface SupportWiring {
  /**
   * The manager group, read whenever it is needed, for an app that learns its id only after
   * the plugin is created (the reference app's sandbox finds or makes the group at start).
   * Wins over the `managerGroupChatId` setting while it returns a number.
   */
  managerGroupChatId?: () => number | undefined;
}

/** The manager group in use: the wired one while it answers, else the setting. */
export function managerGroupChatIdOf(config: SupportConfig, wiring: SupportWiring = {}): number | undefined {
  return wiring.managerGroupChatId?.() ?? config.managerGroupChatId;
}
