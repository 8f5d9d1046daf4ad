import type { ZodTypeAny } from 'zod';
import type { PluginManifest } from './types.js';

/**
 * Declares a plugin. It only returns the manifest (with types inferred from the config
 * schema); validation happens when an app loads it, so every problem of every plugin is
 * reported together.
 */
export function definePlugin<S extends ZodTypeAny>(manifest: PluginManifest<S>): PluginManifest<S> {
  return manifest;
}
