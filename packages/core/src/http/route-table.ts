import type { Router } from '@koa/router';
import { BootError } from '../errors/botloom-error.js';

interface RouteEntry {
  owner: string;
  method: string;
  path: string;
  key: string;
  regexp?: RegExp;
}

interface PrefixEntry {
  owner: string;
  prefix: string;
  key: string;
  /** The owner handles everything under it (extra routes): nobody else may route there. */
  exclusive: boolean;
}

/**
 * Route matching in @koa/router is case-insensitive and ignores a trailing slash, and the
 * name of a parameter does not change what it matches: `/Items/:id/` and `/items/:key`
 * are the same route.
 */
export function normaliseRoutePath(path: string | RegExp): string {
  if (path instanceof RegExp) return `regexp:${path.source}`;
  let p = path.toLowerCase().replace(/\/{2,}/g, '/');
  p = p.replace(/:[a-z0-9_$]+/g, ':').replace(/\*[a-z0-9_$]*/g, '*');
  if (p.length > 1) p = p.replace(/\/+$/, '');
  return p || '/';
}

function isUnder(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

function clash(what: string, first: string, second: string): BootError {
  return new BootError('ROUTE_CLASH', `Route clash: ${what} is claimed by both "${first}" and "${second}"`, {
    details: { route: what, owners: [first, second] },
  });
}

/**
 * Every HTTP route of the app with its owner (`core`, a plugin id, or the owner of an extra
 * route). Registering the same method and path twice, or routing under a prefix somebody
 * else owns exclusively, fails with BootError `ROUTE_CLASH` naming both owners.
 */
export class RouteTable {
  private readonly routes: RouteEntry[] = [];
  private readonly prefixes: PrefixEntry[] = [];

  addRoute(owner: string, method: string, path: string | RegExp, regexp?: RegExp): void {
    const entry: RouteEntry = {
      owner,
      method: method.toUpperCase(),
      path: String(path),
      key: normaliseRoutePath(path),
      regexp,
    };
    for (const other of this.routes) {
      if (other.method !== entry.method || other.key !== entry.key) continue;
      if (other.owner !== owner) throw clash(`${entry.method} ${entry.path}`, other.owner, owner);
      // The same owner twice: the second handler could only run if the first calls next(),
      // which is a mistake far more often than a design; say so instead of shadowing it.
      throw new BootError(
        'ROUTE_CLASH',
        `Route clash: ${entry.method} ${other.path} is registered twice by "${owner}"${other.path === entry.path ? '' : ` (again as ${entry.path})`}`,
        {
          details: { route: `${entry.method} ${entry.path}`, owners: [owner] },
        },
      );
    }
    if (!(path instanceof RegExp)) {
      for (const p of this.prefixes) {
        if (p.exclusive && p.owner !== owner && isUnder(entry.key, p.key)) {
          throw clash(`${entry.method} ${entry.path} (under ${p.prefix})`, p.owner, owner);
        }
      }
    }
    this.routes.push(entry);
  }

  /** Records every route of a @koa/router (its paths already include the router's prefix). */
  addRouter(owner: string, router: Router<any, any>): void {
    for (const layer of router.stack) {
      // @koa/router adds HEAD to every GET; report the GET.
      const methods = layer.methods.includes('GET')
        ? layer.methods.filter((m) => m !== 'HEAD')
        : layer.methods;
      for (const method of methods) this.addRoute(owner, method, layer.path, layer.regexp);
    }
  }

  /**
   * Claims a path prefix. Non-exclusive prefixes (a plugin's `/admin/api/<id>`) clash only
   * with the same prefix of another owner; an exclusive one (an extra route) clashes with any
   * prefix or route above or below it.
   */
  claimPrefix(owner: string, prefix: string, options: { exclusive?: boolean } = {}): void {
    const entry: PrefixEntry = {
      owner,
      prefix,
      key: normaliseRoutePath(prefix),
      exclusive: options.exclusive ?? false,
    };
    for (const other of this.prefixes) {
      if (other.owner === owner) continue;
      const overlaps =
        entry.exclusive || other.exclusive
          ? isUnder(entry.key, other.key) || isUnder(other.key, entry.key)
          : entry.key === other.key;
      if (overlaps) throw clash(`the path prefix ${entry.prefix}`, other.owner, owner);
    }
    if (entry.exclusive) {
      for (const route of this.routes) {
        if (route.owner !== owner && !route.key.startsWith('regexp:') && isUnder(route.key, entry.key)) {
          throw clash(`${route.method} ${route.path} (under ${entry.prefix})`, route.owner, owner);
        }
      }
    }
    this.prefixes.push(entry);
  }

  /** The owner of the longest claimed prefix of `path` (for metrics and logs); `core` otherwise. */
  ownerOf(path: string): string {
    const key = normaliseRoutePath(path);
    let best: PrefixEntry | undefined;
    for (const p of this.prefixes) {
      if (isUnder(key, p.key) && (!best || p.key.length > best.key.length)) best = p;
    }
    return best?.owner ?? 'core';
  }

  /** Methods registered for a concrete request path (empty when no route matches it). */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (route.regexp?.test(path)) {
        methods.add(route.method);
        if (route.method === 'GET') methods.add('HEAD');
      }
    }
    return [...methods];
  }

  list(): Array<{ owner: string; method: string; path: string }> {
    return this.routes.map(({ owner, method, path }) => ({ owner, method, path }));
  }
}
