import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

/** Where the package build puts the panel (`dist/admin-ui`, shipped in the package's files). */
export const ADMIN_UI_DIR = fileURLToPath(new URL('../../dist/admin-ui', import.meta.url));
export const ADMIN_UI_PREFIX = '/admin';
const PLUGIN_MODULES_PREFIX = '/admin/plugins/';

/** Where the panel loads a plugin's custom page module from. */
export function pluginModuleUrl(pluginId: string, pageId: string): string {
  return `${PLUGIN_MODULES_PREFIX}${pluginId}/${pageId}.js`;
}

/**
 * The panel's Content-Security-Policy: everything from this origin, nothing inline, no
 * framing. Chart.js sizes its canvas through the CSSOM, which `style-src` does not govern.
 */
export const ADMIN_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
};

/**
 * Serves the single-page panel under `/admin/` (not `/admin/api`): hashed files under
 * `assets/` are cached for a year, every other path answers `index.html` (no-cache) so the
 * client router takes it. Without a build it answers 503 saying how to build it.
 */
export function adminUiMiddleware(
  dir: string = ADMIN_UI_DIR,
  moduleFiles: () => Map<string, string> = () => new Map(),
): Middleware {
  const root = path.resolve(dir);
  return async (ctx, next) => {
    const p = ctx.path;
    if (p.toLowerCase().startsWith('/admin/api')) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (p === ADMIN_UI_PREFIX) {
      ctx.redirect('/admin/');
      return;
    }
    ctx.set('Content-Security-Policy', ADMIN_UI_CSP);
    if (p.startsWith(PLUGIN_MODULES_PREFIX)) {
      const file = moduleFiles().get(p);
      if (!file) return next();
      ctx.type = TYPES['.js']!;
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await readFile(file);
      return;
    }
    if (!existsSync(path.join(root, 'index.html'))) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.set('Cache-Control', 'no-store');
      ctx.body =
        'The admin panel is not built: run `npm run build` (or `npm run build:admin-ui -w @botloom/core`).';
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(p.slice(ADMIN_UI_PREFIX.length + 1));
    } catch {
      relative = '';
    }
    const file = path.resolve(root, relative);
    const inside = file.startsWith(`${root}${path.sep}`);
    const isAsset = inside && relative.startsWith('assets/');
    if (isAsset) {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return next();
      ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.body = await readFile(file);
      return;
    }
    ctx.type = TYPES['.html']!;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = await readFile(path.join(root, 'index.html'));
  };
}
