import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one app instance, served at /metrics. */
export interface Metrics {
  registry: Registry;
  /** Updates received, by update type (message, callback_query, ...). */
  updates: Counter<'type'>;
  /** Time spent in each plugin's handlers per update, in seconds. */
  handlerDuration: Histogram<'plugin'>;
  /** Errors thrown by handlers, by plugin. */
  handlerErrors: Counter<'plugin'>;
  /** Outgoing Bot API calls by method and outcome (ok, error code). */
  apiCalls: Counter<'method' | 'status'>;
  /** HTTP requests served, by route owner (core or plugin id) and status class. */
  httpRequests: Counter<'owner' | 'status'>;
  /** LLM calls by plugin, purpose and outcome. */
  llmCalls: Counter<'plugin' | 'purpose' | 'status'>;
  /** The update inbox: updates stored, dropped as duplicates, done, retried, dead-lettered. */
  inboxUpdates: Counter<'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'botloom_' });
  return {
    registry,
    updates: new Counter({
      name: 'botloom_updates_total',
      help: 'Telegram updates received',
      labelNames: ['type'],
      registers: [registry],
    }),
    handlerDuration: new Histogram({
      name: 'botloom_handler_duration_seconds',
      help: 'Time spent in plugin handlers per update',
      labelNames: ['plugin'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    handlerErrors: new Counter({
      name: 'botloom_handler_errors_total',
      help: 'Errors thrown by handlers',
      labelNames: ['plugin'],
      registers: [registry],
    }),
    apiCalls: new Counter({
      name: 'botloom_telegram_api_calls_total',
      help: 'Outgoing Bot API calls',
      labelNames: ['method', 'status'],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'botloom_http_requests_total',
      help: 'HTTP requests served',
      labelNames: ['owner', 'status'],
      registers: [registry],
    }),
    llmCalls: new Counter({
      name: 'botloom_llm_calls_total',
      help: 'LLM calls',
      labelNames: ['plugin', 'purpose', 'status'],
      registers: [registry],
    }),
    inboxUpdates: new Counter({
      name: 'botloom_inbox_updates_total',
      help: 'Updates through the update inbox by outcome (stored, duplicate, done, retry, dead)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
