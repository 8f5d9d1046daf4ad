/** One hostile request for a write route and the clear 4xx it must get. */
export interface BadInputCase {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Full path, e.g. `/admin/api/support/managers`. */
  path: string;
  /** A JSON value, sent with JSON.stringify. Give `raw` instead for text that is not JSON. */
  body?: unknown;
  /** The body exactly as sent, e.g. `{"telegramUserId":1e30}` or broken JSON. */
  raw?: string;
  /** Default `application/json` when a body is given. */
  contentType?: string;
  /** Expected status; default 422 (the admin API's answer to a request that fails validation). */
  status?: number;
  /** Expected `error.code`; default any non-empty code. */
  code?: string;
  /** Token to send; default the one given to `findBadInputMismatches`. */
  token?: string | null;
  /** Extra request headers (e.g. `Authorization: tma <initData>` on a web app route). */
  headers?: Record<string, string>;
}

function describeCase(c: BadInputCase): string {
  const body = c.raw ?? (c.body === undefined ? '' : JSON.stringify(c.body));
  return `${c.method} ${c.path}${body ? ` ${body.slice(0, 80)}` : ''}`;
}

/**
 * Sends every case to a running app and returns what did not hold, one line per problem
 * (`[]` when each case got its status with a JSON `{ error: { code, message } }`, never a 5xx).
 * Use it as `expect(await findBadInputMismatches(url, token, cases)).toEqual([])`.
 */
export async function findBadInputMismatches(
  baseUrl: string,
  token: string | null,
  cases: readonly BadInputCase[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const c of cases) {
    const bearer = c.token === undefined ? token : c.token;
    const text = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
    const response = await fetch(`${baseUrl}${c.path}`, {
      method: c.method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(text === undefined ? {} : { 'content-type': c.contentType ?? 'application/json' }),
        ...c.headers,
      },
      body: text,
    });
    const payload = await response.text();
    let error: { code?: unknown; message?: unknown } | undefined;
    try {
      error = (JSON.parse(payload) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    const expected = c.status ?? 422;
    const what = describeCase(c);
    if (response.status !== expected) {
      problems.push(`${what}: status ${response.status}, expected ${expected} (${payload.slice(0, 200)})`);
      continue;
    }
    if (
      typeof error?.code !== 'string' ||
      !error.code ||
      typeof error.message !== 'string' ||
      !error.message
    ) {
      problems.push(`${what}: no { error: { code, message } } in ${payload.slice(0, 200)}`);
    } else if (c.code && error.code !== c.code) {
      problems.push(`${what}: error code ${error.code}, expected ${c.code}`);
    }
  }
  return problems;
}
