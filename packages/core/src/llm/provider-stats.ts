/** Latency and error rate of one provider over its last attempts (what the admin status shows). */
export interface ProviderStatsSnapshot {
  /** Attempts in the window (each retry is an attempt). */
  attempts: number;
  errors: number;
  /** errors / attempts in the window; 0 with no attempts. */
  errorRate: number;
  /** Mean and 95th percentile latency of the successful attempts in the window (null: none). */
  latencyMsAvg: number | null;
  latencyMsP95: number | null;
  /** Since start. */
  totalAttempts: number;
  totalErrors: number;
  lastError: { at: string; kind: string } | null;
}

interface Sample {
  ok: boolean;
  latencyMs: number;
}

/** A ring of the last `size` attempts: a count window, so no clock is involved. */
export class ProviderStats {
  private readonly samples: Sample[] = [];
  private next = 0;
  private totalAttempts = 0;
  private totalErrors = 0;
  private lastError: { at: string; kind: string } | null = null;

  constructor(private readonly size = 200) {}

  record(ok: boolean, latencyMs: number, errorKind?: string): void {
    const sample = { ok, latencyMs: Math.max(0, Math.round(latencyMs)) };
    if (this.samples.length < this.size) this.samples.push(sample);
    else this.samples[this.next] = sample;
    this.next = (this.next + 1) % this.size;
    this.totalAttempts += 1;
    if (!ok) {
      this.totalErrors += 1;
      this.lastError = { at: new Date().toISOString(), kind: errorKind ?? 'error' };
    }
  }

  snapshot(): ProviderStatsSnapshot {
    const errors = this.samples.filter((s) => !s.ok).length;
    const latencies = this.samples
      .filter((s) => s.ok)
      .map((s) => s.latencyMs)
      .sort((a, b) => a - b);
    const avg = latencies.length ? Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : null;
    const p95 = latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.95) - 1)]!
      : null;
    return {
      attempts: this.samples.length,
      errors,
      errorRate: this.samples.length ? Math.round((errors / this.samples.length) * 1000) / 1000 : 0,
      latencyMsAvg: avg,
      latencyMsP95: p95,
      totalAttempts: this.totalAttempts,
      totalErrors: this.totalErrors,
      lastError: this.lastError,
    };
  }
}
