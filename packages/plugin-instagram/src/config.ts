import { secret } from '@botloom/core';
import { z } from 'zod';

const optionalString = () =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().min(1).optional());

/**
 * Settings of the Instagram plugin. Environment names are `BOTLOOM_INSTAGRAM_<KEY>`; the
 * Meta settings are also read from their plain names (`INSTAGRAM_APP_SECRET`...), see the
 * manifest's `env`.
 */
export const InstagramConfigSchema = z.object({
  appSecret: secret(
    optionalString().describe('App secret of the Meta app: signs webhook deliveries (X-Hub-Signature-256)'),
  ),
  verifyToken: secret(
    optionalString().describe(
      'Verify token you type into the webhook subscription in the Meta app dashboard',
    ),
  ),
  accessToken: secret(
    optionalString().describe(
      'Instagram user access token of the professional account (instagram_business_manage_messages); a token set from the panel is stored encrypted and wins',
    ),
  ),
  accountId: optionalString().describe('Instagram professional account id (the id in webhook entries)'),
  apiRoot: z
    .string()
    .url()
    .default('https://graph.instagram.com')
    .describe(
      'Graph API address (Instagram API with Instagram Login); a local stand-in in tests and the sandbox',
    ),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v23.0')
    .describe('Graph API version in request paths'),
  maxWebhookBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1_000_000)
    .default(256_000)
    .describe('Largest webhook body accepted (bigger ones get 413)'),
  sendsPerSecond: z.coerce
    .number()
    .int()
    .min(1)
    .max(300)
    .default(100)
    .describe('Send API calls per second across all threads (Meta allows about 300 for text)'),
  perThreadIntervalMs: z.coerce
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('Minimum spacing between two sends to one thread (parts of a split reply included)'),
  threadConcurrency: z.coerce
    .number()
    .int()
    .min(1)
    .max(8)
    .default(4)
    .describe(
      'Threads processed side by side per instance (1 to 8); one thread’s messages always go one after another',
    ),
  sendRetryBaseSeconds: z.coerce
    .number()
    .min(0)
    .default(5)
    .describe('First retry delay of a temporary Send API failure; doubles each attempt'),
  sendMaxAttempts: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(6)
    .describe('Send attempts before a reply is marked failed'),
  autoReplyWindowHours: z.coerce
    .number()
    .min(1)
    .max(24)
    .default(24)
    .describe('Automatic replies only this long after the user last wrote (Meta: 24 hours)'),
  humanAgentWindowDays: z.coerce
    .number()
    .min(1)
    .max(7)
    .default(7)
    .describe(
      'Replies written by a person, tagged HUMAN_AGENT, up to this long after the user last wrote (Meta: 7 days)',
    ),
  defaultAction: z
    .enum(['ai_reply', 'no_reply', 'handoff'])
    .default('ai_reply')
    .describe('What happens to a message no auto-reply rule matched'),
  timezone: z.string().default('UTC').describe('Time zone of business hours and time-of-day rule conditions'),
  aiMinConfidence: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Below this knowledge-match confidence an AI reply is replaced by a handoff (0 = never)'),
  summaryEvery: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Refresh a conversation’s rolling summary every this many messages'),
  conversionIntents: z
    .array(z.string().min(1))
    .default(['purchase'])
    .describe('Intents that count as a conversion (analytics and the conversion metric of experiments)'),
  conversionPattern: z
    .string()
    .optional()
    .describe(
      'Regular expression: a customer message matching it counts as a conversion (e.g. an order link)',
    ),
  assistantName: z
    .string()
    .default('Assistant')
    .describe('How the AI assistant introduces itself (it always says it is an assistant)'),
});

export type InstagramConfig = z.output<typeof InstagramConfigSchema>;
