import { z } from 'zod';

/**
 * One labelled conversation per JSONL line:
 * `{"id":"en-01","language":"en","script":"course","turns":[{"client":"Hi","expected":{"stage":"qualification","strategy":"script_80","consent":false}}]}`
 * `expected.stage` is the stage after the client's message; `strategy` the one that message should get;
 * `consent` whether it carries a consent signal. `script` is optional (the `--script` option or
 * the plugin's default script otherwise).
 */
export const EvalConversationSchema = z.object({
  id: z.string().min(1).max(100),
  language: z.enum(['en', 'ru']),
  script: z.string().max(63).optional(),
  turns: z
    .array(
      z.object({
        client: z.string().min(1).max(4000),
        expected: z.object({
          stage: z.string().min(1).max(63),
          strategy: z.enum(['script_80', 'free_20']),
          consent: z.boolean(),
        }),
      }),
    )
    .min(1),
});
export type EvalConversation = z.infer<typeof EvalConversationSchema>;

/** Parses a JSONL file; a bad line throws naming its number and the problem. */
export function parseEvalFile(text: string): EvalConversation[] {
  const out: EvalConversation[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
    const parsed = EvalConversationSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`line ${i + 1}: ${issue.path.join('.')}: ${issue.message}`);
    }
    out.push(parsed.data);
  });
  return out;
}
