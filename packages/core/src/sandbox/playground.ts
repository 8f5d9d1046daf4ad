import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/** assets/playground sits two levels above both src/sandbox and dist/sandbox. */
const ASSET_DIR = fileURLToPath(new URL('../../assets/playground/', import.meta.url));

const ASSETS: Record<string, string> = {
  'playground.js': 'text/javascript; charset=utf-8',
  'playground.css': 'text/css; charset=utf-8',
  'bot-avatar.svg': 'image/svg+xml',
};

const cache = new Map<string, Buffer>();

async function asset(name: string): Promise<Buffer> {
  const cached = cache.get(name);
  if (cached) return cached;
  const data = await readFile(`${ASSET_DIR}${name}`);
  cache.set(name, data);
  return data;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * Serves the web playground: the page at `<base>/` and `<base>/sandbox`, its script and
 * style under `<base>/playground/`. The page learns where the control API is from a meta tag
 * (no inline script, so a strict Content-Security-Policy keeps working).
 */
export async function servePlayground(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  basePath: string,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (pathname === '/' || pathname === '/sandbox' || pathname === '/sandbox/') {
    const html = (await asset('index.html')).toString('utf8').replaceAll('{{BASE}}', escapeAttr(basePath));
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(html),
    });
    res.end(req.method === 'HEAD' ? undefined : html);
    return true;
  }
  const match = /^\/playground\/([a-z0-9.-]+)$/.exec(pathname);
  if (match && ASSETS[match[1]]) {
    const data = await asset(match[1]);
    res.writeHead(200, {
      'content-type': ASSETS[match[1]],
      'content-length': data.length,
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : data);
    return true;
  }
  return false;
}
