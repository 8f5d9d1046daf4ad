export interface SendJobOptions {
  /** Delay: a Date, seconds from now, or an ISO string. */
  startAfter?: Date | number | string;
  /** Only one queued job with this key at a time. */
  singletonKey?: string;
  retryLimit?: number;
}

/** Plugin-scoped view of the durable job queue; names are the plugin's own job names. */
export interface Jobs {
  send<D extends object>(name: string, data: D, options?: SendJobOptions): Promise<string | null>;
  cancel(name: string, id: string): Promise<void>;
}
