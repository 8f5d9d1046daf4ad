/** One application log line as the panel shows it. */
export interface LogEntry {
  seq: number;
  time: string;
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  msg: string;
  plugin?: string;
  component?: string;
  correlationId?: string;
  /** The other fields of the line (already redacted by the logger). */
  fields: Record<string, unknown>;
}

export interface LogQuery {
  /** Lowest level shown. */
  level?: LogEntry['level'];
  plugin?: string;
  correlationId?: string;
  /** Case-insensitive text in the message or the fields. */
  q?: string;
  limit?: number;
}

const LEVELS: Record<number, LogEntry['level']> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const RANK: Record<LogEntry['level'], number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
const MAX_LINE = 16_384;

/**
 * The last `capacity` application log lines in memory, for the admin panel's Logs page: a
 * pino destination (tee) that parses each JSON line after redaction. Bounded: the oldest line
 * goes when a new one comes; per instance, gone at restart.
 */
export class LogBuffer {
  private readonly entries: LogEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 2000) {}

  write(line: string): void {
    if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, time, msg, plugin, component, correlationId, requestId, ...fields } = parsed;
    this.entries.push({
      seq: ++this.seq,
      time: new Date(typeof time === 'number' ? time : Date.now()).toISOString(),
      level: LEVELS[Number(level)] ?? 'info',
      msg: typeof msg === 'string' ? msg : '',
      plugin: typeof plugin === 'string' ? plugin : undefined,
      component: typeof component === 'string' ? component : undefined,
      correlationId:
        typeof correlationId === 'string'
          ? correlationId
          : typeof requestId === 'string'
            ? requestId
            : undefined,
      fields,
    });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** Newest first. */
  query(query: LogQuery = {}): LogEntry[] {
    const min = RANK[query.level ?? 'trace'];
    const needle = query.q?.toLowerCase();
    const out: LogEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < (query.limit ?? 200); i--) {
      const e = this.entries[i]!;
      if (RANK[e.level] < min) continue;
      if (query.plugin && e.plugin !== query.plugin) continue;
      if (query.correlationId && e.correlationId !== query.correlationId) continue;
      if (needle && !`${e.msg} ${JSON.stringify(e.fields)}`.toLowerCase().includes(needle)) continue;
      out.push(e);
    }
    return out;
  }
}
