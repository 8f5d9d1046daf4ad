import type * as ReactTypes from 'react';
import { useEffect, useState } from 'react';
import { bindReact } from './react-shim';

/**
 * What core's panel hands a custom page in createPage(host) (admin-ui/src/pages/custom-page.tsx,
 * contract version 1): the parts this page uses, typed structurally.
 */
export interface PanelHost {
  uiVersion: string;
  React: typeof ReactTypes;
  api: {
    get<T = any>(path: string): Promise<T>;
    send<T = any>(method: string, path: string, body?: unknown): Promise<T>;
    pluginPath(endpoint: string): string;
  };
  components: {
    Loading: ReactTypes.ComponentType;
    Badge: ReactTypes.ComponentType<{
      tone: 'ok' | 'bad' | 'muted' | 'info';
      children: ReactTypes.ReactNode;
    }>;
  };
  hooks: {
    useI18n(): {
      lang: string;
      formatDate(value: string | Date | null | undefined): string;
    };
  };
}

/** The host's ApiError, as far as this page reads it. */
export interface HostApiError {
  status?: number;
  code?: string;
  message: string;
  issues?: Array<{ path: string; message: string }>;
  details?: { issues?: Array<{ path: string; message: string }> } | unknown;
}

let current: PanelHost | null = null;

export function bindHost(host: PanelHost): void {
  current = host;
  bindReact(host.React);
}

export function host(): PanelHost {
  if (!current) throw new Error('the sales panel page was used before createPage(host)');
  return current;
}

/** `/admin/api/sales/...` through the panel's client (cookie session, CSRF header). */
export const salesApi = {
  get: <T = any>(endpoint: string) => host().api.get<T>(host().api.pluginPath(endpoint)),
  send: <T = any>(method: string, endpoint: string, body?: unknown) =>
    host().api.send<T>(method, host().api.pluginPath(endpoint), body),
};

/** The issues of a refusal with their script paths: a 400 names them in details, a 422 in issues. */
export function issuesOf(error: unknown): Array<{ path: string; message: string }> {
  const e = error as HostApiError;
  if (Array.isArray(e?.issues) && e.issues.length) return e.issues;
  const nested = (e?.details as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(nested) ? (nested as Array<{ path: string; message: string }>) : [];
}

export function messageOf(error: unknown): string {
  const e = error as HostApiError;
  return e?.code && e.code !== 'HTTP_ERROR' ? `${e.message} (${e.code})` : String(e?.message ?? error);
}

let role: Promise<string | null> | null = null;

/** Whether the signed-in user may write (role admin); viewers get the pages read-only. */
export function useCanWrite(): boolean {
  const [canWrite, setCanWrite] = useState(false);
  useEffect(() => {
    role ??= host()
      .api.get<{ user: { role: string } | null }>('/admin/api/session')
      .then(
        (r) => r.user?.role ?? null,
        () => null,
      );
    let live = true;
    void role.then((r) => live && setCanWrite(r === 'admin'));
    return () => {
      live = false;
    };
  }, []);
  return canWrite;
}
