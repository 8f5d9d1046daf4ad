/**
 * Metadata filters of VectorStore.search: every key must match.
 * - a scalar matches an equal value, or an array that contains it;
 * - an array of values matches any of them (`{ kind: ['fact', 'summary'] }`);
 * - `null` matches a missing or null value.
 */
export function matchesFilter(
  metadata: Record<string, unknown> | undefined,
  filter: Record<string, unknown>,
): boolean {
  for (const [key, expected] of Object.entries(filter)) {
    const actual = metadata?.[key];
    if (expected === null || expected === undefined) {
      if (actual !== null && actual !== undefined) return false;
      continue;
    }
    const wanted = Array.isArray(expected) ? expected : [expected];
    const have = Array.isArray(actual) ? actual : [actual];
    if (!wanted.some((w) => have.some((h) => same(h, w)))) return false;
  }
  return true;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  // Telegram ids and the like often arrive as numbers in one place and strings in another.
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
    return String(a) === String(b);
  }
  return false;
}
