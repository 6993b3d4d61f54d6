// Who is signed in, what the server allows them, and the feature flags from /info.
// The session lives in an HttpOnly cookie; on load we ask the server whether it is still valid.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setSessionLostHandler } from '../api/client';
import type { CurrentUser, Info, Permission } from '../api/types';

type Status =
  | { kind: 'loading' }
  | { kind: 'failed'; error: ApiError }
  | { kind: 'signedOut'; notice?: string; byUser?: boolean }
  | { kind: 'signedIn'; user: CurrentUser };

interface Auth {
  status: Status;
  info: Info | null;
  user: CurrentUser | null;
  can: (p: Permission) => boolean;
  /** Secret Manager is shown only when the server has it on and the user may read secrets. */
  secretManagerVisible: boolean;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Re-reads the caller's roles and permissions (after an administrator changed them). */
  refreshUser: () => Promise<void>;
  retry: () => void;
}

const AuthContext = createContext<Auth | null>(null);

interface SessionAnswer {
  user: CurrentUser | null;
  csrf_token: string | null;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [info, setInfo] = useState<Info | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const [i, s] = await Promise.all([api<Info>('GET', '/info'), api<SessionAnswer>('GET', '/auth/session')]);
        if (!live) return;
        setInfo(i);
        setCsrfToken(s.csrf_token);
        setStatus(s.user ? { kind: 'signedIn', user: s.user } : { kind: 'signedOut' });
      } catch (e) {
        if (live) setStatus({ kind: 'failed', error: e as ApiError });
      }
    })();
    return () => {
      live = false;
    };
  }, [attempt]);

  useEffect(() => {
    setSessionLostHandler(() => {
      setCsrfToken(null);
      setStatus({ kind: 'signedOut', notice: 'Your session has ended. Sign in again to continue.' });
    });
    return () => setSessionLostHandler(null);
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const s = await api<{ user: CurrentUser; csrf_token: string }>('POST', '/auth/login', { email, password }, { expect401: true });
    setCsrfToken(s.csrf_token);
    setStatus({ kind: 'signedIn', user: s.user });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api('POST', '/auth/logout', undefined, { expect401: true });
    } finally {
      setCsrfToken(null);
      setStatus({ kind: 'signedOut', notice: 'You are signed out.', byUser: true });
    }
  }, []);

  const refreshUser = useCallback(async () => {
    const user = await api<CurrentUser>('GET', '/users/current');
    setStatus((s) => (s.kind === 'signedIn' ? { kind: 'signedIn', user } : s));
  }, []);

  const value = useMemo<Auth>(() => {
    const user = status.kind === 'signedIn' ? status.user : null;
    const can = (p: Permission) => !!user?.permissions.includes(p);
    return {
      status, info, user, can,
      secretManagerVisible: !!info?.secret_manager_enabled && can('secrets/read'),
      signIn, signOut, refreshUser,
      retry: () => {
        setStatus({ kind: 'loading' });
        setAttempt((n) => n + 1);
      },
    };
  }, [status, info, signIn, signOut, refreshUser]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const a = useContext(AuthContext);
  if (!a) throw new Error('useAuth outside AuthProvider');
  return a;
}
