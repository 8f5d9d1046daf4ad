// Module hooks for test/lean-surface.test.ts: records every core source file a process loads.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.LOADED_MODULES_LOG && result.url.includes('/packages/core/src/')) {
    appendFileSync(process.env.LOADED_MODULES_LOG, `${result.url}\n`);
  }
  return result;
}
