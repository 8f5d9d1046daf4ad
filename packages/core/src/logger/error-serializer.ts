import pino from 'pino';

/**
 * Fields of driver errors that carry query text or the values bound to it. Sequelize puts the
 * statement (with replacements inlined: customer names, message text) in `sql` and the bound
 * values in `parameters`; pg adds `detail` (`Key (email)=(ann@example.com) already exists`),
 * `where` and `internalQuery`; a unique violation lists the value per field.
 */
const QUERY_FIELDS = new Set([
  'sql',
  'parameters',
  'bind',
  'replacements',
  'detail',
  'where',
  'internalQuery',
  // Sequelize's ValidationErrorItem (in `aggregateErrors`) holds the offending value.
  'value',
]);

/** Serialized fields that are objects worth keeping; every other object field is dropped. */
const KEEP_OBJECTS = new Set(['details', 'cause', 'aggregateErrors', 'issues']);

/**
 * PostgreSQL quotes the offending value in a few messages; the value is data, not diagnosis:
 * `invalid input syntax for type bigint: "Ann Smith"`, `value "1e30" is out of range for type
 * bigint`, `Key (name)=(Ann)`. Quoted identifiers (`relation "users"`) are kept.
 */
const VALUE_PATTERNS: Array<[RegExp, string]> = [
  [/: "(?:[^"\\\n]|\\.)*"(?=$|\n)/gm, ': "[redacted]"'],
  [/\bvalue "(?:[^"\\\n]|\\.)*"/g, 'value "[redacted]"'],
  [/\bKey \(([^)\n]*)\)=\((?:[^\n])*?\)(?= |$|\n)/gm, 'Key ($1)=([redacted])'],
];

function redactValues(text: string, statements: string[]): string {
  let out = text;
  for (const statement of statements) if (statement.length >= 8) out = out.split(statement).join('[sql]');
  for (const [pattern, replacement] of VALUE_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Every `sql` string along the error, its `parent`/`original` (Sequelize) and its causes. */
function statementsOf(err: unknown, seen = new Set<unknown>()): string[] {
  if (typeof err !== 'object' || err === null || seen.has(err)) return [];
  seen.add(err);
  const e = err as { sql?: unknown; parent?: unknown; original?: unknown; cause?: unknown };
  return [
    ...(typeof e.sql === 'string' ? [e.sql] : []),
    ...statementsOf(e.parent, seen),
    ...statementsOf(e.original, seen),
    ...statementsOf(e.cause, seen),
  ];
}

/**
 * pino's `err` serializer for the app logger: the standard fields, minus live driver objects
 * (a pg error holds its whole client), minus query text and bound values, with known secret
 * values scrubbed from message and stack.
 */
export function serializeError(err: Error, scrub: (text: string) => string = (text) => text): object {
  const serialized = pino.stdSerializers.err(err) as Record<string, unknown>;
  const statements = statementsOf(err);
  return cleanSerialized(serialized, statements, scrub, 0);
}

function cleanSerialized(
  serialized: Record<string, unknown>,
  statements: string[],
  scrub: (text: string) => string,
  depth: number,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(serialized)) {
    if (QUERY_FIELDS.has(key) || (!KEEP_OBJECTS.has(key) && value !== null && typeof value === 'object')) {
      delete serialized[key];
    } else if (
      (key === 'cause' || key === 'aggregateErrors') &&
      value !== null &&
      typeof value === 'object'
    ) {
      // pino serializes an enumerable cause (and AggregateError's errors) as nested errors.
      const nested = Array.isArray(value) ? value : [value];
      const cleaned = nested
        .filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object')
        .map((item) => (depth < 5 ? cleanSerialized(item, statements, scrub, depth + 1) : {}));
      serialized[key] = Array.isArray(value) ? cleaned : cleaned[0];
    }
  }
  for (const key of ['message', 'stack'] as const) {
    const text = serialized[key];
    if (typeof text === 'string') serialized[key] = scrub(redactValues(text, statements));
  }
  return serialized;
}
