import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ADMIN_UI_DIR } from '../admin-panel/static-files.js';

const SOURCE_DIR = fileURLToPath(new URL('../../admin-ui', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(path.join(ADMIN_UI_DIR, 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds the admin panel (Vite) when `dist/admin-ui` is missing or older than its sources, so
 * browser tests run against the current panel without a separate `npm run build`. In a
 * published package (no sources) it only checks that the build is there.
 */
export async function ensureAdminUiBuilt(): Promise<void> {
  let sources = 0;
  try {
    sources = newestMtime(SOURCE_DIR);
  } catch {
    if (builtAt() > 0) return;
    throw new Error(`The admin panel is neither built (${ADMIN_UI_DIR}) nor present as sources`);
  }
  if (builtAt() >= sources) return;
  const vitePackage = createRequire(import.meta.url).resolve('vite/package.json');
  const viteBin = path.join(path.dirname(vitePackage), 'bin', 'vite.js');
  await promisify(execFile)(
    process.execPath,
    [viteBin, 'build', '--config', path.join(SOURCE_DIR, 'vite.config.ts')],
    { cwd: path.dirname(SOURCE_DIR), timeout: 300_000 },
  );
}
