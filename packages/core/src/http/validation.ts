import type { ParameterizedContext } from 'koa';
import type { ZodError, ZodTypeAny, z } from 'zod';
import { HttpError } from './http-error.js';

type Location = 'body' | 'query' | 'params';

/** Any Koa or @koa/router context, whatever its state type. */
export type AnyContext = ParameterizedContext<unknown, object, unknown>;

function toIssues(error: ZodError): Array<{ path: string; message: string; code: string }> {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

function validate<S extends ZodTypeAny>(value: unknown, schema: S, location: Location): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HttpError(422, 'VALIDATION_FAILED', `Request ${location} is invalid`, {
    details: { location, issues: toIssues(result.error) },
  });
}

function hasRequestBody(ctx: AnyContext): boolean {
  const length = ctx.request.length;
  return (typeof length === 'number' && length > 0) || ctx.get('transfer-encoding') !== '';
}

/**
 * Validates the JSON body of a request with a zod schema and returns the parsed value.
 * Throws HttpError 415 when a body was sent that is not JSON, 422 (`VALIDATION_FAILED`, with
 * `issues`) when it does not match. Malformed JSON and oversized bodies are rejected before
 * the handler runs (400 / 413).
 */
export function parseBody<S extends ZodTypeAny>(ctx: AnyContext, schema: S): z.output<S> {
  if (hasRequestBody(ctx) && !ctx.is('application/json', 'application/*+json')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json');
  }
  const body = (ctx.request as { body?: unknown }).body;
  return validate(hasRequestBody(ctx) ? body : undefined, schema, 'body');
}

/** Validates `ctx.query` (strings or string arrays; use `z.coerce` for numbers). 422 on failure. */
export function parseQuery<S extends ZodTypeAny>(ctx: AnyContext, schema: S): z.output<S> {
  return validate(ctx.query, schema, 'query');
}

/** Validates the route parameters (`ctx.params` of @koa/router). 422 on failure. */
export function parseParams<S extends ZodTypeAny>(ctx: AnyContext, schema: S): z.output<S> {
  return validate((ctx as { params?: unknown }).params ?? {}, schema, 'params');
}
