// The editor's working copy of a script definition: plain JSON as the API returns it, each
// list item object tagged with a `__key` (stable React keys while items move) that is
// stripped before the definition is sent.

export type Json = any;
export type Path = Array<string | number>;

let counter = 0;
const KEY = '__key';

/** Tags every object inside arrays with a stable key. */
export function withKeys(value: Json): Json {
  if (Array.isArray(value))
    return value.map((item) => {
      const tagged = withKeys(item);
      if (tagged && typeof tagged === 'object' && !Array.isArray(tagged) && !(KEY in tagged))
        tagged[KEY] = `k${++counter}`;
      return tagged;
    });
  if (value && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = withKeys(v);
    return out;
  }
  return value;
}

/** The definition as the API takes it: keys stripped, blank optional fields left out. */
export function toDefinition(value: Json): Json {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === KEY ? undefined : v)));
}

export function keyOf(item: Json, index: number): string {
  return item && typeof item === 'object' && typeof item[KEY] === 'string' ? item[KEY] : `i${index}`;
}

export function getAt(value: Json, path: Path): Json {
  let current = value;
  for (const part of path) {
    if (current == null) return undefined;
    current = current[part as never];
  }
  return current;
}

/** A copy of `value` with `path` set (undefined removes an object key). */
export function setAt(value: Json, path: Path, next: Json): Json {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  const container = Array.isArray(value) ? [...value] : { ...(value ?? {}) };
  const child = setAt((container as Json)[head as never], rest, next);
  if (child === undefined && !Array.isArray(container)) delete (container as Json)[head as never];
  else (container as Json)[head as never] = child;
  return container;
}

export function moveItem<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

/** A new item tagged with its key. */
export function item(value: Record<string, Json>): Json {
  return { ...value, [KEY]: `k${++counter}` };
}

/** Comma-separated text to a list (blank parts dropped). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const pathKey = (path: Path) => path.join('.');
/** The id of the control at a script path, so an issue can focus it. */
export const fieldId = (path: Path | string) =>
  `sales-field-${typeof path === 'string' ? path : pathKey(path)}`.replace(/[^\w-]/g, '-');

export function blankStage(n: number): Json {
  return item({
    id: `stage-${n}`,
    goal: '',
    keyMessage: '',
    lines: [],
    objections: [],
    transitions: [],
  });
}
