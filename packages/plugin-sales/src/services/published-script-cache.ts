import { defineSignal, type Signals } from '@botloom/core';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { PublishedScript, ScriptService } from './script-service.js';

/** "Script <slug> has a new published version": every instance drops its cached copy. */
export const scriptPublishedSignal = defineSignal(
  'sales.script-published',
  z.object({ slug: z.string().max(63) }),
);

/**
 * The latest published version of each script, cached per instance so a message does not
 * reload the script. A publish or rollback on any instance invalidates it everywhere through
 * core's signals; after a lost connection (`onGap`) everything is dropped. Without signals
 * (an app with no signal service) nothing is cached.
 */
export class PublishedScriptCache {
  private readonly cache = new Map<string, Promise<PublishedScript | null>>();
  private unsubscribe?: () => Promise<void>;

  constructor(
    private readonly scripts: () => ScriptService,
    private readonly signals: Signals | undefined,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (!this.signals) return;
    this.unsubscribe = await this.signals.subscribe(
      scriptPublishedSignal,
      ({ slug }) => {
        this.cache.delete(slug);
      },
      { onGap: () => this.cache.clear() },
    );
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.cache.clear();
  }

  get(slug: string): Promise<PublishedScript | null> {
    if (!this.unsubscribe) return this.scripts().loadPublished(slug);
    let entry = this.cache.get(slug);
    if (!entry) {
      entry = this.scripts().loadPublished(slug);
      this.cache.set(slug, entry);
      entry.catch(() => this.cache.delete(slug));
    }
    return entry;
  }

  /** Called by the script service after it published: drop here at once, tell the others. */
  async published(slug: string): Promise<void> {
    this.cache.delete(slug);
    if (!this.signals) return;
    await this.signals
      .publish(scriptPublishedSignal, { slug })
      .catch((err) =>
        this.logger.warn({ err, slug }, 'could not signal a script publish to other instances'),
      );
  }
}
