import { secret } from '@botloom/core';
import { z } from 'zod';

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

const ids = z
  .union([z.array(z.coerce.number().int()), z.string()])
  .transform((v) =>
    (Array.isArray(v) ? v : v.split(',').filter((s) => s.trim() !== '')).map((x) => Number(x)),
  )
  .refine((v) => v.every((x) => Number.isSafeInteger(x)), 'must be Telegram ids');

/**
 * Settings of the commentator plugin. Environment names are `BOTLOOM_COMMENTATOR_<KEY>` in
 * SCREAMING_SNAKE_CASE (e.g. `BOTLOOM_COMMENTATOR_TOPICS`).
 *
 * The caps' defaults are far below what Telegram tolerates: a brand that comments a few times
 * a day under posts that are about its subject is the use this plugin is built for.
 */
export const CommentatorConfigSchema = z.object({
  brandName: z
    .string()
    .min(1)
    .max(64)
    .default('Our team')
    .describe('Who the bot comments as (its disclosure line)'),
  topics: list
    .default([])
    .describe(
      "The brand's topics (comma separated); posts are scored against them. Empty: every post is relevant",
    ),
  relevanceThreshold: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.34)
    .describe('Posts scoring below this are stored and analysed but get no draft'),
  maxCommentChars: z.coerce
    .number()
    .int()
    .min(40)
    .max(1000)
    .default(300)
    .describe('Longest drafted comment, disclosure line included'),
  accountHourlyCap: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(3)
    .describe('Comments per account per hour'),
  accountDailyCap: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('Comments per account per day'),
  channelDailyCap: z.coerce.number().int().min(1).max(50).default(3).describe('Comments per channel per day'),
  minSpacingSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(120)
    .describe('Fixed pause between two comments of one account'),
  reviewChatId: z.coerce
    .number()
    .int()
    .optional()
    .describe('Telegram chat where the bot posts each draft with Approve / Edit / Reject buttons'),
  reviewerIds: ids
    .default([])
    .describe('Telegram ids allowed to press the review buttons (empty: administrators of the review chat)'),
  apiId: z.coerce
    .number()
    .int()
    .optional()
    .describe('MTProto api_id from my.telegram.org (user accounts only)'),
  apiHash: secret(
    z.string().optional().describe('MTProto api_hash from my.telegram.org (user accounts only)'),
  ),
  loginCodeTtlSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(3600)
    .default(300)
    .describe('How long a requested login code can be used'),
  timeZone: z
    .string()
    .default('UTC')
    .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Moscow')
    .describe('Time zone of the times shown to reviewers (IANA name, e.g. Europe/Moscow)'),
  engagementDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(30)
    .default(7)
    .describe('For how many days after sending the replies and reactions of a comment are read'),
});

export type CommentatorConfig = z.output<typeof CommentatorConfigSchema>;
