/** One difference between two script versions, at a dotted path (array items with an id or key by it). */
export interface ScriptChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** The identity of an array item: its `id` (stages, objections) or `key` (facts). */
const identity = (item: Json): string | undefined =>
  isObject(item)
    ? typeof item.id === 'string'
      ? item.id
      : typeof item.key === 'string'
        ? item.key
        : undefined
    : undefined;
const keyed = (v: Json[]) => v.every((item) => identity(item) !== undefined);

/** The changes from `a` to `b`: stages and other id'd items are matched by id, not position. */
export function diffScripts(a: Json, b: Json, path = ''): ScriptChange[] {
  if (Array.isArray(a) && Array.isArray(b) && a.length + b.length > 0 && keyed(a) && keyed(b)) {
    const byId = (list: Json[]) => new Map(list.map((x) => [identity(x)!, x]));
    const left = byId(a);
    const right = byId(b);
    const changes: ScriptChange[] = [];
    for (const [id, item] of left) {
      const at = join(path, `[${id}]`);
      if (!right.has(id)) changes.push({ path: at, kind: 'removed', from: item });
      else changes.push(...diffScripts(item, right.get(id), at));
    }
    for (const [id, item] of right)
      if (!left.has(id)) changes.push({ path: join(path, `[${id}]`), kind: 'added', to: item });
    return changes;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const changes: ScriptChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const at = join(path, String(i));
      if (i >= a.length) changes.push({ path: at, kind: 'added', to: b[i] });
      else if (i >= b.length) changes.push({ path: at, kind: 'removed', from: a[i] });
      else changes.push(...diffScripts(a[i], b[i], at));
    }
    return changes;
  }
  if (isObject(a) && isObject(b)) {
    const changes: ScriptChange[] = [];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const at = join(path, key);
      if (!(key in b)) changes.push({ path: at, kind: 'removed', from: a[key] });
      else if (!(key in a)) changes.push({ path: at, kind: 'added', to: b[key] });
      else changes.push(...diffScripts(a[key], b[key], at));
    }
    return changes;
  }
  return JSON.stringify(a) === JSON.stringify(b)
    ? []
    : [{ path: path || '(root)', kind: 'changed', from: a, to: b }];
}

function join(path: string, part: string): string {
  if (!path) return part;
  return part.startsWith('[') ? `${path}${part}` : `${path}.${part}`;
}
