import type { ZodObject, ZodRawShape, ZodTypeAny } from 'zod';

// Checks go by `_def.typeName`, not instanceof: a plugin may bring its own copy of zod.
const kind = (schema: ZodTypeAny): string =>
  (schema?._def as { typeName?: string } | undefined)?.typeName ?? '';

/** True for any zod (v3) schema, whichever copy of zod created it. */
export function isZodSchema(value: unknown): value is ZodTypeAny {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ZodTypeAny).safeParse === 'function' &&
    kind(value as ZodTypeAny).startsWith('Zod')
  );
}

/** The innermost schema under optional/nullable/default/effects/pipeline wrappers. */
export function unwrapSchema(schema: ZodTypeAny): ZodTypeAny {
  let current: ZodTypeAny = schema;
  for (let i = 0; i < 20; i++) {
    const def = current._def as Record<string, any>;
    const k = kind(current);
    if (k === 'ZodOptional' || k === 'ZodNullable' || k === 'ZodDefault' || k === 'ZodCatch')
      current = def.innerType;
    else if (k === 'ZodEffects') current = def.schema;
    else if (k === 'ZodPipeline') current = def.in;
    else if (k === 'ZodBranded' || k === 'ZodReadonly') current = def.type ?? def.innerType;
    else if (k === 'ZodLazy') current = def.getter();
    else break;
  }
  return current;
}

/** The object shape of a settings schema (possibly wrapped in refinements), or undefined. */
export function objectShape(schema: ZodTypeAny): ZodRawShape | undefined {
  const inner = unwrapSchema(schema);
  return kind(inner) === 'ZodObject' ? (inner as ZodObject<ZodRawShape>).shape : undefined;
}

/** The first description found walking down the wrappers. */
export function describeSchema(schema: ZodTypeAny): string | undefined {
  let current: ZodTypeAny | undefined = schema;
  for (let i = 0; current && i < 20; i++) {
    if (current.description) return current.description;
    const def = current._def as Record<string, any>;
    current = def.innerType ?? def.schema ?? def.in ?? def.type;
  }
  return undefined;
}

/** The default value of a field (from `.default()`), or undefined. */
export function defaultOf(schema: ZodTypeAny): unknown {
  let current: ZodTypeAny | undefined = schema;
  for (let i = 0; current && i < 20; i++) {
    if (kind(current) === 'ZodDefault') return (current._def as { defaultValue(): unknown }).defaultValue();
    const def = current._def as Record<string, any>;
    current = def.innerType ?? def.schema ?? def.in;
  }
  return undefined;
}

/**
 * Environment values are strings; turns them into what the field expects when the schema
 * does not coerce by itself: numbers, booleans, JSON objects/arrays (or comma lists).
 * Anything that does not convert cleanly is passed as is so zod reports the error.
 */
export function coerceEnvValue(schema: ZodTypeAny, raw: string): unknown {
  const inner = unwrapSchema(schema);
  if (kind(inner) === 'ZodNumber' || kind(inner) === 'ZodBigInt') {
    const n = Number(raw.trim());
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (kind(inner) === 'ZodBoolean') {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    return raw;
  }
  if (kind(inner) === 'ZodArray') {
    const t = raw.trim();
    if (t.startsWith('[')) {
      try {
        return JSON.parse(t);
      } catch {
        return raw;
      }
    }
    const items = t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const element = (inner._def as { type: ZodTypeAny }).type;
    return items.map((item) => coerceEnvValue(element, item));
  }
  if (kind(inner) === 'ZodObject' || kind(inner) === 'ZodRecord') {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** `managerGroupChatId` -> `MANAGER_GROUP_CHAT_ID`. */
export function toUpperSnake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** The environment variable of a plugin setting: `BOTLOOM_<PLUGIN>_<KEY>`. */
export function pluginEnvName(pluginId: string, key: string): string {
  return `BOTLOOM_${pluginId.replace(/-/g, '_').toUpperCase()}_${toUpperSnake(key)}`;
}
