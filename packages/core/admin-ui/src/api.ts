/** The panel's HTTP client: same-origin cookie session, CSRF token on every write. */

export interface ApiIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What a 422 says is wrong, field by field. */
    readonly issues: ApiIssue[] = [],
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken = '';
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** A multipart upload with progress (fetch cannot report upload progress); resolves with status and JSON. */
export function uploadFile(
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: any = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 401) onUnauthorized();
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('The upload failed (network)'));
    xhr.send(form);
  });
}

export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: any = null;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401 && !path.endsWith('/admin/api/session')) onUnauthorized();
    const error = parsed?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? 'HTTP_ERROR',
      error.message ?? response.statusText,
      Array.isArray(error.issues) ? error.issues : [],
      error.details,
    );
  }
  return parsed as T;
}

export const get = <T = any>(path: string) => api<T>('GET', path);

export interface SessionInfo {
  user: { id: string; username: string; role: 'admin' | 'viewer' };
  csrfToken: string;
}

export interface Localized {
  en: string;
  [lang: string]: string | undefined;
}

export interface Column {
  key: string;
  label: Localized;
  format?: 'text' | 'number' | 'percent' | 'date' | 'boolean' | 'json' | 'tags' | 'localized';
  /** Labels for raw values (a status), in the panel's language. */
  values?: Record<string, Localized>;
}

export type ScalarFieldType = 'text' | 'textarea' | 'number' | 'telegramId' | 'select' | 'boolean' | 'list';

export interface Field {
  key: string;
  label: Localized;
  type: ScalarFieldType | 'json' | 'objects';
  /** The fields of each row of an `objects` field. */
  fields?: Field[];
  required?: boolean;
  options?: string[];
  placeholder?: Localized;
  hint?: Localized;
}

export type Scalar = string | number | boolean;

/** A button on each row (and on the detail view): `method` to `endpoint` with the row key filled in. */
export interface RowAction {
  id: string;
  label: Localized;
  endpoint: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  confirm?: Localized;
  tone: 'default' | 'primary' | 'danger';
  when?: { key: string; equals?: Scalar; in?: Scalar[] };
  input?: { fields: Field[]; submit?: Localized };
}

export interface PageDef {
  id: string;
  title: Localized;
  description?: Localized;
  /** A custom page: the plugin's ES module, built for panel version `uiVersion`. */
  module?: { url: string; uiVersion: string };
  list?: {
    endpoint: string;
    items?: string;
    total?: string;
    rowKey: string;
    columns: Column[];
    filters?: Array<{
      param: string;
      label: Localized;
      options?: string[];
      values?: Record<string, Localized>;
      default?: string;
    }>;
    chart?: { title: Localized; label: string; labelFormat?: 'text' | 'localized' | 'date'; value: string };
    live?: { socket: string; ticket: string };
  };
  detail?: {
    endpoint: string;
    item?: string;
    fields: Column[];
    tables?: Array<{ key: string; title: Localized; columns: Column[] }>;
  };
  create?: { endpoint: string; label: Localized; fields: Field[] };
  edit?: { endpoint: string; method: 'PUT' | 'PATCH' | 'POST'; label?: Localized; fields: Field[] };
  lookup?: { label: Localized; placeholder?: Localized; pattern?: string };
  remove?: { endpoint: string; confirm?: Localized };
  actions?: Array<{ id: string; label: Localized; endpoint: string; confirm?: Localized }>;
  rowActions?: RowAction[];
  upload?: {
    endpoint: string;
    label: Localized;
    field: string;
    accept?: string;
    options?: Array<{ key: string; label: Localized }>;
    report?: { fields: Column[]; rows?: { key: string; title: Localized; columns: Column[] } };
  };
}

export type WidgetDef =
  | { kind: 'stats'; id: string; title: Localized; endpoint: string; stats: Column[] }
  | {
      kind: 'bar';
      id: string;
      title: Localized;
      endpoint: string;
      items?: string;
      label: string;
      labelFormat?: 'text' | 'localized' | 'date';
      value: string;
    };

export interface PanelPlugin {
  id: string;
  version: string;
  pages: PageDef[];
  widgets: WidgetDef[];
}

export interface PanelManifest {
  uiVersion: string;
  plugins: PanelPlugin[];
}

/** A value at a dotted path (`stats.count`). */
export function pick(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current == null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** `/things/:id` with the row's key filled in, under the plugin's admin API. */
export function pluginPath(plugin: string, endpoint: string, id?: string): string {
  const path = id === undefined ? endpoint : endpoint.replace(/:[A-Za-z_]+/, encodeURIComponent(id));
  return `/admin/api/${plugin}${path}`;
}
