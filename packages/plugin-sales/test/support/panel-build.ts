import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CONVERSATIONS_PAGE_MODULE, SCRIPTS_PAGE_MODULE } from '../../src/admin/admin-pages.js';

const PANEL_DIR = fileURLToPath(new URL('../../panel', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds the sales panel pages (panel/build.mjs) when dist/panel is missing or older than its
 * sources, as core's ensureAdminUiBuilt does for the panel itself.
 */
export async function ensureSalesPanelBuilt(): Promise<void> {
  let built = 0;
  try {
    built = Math.min(...[SCRIPTS_PAGE_MODULE, CONVERSATIONS_PAGE_MODULE].map((f) => statSync(f).mtimeMs));
  } catch {
    built = 0;
  }
  if (built >= newestMtime(PANEL_DIR)) return;
  await promisify(execFile)(process.execPath, [path.join(PANEL_DIR, 'build.mjs')], {
    cwd: path.dirname(PANEL_DIR),
    timeout: 300_000,
  });
}
