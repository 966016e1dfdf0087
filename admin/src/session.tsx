import { createContext, useContext, useEffect, useState } from 'react';
import { ApiError, get, onUnauthorized, post, setCsrfToken, type Staff } from './api.js';

interface SessionState {
  staff: Staff | undefined;
  /** True once the server said the session is gone; the sign-in prompt shows over the page. */
  expired: boolean;
  signIn(email: string, password: string): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** What the server put in the page: who is signed in, so the first screen needs no request. */
function bootStaff(): Staff | undefined {
  const raw = document.getElementById('pr-boot')?.textContent;
  if (!raw) return undefined;
  return (JSON.parse(raw) as { staff?: Staff }).staff;
}

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [staff, setStaff] = useState<Staff | undefined>(bootStaff);
  const [loaded, setLoaded] = useState(staff !== undefined);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    if (staff) return onUnauthorized(() => setExpired(true));
    get<{ staff: Staff; csrf_token: string }>('/session')
      .then((r) => {
        setCsrfToken(r.csrf_token);
        setStaff(r.staff);
        setLoaded(true);
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) {
          const next = encodeURIComponent(window.location.pathname);
          window.location.assign(`/admin/signin?next=${next}`);
          return;
        }
        setLoaded(true);
      });
    return onUnauthorized(() => setExpired(true));
    // Once, at start.
  }, []);

  const value: SessionState = {
    staff,
    expired,
    async signIn(email, password) {
      const r = await post<{ staff: Staff; csrf_token: string }>('/session', { email, password });
      setCsrfToken(r.csrf_token);
      setStaff(r.staff);
      setExpired(false);
    },
  };
  if (!loaded) return <p className="pr-loading">Loading…</p>;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
