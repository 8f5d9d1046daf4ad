import type { ZodTypeAny } from 'zod';

/** The marker in a setting's description that makes it secret (masked in every settings table). */
export const SECRET_MARKER = '(secret)';

/**
 * Marks a config schema field as a secret: its value is shown as `********` by
 * `botloom config:check`, `GET /admin/api/core/settings` and `app.settings()`.
 * Secrets are marked explicitly, never guessed from the name (`promptTokenBudget` is no secret).
 */
export function secret<T extends ZodTypeAny>(schema: T): T {
  const description = schema.description ?? '';
  if (description.includes(SECRET_MARKER)) return schema;
  return schema.describe(description ? `${description} ${SECRET_MARKER}` : SECRET_MARKER) as T;
}
