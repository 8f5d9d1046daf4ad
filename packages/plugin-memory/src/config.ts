import { z } from 'zod';

/**
 * Settings of the memory plugin. Environment names are `BOTLOOM_MEMORY_<KEY>` with the key in
 * SCREAMING_SNAKE_CASE (e.g. `BOTLOOM_MEMORY_SESSION_IDLE_MINUTES`).
 */
export const MemoryConfigSchema = z.object({
  sessionIdleMinutes: z.coerce
    .number()
    .min(1)
    .max(7 * 24 * 60)
    .default(30)
    .describe('Minutes without messages after which an active session ends and is summarised'),
  promptTokenBudget: z.coerce
    .number()
    .int()
    .min(256)
    .default(3000)
    .describe('Token budget of the prompt sent to the model (profile + memories + recent turns + message)'),
  replyMaxTokens: z.coerce.number().int().min(16).default(800).describe('Max completion tokens of a reply'),
  recentTurns: z.coerce
    .number()
    .int()
    .min(0)
    .default(20)
    .describe('Most recent messages of the session considered for the prompt'),
  memoriesTopK: z.coerce
    .number()
    .int()
    .min(0)
    .max(50)
    .default(5)
    .describe('Memories retrieved from long-term memory per message'),
  memoryMinScore: z.coerce
    .number()
    .min(-1)
    .max(1)
    .default(0.05)
    .describe('Minimum cosine similarity of a retrieved memory'),
  maxMessageChars: z.coerce
    .number()
    .int()
    .min(100)
    .default(8000)
    .describe('Longest user message accepted; longer ones are refused with a message'),
  maxCustomInstructionChars: z.coerce
    .number()
    .int()
    .min(20)
    .default(1000)
    .describe('Longest custom role instruction accepted in /personalize'),
  sessionsPageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe('Sessions per page in /list_sessions'),
  memoriesPageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(8)
    .describe('Memories per page in /memories'),
  outsideSession: z
    .enum(['auto-start', 'offer', 'ignore'])
    .default('auto-start')
    .describe(
      'Free text outside a session: auto-start a session (and say so), offer a button, or ignore (pass to other plugins)',
    ),
  typingIntervalMs: z.coerce
    .number()
    .int()
    .min(500)
    .default(4500)
    .describe('How often the typing indicator is repeated while the model works'),
});

export type MemoryConfig = z.output<typeof MemoryConfigSchema>;
