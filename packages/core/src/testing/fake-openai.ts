import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { embedTextLocally } from '../vector/local-embeddings.js';
import { estimateTokens } from '../vector/text-features.js';

/**
 * A local OpenAI-compatible server for tests and demos. It speaks the real wire protocol
 * (JSON bodies, SSE streaming, error bodies, Retry-After) so the real `openai` client can be
 * pointed at it with `baseURL: fake.url`.
 */

export type TextMatcher = string | RegExp;

export interface FakeChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: string;
  name?: string;
}

/** What a scripted reply function receives. */
export interface FakeChatRequest {
  model: string;
  messages: FakeChatMessage[];
  /** Text of the last user message ('' when none). */
  lastUser: string;
  /** Text of all system messages joined with newlines. */
  system: string;
  /** The `X-Botloom-Purpose` header, or `metadata.purpose`, or ''. */
  purpose: string;
  responseFormat?: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } };
  tools?: Array<{ type: string; function: { name: string; parameters?: unknown } }>;
  stream: boolean;
  body: Record<string, unknown>;
}

export interface FakeToolCall {
  name: string;
  arguments: unknown;
}

export interface FakeReplyObject {
  /** Text content; objects are JSON-encoded (handy for structured output). */
  content?: string | Record<string, unknown> | unknown[];
  toolCalls?: FakeToolCall[];
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Override the usage numbers (otherwise estimated at ~4 characters per token). */
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export type FakeReply = string | FakeReplyObject;

export interface FakeRule {
  /** All given conditions must hold. Strings match case-insensitively as substrings. */
  match?: { user?: TextMatcher; system?: TextMatcher; purpose?: TextMatcher; model?: TextMatcher };
  reply: FakeReply | ((request: FakeChatRequest) => FakeReply | Promise<FakeReply>);
  /** Use the rule this many times, then drop it (default: forever). */
  times?: number;
  /** Answer after this delay (ms). */
  delayMs?: number;
}

export type FakeFaultKind = 'rate_limit' | 'server_error' | 'timeout' | 'disconnect';

export interface FakeFaultOptions {
  /** Seconds sent in `Retry-After` on 429 (default 1). */
  retryAfter?: number;
  /** Milliseconds sent in `retry-after-ms` on 429 (OpenAI sends both); omitted unless set. */
  retryAfterMs?: number;
  /** Status for `server_error` (default 500). */
  status?: number;
  /** Which endpoint the fault applies to (default: chat completions and embeddings). */
  endpoint?: 'chat' | 'embeddings' | 'any';
}

export interface FakeFault extends Required<Pick<FakeFaultOptions, 'endpoint'>> {
  kind: FakeFaultKind;
  remaining: number;
  options: FakeFaultOptions;
}

export interface FakeRequestLogEntry {
  at: Date;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
  purpose: string;
  /** HTTP status sent (0 when the connection was dropped or the client gave up). */
  status: number;
  fault?: FakeFaultKind;
  /** For chat completions: the text content that was answered. */
  reply?: string;
}

export interface FakeOpenAIOptions {
  port?: number;
  host?: string;
  /** Require `Authorization: Bearer <apiKey>` (any key is accepted when unset). */
  apiKey?: string;
  /** Answer when no rule matches (default: a short fixed text). */
  defaultReply?: FakeReply | ((request: FakeChatRequest) => FakeReply | Promise<FakeReply>);
  models?: string[];
  /** Dimensions of /v1/embeddings vectors when the request does not say (default 256). */
  embeddingDimensions?: number;
  /**
   * Answer `response_format: json_schema` with 400, as servers without strict structured
   * output do (some Ollama and vLLM builds, OpenAI-compatible layers of other vendors).
   */
  rejectJsonSchema?: boolean;
}

export interface FakeOpenAI {
  /** Base URL ending in `/v1`, for `new OpenAI({ baseURL })` or OPENAI_BASE_URL. */
  url: string;
  /** Add a scripted answer; rules are tried in the order they were added. */
  script(rule: FakeRule): void;
  /** Every request received, in order. */
  readonly requests: FakeRequestLogEntry[];
  /** Chat completion requests only. */
  readonly chatRequests: FakeRequestLogEntry[];
  /** Make the next `times` matching requests fail. */
  fail(kind: FakeFaultKind, times?: number, options?: FakeFaultOptions): void;
  /** Faults still pending. */
  readonly faults: FakeFault[];
  /** Forget rules, faults and the request log. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_REPLY = 'This is a scripted reply from the fake OpenAI server.';

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : ''))
      .join('');
  }
  return '';
}

function matches(matcher: TextMatcher | undefined, value: string): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'string') return value.toLowerCase().includes(matcher.toLowerCase());
  matcher.lastIndex = 0;
  return matcher.test(value);
}

/** A minimal instance of a JSON schema (the shape a strict model answer must have). */
export function sampleFromJsonSchema(schema: any, root: any = schema, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 12) return null;
  if (schema.$ref && typeof schema.$ref === 'string') {
    const parts = schema.$ref.replace(/^#\//, '').split('/');
    let target = root;
    for (const part of parts) target = target?.[part];
    return sampleFromJsonSchema(target, root, depth + 1);
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length > 0) {
    const nonNull = variants.find((v: any) => v?.type !== 'null') ?? variants[0];
    return sampleFromJsonSchema(nonNull, root, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries<any>(schema.properties ?? {})) {
        out[key] = sampleFromJsonSchema(value, root, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: min }, () => sampleFromJsonSchema(schema.items, root, depth + 1));
    }
    case 'string':
      return typeof schema.minLength === 'number' && schema.minLength > 0 ? 'x'.repeat(schema.minLength) : '';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return null;
  }
}

async function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('Request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
    ...headers,
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers: Record<string, string> = {},
) {
  sendJson(res, status, { error: { message, type, param: null, code } }, headers);
}

/** Split text into stream deltas of a few words each, as models do. */
function deltas(text: string): string[] {
  const parts = text.match(/\S+\s*|\s+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 3) out.push(parts.slice(i, i + 3).join(''));
  return out.length > 0 ? out : [''];
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const rules: Array<FakeRule & { used: number }> = [];
  const faults: FakeFault[] = [];
  const log: FakeRequestLogEntry[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const models = options.models ?? ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'];

  function takeFault(endpoint: 'chat' | 'embeddings'): FakeFault | undefined {
    const index = faults.findIndex((f) => f.endpoint === 'any' || f.endpoint === endpoint);
    if (index < 0) return undefined;
    const fault = faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  }

  /** Returns true when a fault consumed the request. */
  function applyFault(
    fault: FakeFault | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    entry: FakeRequestLogEntry,
  ): boolean {
    if (!fault) return false;
    entry.fault = fault.kind;
    switch (fault.kind) {
      case 'rate_limit': {
        const headers: Record<string, string> = { 'retry-after': String(fault.options.retryAfter ?? 1) };
        if (fault.options.retryAfterMs !== undefined)
          headers['retry-after-ms'] = String(fault.options.retryAfterMs);
        entry.status = 429;
        sendError(res, 429, 'Rate limit reached (fake)', 'requests', 'rate_limit_exceeded', headers);
        return true;
      }
      case 'server_error': {
        const status = fault.options.status ?? 500;
        entry.status = status;
        sendError(
          res,
          status,
          'The server had an error while processing your request (fake)',
          'server_error',
          null,
        );
        return true;
      }
      case 'timeout':
        // Hang until the client gives up (or the server closes).
        entry.status = 0;
        hanging.add(res);
        req.socket.once('close', () => hanging.delete(res));
        return true;
      case 'disconnect':
        entry.status = 0;
        req.socket.destroy();
        return true;
    }
  }

  async function pickReply(request: FakeChatRequest): Promise<{ reply: FakeReply; delayMs: number }> {
    for (let i = 0; i < rules.length; i += 1) {
      const rule = rules[i]!;
      const m = rule.match ?? {};
      if (
        !matches(m.user, request.lastUser) ||
        !matches(m.system, request.system) ||
        !matches(m.purpose, request.purpose) ||
        !matches(m.model, request.model)
      ) {
        continue;
      }
      rule.used += 1;
      if (rule.times !== undefined && rule.used >= rule.times) rules.splice(i, 1);
      const reply = typeof rule.reply === 'function' ? await rule.reply(request) : rule.reply;
      return { reply, delayMs: rule.delayMs ?? 0 };
    }
    if (options.defaultReply !== undefined) {
      const reply =
        typeof options.defaultReply === 'function'
          ? await options.defaultReply(request)
          : options.defaultReply;
      return { reply, delayMs: 0 };
    }
    if (request.responseFormat?.type === 'json_schema') {
      return {
        reply: JSON.stringify(sampleFromJsonSchema(request.responseFormat.json_schema?.schema)),
        delayMs: 0,
      };
    }
    if (request.responseFormat?.type === 'json_object') return { reply: '{}', delayMs: 0 };
    return { reply: DEFAULT_FAKE_REPLY, delayMs: 0 };
  }

  async function handleChat(
    req: IncomingMessage,
    res: ServerResponse,
    body: any,
    entry: FakeRequestLogEntry,
  ): Promise<void> {
    if (!body || !Array.isArray(body.messages) || body.messages.length === 0) {
      entry.status = 400;
      sendError(res, 400, "'messages' is a required property", 'invalid_request_error', null);
      return;
    }
    if (typeof body.model !== 'string' || body.model === '') {
      entry.status = 400;
      sendError(res, 400, "'model' is a required property", 'invalid_request_error', null);
      return;
    }
    if (options.rejectJsonSchema && body.response_format?.type === 'json_schema') {
      entry.status = 400;
      sendError(
        res,
        400,
        "response_format type 'json_schema' is not supported",
        'invalid_request_error',
        null,
      );
      return;
    }
    const messages = body.messages as FakeChatMessage[];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const request: FakeChatRequest = {
      model: body.model,
      messages,
      lastUser: textOf(lastUser?.content),
      system: messages
        .filter((m) => m.role === 'system' || m.role === 'developer')
        .map((m) => textOf(m.content))
        .join('\n'),
      purpose: entry.purpose,
      responseFormat: body.response_format,
      tools: body.tools,
      stream: body.stream === true,
      body,
    };
    const { reply, delayMs } = await pickReply(request);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (res.destroyed || req.socket.destroyed) return;

    const replyObject: FakeReplyObject = typeof reply === 'string' ? { content: reply } : reply;
    const content =
      replyObject.content === undefined
        ? replyObject.toolCalls
          ? null
          : ''
        : typeof replyObject.content === 'string'
          ? replyObject.content
          : JSON.stringify(replyObject.content);
    const toolCalls = replyObject.toolCalls?.map((call) => ({
      id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      type: 'function' as const,
      function: {
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
      },
    }));
    const finishReason = replyObject.finishReason ?? (toolCalls?.length ? 'tool_calls' : 'stop');
    const promptText = messages.map((m) => `${m.role}: ${textOf(m.content)}`).join('\n');
    const promptTokens =
      replyObject.usage?.prompt_tokens ??
      estimateTokens(promptText) +
        3 * messages.length +
        (body.response_format?.json_schema ? estimateTokens(JSON.stringify(body.response_format)) : 0) +
        (body.tools ? estimateTokens(JSON.stringify(body.tools)) : 0);
    const completionTokens =
      replyObject.usage?.completion_tokens ??
      estimateTokens(content ?? '') + (toolCalls ? estimateTokens(JSON.stringify(toolCalls)) : 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const id = `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const created = Math.floor(Date.now() / 1000);
    entry.reply = content ?? '';

    if (!request.stream) {
      entry.status = 200;
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        system_fingerprint: 'fp_fake',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content,
              refusal: null,
              ...(toolCalls ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage,
      });
      return;
    }

    entry.status = 200;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: 'fp_fake', choices, ...extra })}\n\n`;
    res.write(
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]),
    );
    if (content) {
      for (const piece of deltas(content)) {
        if (res.destroyed) return;
        res.write(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
        // Let the client see separate network chunks, as with a real model.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (toolCalls) {
      toolCalls.forEach((call, index) => {
        res.write(
          chunk([
            { index: 0, delta: { tool_calls: [{ index, ...call }] }, logprobs: null, finish_reason: null },
          ]),
        );
      });
    }
    res.write(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
    if (body.stream_options?.include_usage) res.write(chunk([], { usage }));
    res.end('data: [DONE]\n\n');
  }

  function handleEmbeddings(res: ServerResponse, body: any, entry: FakeRequestLogEntry) {
    const input = body?.input;
    const inputs: unknown[] = Array.isArray(input) ? input : [input];
    if (input === undefined || inputs.length === 0 || inputs.some((t) => typeof t !== 'string')) {
      entry.status = 400;
      sendError(res, 400, "'input' must be a string or an array of strings", 'invalid_request_error', null);
      return;
    }
    const dimensions =
      typeof body.dimensions === 'number' && body.dimensions > 0
        ? body.dimensions
        : (options.embeddingDimensions ?? 256);
    const data = (inputs as string[]).map((text, index) => {
      const vector = embedTextLocally(text, dimensions);
      return {
        object: 'embedding',
        index,
        embedding:
          body.encoding_format === 'base64'
            ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
            : vector,
      };
    });
    const tokens = (inputs as string[]).reduce((sum, text) => sum + estimateTokens(text), 0);
    entry.status = 200;
    sendJson(res, 200, {
      object: 'list',
      data,
      model: body.model ?? 'text-embedding-3-small',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/+$/, '');
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers[key] = key === 'authorization' ? 'Bearer ***' : Array.isArray(value) ? value.join(', ') : value;
    }
    const entry: FakeRequestLogEntry = {
      at: new Date(),
      method: req.method ?? 'GET',
      path,
      headers,
      body: undefined,
      purpose: '',
      status: 0,
    };
    log.push(entry);

    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      entry.status = 401;
      sendError(res, 401, 'Incorrect API key provided (fake)', 'invalid_request_error', 'invalid_api_key');
      return;
    }

    let body: any;
    if (req.method === 'POST') {
      const raw = await readBody(req);
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        entry.status = 400;
        sendError(
          res,
          400,
          'We could not parse the JSON body of your request.',
          'invalid_request_error',
          null,
        );
        return;
      }
      entry.body = body;
    }
    const headerPurpose = req.headers['x-botloom-purpose'];
    entry.purpose =
      (typeof headerPurpose === 'string' ? headerPurpose : '') ||
      (typeof body?.metadata?.purpose === 'string' ? body.metadata.purpose : '');

    if (req.method === 'GET' && path === '/v1/models') {
      entry.status = 200;
      sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'botloom-fake' })),
      });
      return;
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      if (applyFault(takeFault('chat'), req, res, entry)) return;
      await handleChat(req, res, body, entry);
      return;
    }
    if (req.method === 'POST' && path === '/v1/embeddings') {
      if (applyFault(takeFault('embeddings'), req, res, entry)) return;
      handleEmbeddings(res, body, entry);
      return;
    }
    entry.status = 404;
    sendError(res, 404, `Unknown request URL: ${req.method} ${path}`, 'invalid_request_error', 'unknown_url');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: any) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, error?.status ?? 500, String(error?.message ?? error), 'server_error', null);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/v1`,
    script(rule) {
      rules.push({ ...rule, used: 0 });
    },
    get requests() {
      return log;
    },
    get chatRequests() {
      return log.filter((entry) => entry.path === '/v1/chat/completions');
    },
    fail(kind, times = 1, faultOptions = {}) {
      faults.push({
        kind,
        remaining: times,
        endpoint: faultOptions.endpoint ?? 'any',
        options: faultOptions,
      });
    },
    get faults() {
      return faults;
    },
    reset() {
      rules.length = 0;
      faults.length = 0;
      log.length = 0;
    },
    async close() {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
