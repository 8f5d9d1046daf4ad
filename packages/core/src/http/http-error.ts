import { BotloomError } from '../errors/botloom-error.js';
import { DomainError, type DomainErrorKind } from '../errors/domain-errors.js';
import { LlmBudgetExceededError, LlmRateLimitedError, LlmUnavailableError } from '../llm/errors.js';

/**
 * An error with an HTTP status, thrown by route handlers. The server turns it into
 * `{ error: { code, message, correlationId, details? } }` with that status. `message` and
 * `details` are sent to the client, so never put secrets or internals in them.
 */
export class HttpError extends BotloomError {
  readonly status: number;
  /** Extra response headers, e.g. `Allow` on 405 or `WWW-Authenticate` on 401. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(code, message, { cause: options.cause, details: options.details });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be 400-599, got ${status}`);
    }
    this.status = status;
    this.headers = options.headers ?? {};
  }

  static badRequest(message: string, code = 'BAD_REQUEST', details?: unknown): HttpError {
    return new HttpError(400, code, message, { details });
  }

  static forbidden(message = 'This token is not allowed to do that', code = 'FORBIDDEN'): HttpError {
    return new HttpError(403, code, message);
  }

  static notFound(message = 'Not found', code = 'NOT_FOUND'): HttpError {
    return new HttpError(404, code, message);
  }

  static conflict(message: string, code = 'CONFLICT', details?: unknown): HttpError {
    return new HttpError(409, code, message, { details });
  }
}

/** The JSON body of every error response. */
export interface ErrorResponseBody {
  error: {
    code: string;
    message: string;
    correlationId: string;
    /** Validation problems of a 422: `{ path, message, code }` per problem. */
    issues?: Array<{ path: string; message: string; code: string }>;
    details?: unknown;
  };
}

export interface NormalisedError {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
  details?: unknown;
  issues?: ErrorResponseBody['error']['issues'];
  /** Unexpected (5xx from a bug): log it with the stack. */
  internal: boolean;
}

const STATUS_CODES: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'Bad request' },
  401: { code: 'UNAUTHORIZED', message: 'Authentication required' },
  403: { code: 'FORBIDDEN', message: 'Forbidden' },
  404: { code: 'NOT_FOUND', message: 'Not found' },
  405: { code: 'METHOD_NOT_ALLOWED', message: 'Method not allowed' },
  408: { code: 'REQUEST_TIMEOUT', message: 'Request timeout' },
  411: { code: 'LENGTH_REQUIRED', message: 'Length required' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content type' },
  422: { code: 'VALIDATION_FAILED', message: 'Request is invalid' },
  429: { code: 'TOO_MANY_REQUESTS', message: 'Too many requests' },
  500: { code: 'INTERNAL_ERROR', message: 'Internal server error' },
  501: { code: 'NOT_IMPLEMENTED', message: 'Not implemented' },
  503: { code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' },
};

function genericFor(status: number): { code: string; message: string } {
  return STATUS_CODES[status] ?? (status >= 500 ? STATUS_CODES[500]! : STATUS_CODES[400]!);
}

/** The one place where a domain error's kind becomes an HTTP status. */
const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  not_found: 404,
  conflict: 409,
  invalid_input: 400,
  forbidden: 403,
  unavailable: 503,
};

/**
 * Maps anything thrown by a handler or middleware to a response. Only HttpError, domain
 * errors (`NotFoundError`, `ConflictError`, ...; status by kind) and client errors of body
 * parsers / http-errors (`expose: true`, 4xx) carry their message to the client; everything
 * else becomes a 500 with a generic message.
 */
export function normaliseError(err: unknown): NormalisedError {
  const kindStatus = err instanceof DomainError ? STATUS_OF_KIND[err.kind] : undefined;
  if (err instanceof DomainError && kindStatus !== undefined) {
    return {
      status: kindStatus,
      code: err.code,
      message: err.message,
      headers: {},
      details: err.details,
      internal: false,
    };
  }
  const llm = llmErrorResponse(err);
  if (llm) return llm;
  const dataError = databaseDataErrorResponse(err);
  if (dataError) return dataError;
  if (err instanceof HttpError) {
    const issues = err.status === 422 ? extractIssues(err.details) : undefined;
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      headers: err.headers,
      details: issues ? undefined : err.details,
      issues,
      internal: false,
    };
  }
  const e = err as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    type?: unknown;
    headers?: unknown;
  } | null;
  const status =
    typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const generic = genericFor(status);
    let { code, message } = generic;
    // co-body (via @koa/bodyparser) reports unparseable JSON as a SyntaxError with status 400.
    if (status === 400 && (err instanceof SyntaxError || e?.type === 'entity.parse.failed')) {
      code = 'MALFORMED_JSON';
      message = 'Request body is not valid JSON';
    }
    const headers: Record<string, string> = {};
    if (e?.headers && typeof e.headers === 'object') {
      for (const [k, v] of Object.entries(e.headers as Record<string, unknown>))
        if (typeof v === 'string') headers[k] = v;
    }
    return { status, code, message, headers, internal: false };
  }
  return {
    status: status >= 500 && status <= 599 ? status : 500,
    ...genericFor(500),
    headers: {},
    internal: true,
  };
}

/**
 * PostgreSQL "data exceptions" (SQLSTATE class 22) come from a value the request carried that
 * the database cannot take: a NUL character in text, a number out of range, text where a
 * number or a uuid belongs. The client can fix that, so 400, not a 500 for every route that
 * passes a path or query parameter through without checking each of these itself.
 */
function databaseDataErrorResponse(err: unknown): NormalisedError | undefined {
  const e = err as { name?: unknown; parent?: { code?: unknown } } | null;
  if (typeof e?.name !== 'string' || !e.name.startsWith('Sequelize')) return undefined;
  const sqlState = e.parent?.code;
  if (typeof sqlState !== 'string' || !sqlState.startsWith('22')) return undefined;
  return {
    status: 400,
    code: 'INVALID_VALUE',
    message: 'A value in the request cannot be used (e.g. a NUL character or a number out of range)',
    headers: {},
    internal: false,
  };
}

/**
 * LLM errors that reach a route: the caller's budget is spent (429 until it resets) or the model
 * cannot answer now (503). Not bugs, so not 500s; the cause and provider details stay in the log.
 */
function llmErrorResponse(err: unknown): NormalisedError | undefined {
  if (err instanceof LlmBudgetExceededError) {
    const seconds = Math.max(1, Math.ceil((err.resetsAt.getTime() - Date.now()) / 1000));
    return {
      status: 429,
      code: err.code,
      message: `The daily LLM token budget (${err.scope}) is spent; it resets at ${err.resetsAt.toISOString()}`,
      headers: { 'Retry-After': String(seconds) },
      details: err.details,
      internal: false,
    };
  }
  if (err instanceof LlmUnavailableError || err instanceof LlmRateLimitedError) {
    const retryAfterMs = err instanceof LlmRateLimitedError ? err.retryAfterMs : null;
    return {
      status: 503,
      code: err.code,
      message: 'The language model cannot answer right now; try again later',
      headers: retryAfterMs ? { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) } : {},
      internal: false,
    };
  }
  return undefined;
}

function extractIssues(details: unknown): ErrorResponseBody['error']['issues'] | undefined {
  const issues = (details as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as ErrorResponseBody['error']['issues']) : undefined;
}
