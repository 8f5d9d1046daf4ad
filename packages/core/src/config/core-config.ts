import { z } from 'zod';
import { secret } from './secret.js';

const booleanFromEnv = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

/**
 * Core settings. Environment names are the keys themselves (well-known names such as
 * DATABASE_URL), not BOTLOOM_CORE_*. Descriptions feed `botloom config:check`.
 */
export const CoreConfigSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('production requires ENCRYPTION_KEY and logs JSON'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level'),
  LOG_FORMAT: z
    .enum(['pretty', 'json'])
    .optional()
    .describe('Log output; unset = short pretty lines in a terminal outside production, JSON otherwise'),
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(3000)
    .describe('HTTP port of the Koa server (0 = any free port)'),
  HOST: z
    .string()
    .min(1)
    .optional()
    .describe('Address the HTTP server binds to; unset = 0.0.0.0, or 127.0.0.1 in sandbox mode'),
  PUBLIC_URL: z
    .string()
    .url()
    .optional()
    .describe('Public base URL of this app (web app links); defaults to http://localhost:PORT'),
  BOTLOOM_DATA_DIR: z
    .string()
    .default('./.botloom')
    .describe('Data directory: embedded PostgreSQL, files, vector indexes'),
  DATABASE_URL: z
    .string()
    .optional()
    .describe('PostgreSQL URL; unset = embedded PostgreSQL under the data directory'),
  EMBEDDED_PG_SOCKET: booleanFromEnv
    .default(true)
    .describe(
      'Embedded PostgreSQL: connect over a Unix socket in its data folder (TCP on 127.0.0.1 stays); false = TCP only',
    ),
  BOTLOOM_AUTO_MIGRATE: booleanFromEnv.default(true).describe('Run pending migrations at start'),
  KV_URL: z
    .string()
    .optional()
    .describe('Key-value backend: postgres://..., redis://..., or memory://; default: the database'),
  TELEGRAM_BOT_TOKEN: secret(
    z.string().optional().describe('Bot token from @BotFather; unset = sandbox mode'),
  ),
  TELEGRAM_API_ROOT: z
    .string()
    .url()
    .optional()
    .describe('Bot API address override (e.g. a local Bot API server)'),
  WEBHOOK_URL: z
    .string()
    .url()
    .optional()
    .describe('Public URL of /telegram/webhook; set = webhook mode instead of long polling'),
  WEBHOOK_SECRET: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Secret token Telegram sends with webhook updates (secret)'),
  SANDBOX_CONTROL_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe(
      'Sandbox mode: token for /sandbox/* (header X-Sandbox-Token or ?token=); generated at start when HOST is not loopback (secret)',
    ),
  BOTLOOM_ADMIN_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe('Bootstrap admin bearer token (stored hashed) (secret)'),
  CORS_ORIGINS: z
    .string()
    .optional()
    .describe('Comma-separated origins allowed to call the admin API from a browser'),
  TRUST_PROXY: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(true|false|[0-9])$/, 'must be true, false or a number of proxies (0-9)')
    .default('false')
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v)))
    .describe(
      'Reverse proxies in front of the app whose X-Forwarded-For is trusted (true = 1); the login throttle and the audit log then use the client address they pass on. Leave off without a proxy: the header is easy to forge',
    ),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('Messages per user per minute before the bot slows them down'),
  RATE_LIMIT_SCOPE: z
    .enum(['shared', 'process'])
    .default('shared')
    .describe(
      'Where the per-user rate window lives: shared (KV backend, exact across instances) or process (memory, one instance only)',
    ),
  DEFAULT_CHAT_OWNER: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must be a plugin id')
    .optional()
    .describe(
      'Plugin that answers free text in private chats nobody claimed; default: the first plugin that answers all free text',
    ),
  CONVERSATION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1440)
    .describe('A half-finished conversation (e.g. /personalize) is forgotten this long after its last step'),
  ENCRYPTION_KEY: z
    .string()
    .optional()
    .describe(
      '32-byte key (base64 or hex) for secrets at rest; generated under the data dir when unset outside production (secret)',
    ),
  OPENAI_API_KEY: z.string().optional().describe('API key of an OpenAI-compatible endpoint (secret)'),
  OPENAI_BASE_URL: z
    .string()
    .url()
    .optional()
    .describe('OpenAI-compatible endpoint (OpenAI, Groq, vLLM, Ollama, LM Studio)'),
  LLM_MODEL: z.string().default('gpt-4o-mini').describe('Default chat model'),
  LLM_MODEL_FAST: z.string().optional().describe('Model for cheap, fast calls; defaults to LLM_MODEL'),
  EMBEDDING_MODEL: z
    .string()
    .optional()
    .describe('Embedding model; unset = local feature-hashing embeddings'),
  LLM_DAILY_TOKEN_BUDGET: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Tokens per user per day across plugins (unset = unlimited)'),
  LLM_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(60_000)
    .describe('Timeout of one LLM request attempt'),
  LLM_MAX_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('LLM requests in flight at once (others wait)'),
  LLM_MAX_RETRIES: z.coerce
    .number()
    .int()
    .min(0)
    .max(10)
    .default(2)
    .describe(
      'Retries of an LLM call on 429, 5xx, timeouts and network errors (exponential backoff, Retry-After honoured)',
    ),
  LLM_PRICES: z
    .string()
    .optional()
    .describe('JSON price table: {"model": {"prompt": USD per 1M tokens, "completion": ...}}'),
  LLM_PROVIDERS: z
    .string()
    .optional()
    .describe(
      'JSON: several OpenAI-compatible providers {"name": {"baseUrl", "apiKey", "model", "fastModel", "prices", "timeoutMs", "local"}}; unset = OPENAI_BASE_URL/OPENAI_API_KEY as the one provider (keys masked)',
    ),
  LLM_ROUTES: z
    .string()
    .optional()
    .describe(
      'JSON: providers per `default`, plugin or `plugin/purpose` in fallback order, e.g. {"default": ["openai", "groq"], "memory": {"private": true}}; private = local providers only',
    ),
  SENTRY_DSN: z
    .string()
    .url()
    .optional()
    .describe(
      'Sentry or GlitchTip DSN: report unhandled errors (scrubbed of user data); unset = nothing is loaded',
    ),
  SENTRY_ENVIRONMENT: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Environment reported to Sentry; defaults to NODE_ENV'),
  SENTRY_RELEASE: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'Release reported to Sentry; defaults to botloom-core@<core version> (plugin versions go in the event context)',
    ),
  SENTRY_SAMPLE_RATE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('Share of errors sent to Sentry (0..1)'),
  S3_ENDPOINT: z
    .string()
    .url()
    .optional()
    .describe('S3-compatible endpoint for file storage; unset = local disk'),
  S3_BUCKET: z.string().optional().describe('Bucket for stored files (required with S3_ENDPOINT)'),
  S3_ACCESS_KEY_ID: z.string().optional().describe('Access key id for S3_ENDPOINT'),
  S3_SECRET_ACCESS_KEY: z.string().optional().describe('Secret access key for S3_ENDPOINT (secret)'),
  S3_REGION: z.string().default('us-east-1').describe('Region name sent to S3_ENDPOINT'),
  S3_FORCE_PATH_STYLE: booleanFromEnv
    .default(true)
    .describe(
      'Address buckets as <endpoint>/<bucket> (MinIO and most S3-compatible servers); false = virtual-hosted',
    ),
  TELEGRAM_FLOOD_GLOBAL_PER_SECOND: z.coerce
    .number()
    .positive()
    .default(30)
    .describe(
      'Outgoing messages per second across all chats (Telegram: 30; raise for paid broadcast limits)',
    ),
  TELEGRAM_FLOOD_PER_CHAT_PER_SECOND: z.coerce
    .number()
    .positive()
    .default(1)
    .describe('Outgoing messages per second to one chat (Telegram: about 1)'),
  TELEGRAM_FLOOD_GROUP_PER_MINUTE: z.coerce
    .number()
    .positive()
    .default(20)
    .describe('Outgoing messages per minute to one group or channel (Telegram: 20)'),
  INBOX_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(120)
    .describe(
      'How long an instance holds an update it is handling without renewing (renewed while it runs); after that another instance takes it',
    ),
  INBOX_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Attempts at an update whose handler fails before it is dead-lettered'),
  INBOX_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(16)
    .describe('Updates of different chats one instance handles at once'),
  INBOX_RETENTION_HOURS: z.coerce
    .number()
    .min(1)
    .default(48)
    .describe('How long handled updates are remembered (de-duplication of redeliveries) before pruning'),
  INBOX_MAX_PENDING: z.coerce
    .number()
    .int()
    .min(1)
    .default(2000)
    .describe(
      'Updates accepted but not yet handled by this instance before the webhook answers 503 with Retry-After (Telegram redelivers)',
    ),
  INBOX_POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(1000)
    .describe(
      'How often an idle instance looks for due retries, expired leases and updates stored by others',
    ),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('How long a graceful shutdown may take before it gives up'),
});

export type CoreConfig = z.output<typeof CoreConfigSchema>;
