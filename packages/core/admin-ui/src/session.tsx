import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, type SessionInfo, setCsrfToken, setUnauthorizedHandler } from './api';

interface SessionValue {
  session: SessionInfo | null;
  /** True when the signed-in person may write (role admin). */
  canWrite: boolean;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children, signIn }: { children: ReactNode; signIn: ReactNode }) {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);

  const adopt = useCallback((info: SessionInfo | null) => {
    setCsrfToken(info?.csrfToken ?? '');
    setSession(info);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => adopt(null));
    // Not signed in (401) or the server unreachable: either way the sign-in form is next.
    api<SessionInfo | { user: null }>('GET', '/admin/api/session').then(
      (info) => adopt(info.user ? (info as SessionInfo) : null),
      () => adopt(null),
    );
  }, [adopt]);

  const value: SessionValue = {
    session: session ?? null,
    canWrite: session?.user.role === 'admin',
    async signIn(username, password) {
      adopt(await api<SessionInfo>('POST', '/admin/api/session', { username, password }));
    },
    async signOut() {
      await api('DELETE', '/admin/api/session').catch(() => undefined);
      adopt(null);
    },
  };
  if (session === undefined) return <div className="boot" />;
  return <SessionContext.Provider value={value}>{session ? children : signIn}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
