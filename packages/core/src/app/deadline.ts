/** Runs shutdown steps against one overall deadline; a step that overruns is abandoned (and logged by the caller). */
export class Deadline {
  private readonly endsAt: number;

  constructor(ms: number) {
    this.endsAt = Date.now() + ms;
  }

  remaining(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /** Resolves to 'done', or 'timeout' when the deadline passes first. Rejections propagate. */
  async run(step: () => Promise<unknown> | unknown): Promise<'done' | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.remaining());
    });
    try {
      return await Promise.race([
        Promise.resolve()
          .then(step)
          .then(() => 'done' as const),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
