import { createRequire } from 'node:module';

type OpenAISdk = typeof import('openai');
type ZodHelpers = typeof import('openai/helpers/zod');

const require = createRequire(import.meta.url);
let sdk: OpenAISdk | undefined;
let zodHelpers: ZodHelpers | undefined;

/**
 * The openai package, loaded the first time a provider is configured: an app on the offline
 * provider never loads it (about 10 MB of memory and a noticeable share of the start).
 * Synchronous (the CommonJS build) so providers stay plain constructors; every client and
 * every error class comes from this one instance, which keeps `instanceof` checks true.
 */
export function openaiSdk(): OpenAISdk {
  sdk ??= require('openai') as OpenAISdk;
  return sdk;
}

/** The SDK if a provider loaded it; its errors cannot exist before that. */
export function loadedOpenaiSdk(): OpenAISdk | undefined {
  return sdk;
}

export function zodResponseFormat(...args: Parameters<ZodHelpers['zodResponseFormat']>) {
  zodHelpers ??= require('openai/helpers/zod') as ZodHelpers;
  return zodHelpers.zodResponseFormat(...args);
}
