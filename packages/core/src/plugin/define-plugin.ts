import type { ZodTypeAny } from 'zod';
import type { ServiceDependency } from './service-ref.js';
import type { PluginManifest } from './types.js';

/**
 * Declares a plugin. It only returns the manifest (with types inferred from the config
 * schema and the `services` stage); validation happens when an app loads it, so every
 * problem of every plugin is reported together.
 */
export function definePlugin<
  S extends ZodTypeAny,
  D extends Record<string, ServiceDependency> = Record<never, never>,
  Svc = undefined,
>(manifest: PluginManifest<S, D, Svc>): PluginManifest<S, D, Svc> {
  return manifest;
}
