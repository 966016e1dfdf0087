import { useEffect, useRef, useState } from 'react';
import { ApiError, OfflineError } from '../api.js';

/** What the editor keeps of a post between saves. */
export interface Draft {
  title: string;
  body: unknown;
}

export type SaveState =
  | { kind: 'saved'; at: Date }
  | { kind: 'unsaved' }
  | { kind: 'saving' }
  | { kind: 'offline' }
  | { kind: 'signed-out' }
  | { kind: 'error'; message: string; field?: string };

interface LocalCopy extends Draft {
  /** When this browser last changed it. */
  changedAt: number;
  /** The server's updated_at the change was made on top of. */
  base: string | null;
}

const storageKey = (postId: string) => `pressroom:draft:${postId}`;

export function readLocalCopy(postId: string): LocalCopy | undefined {
  try {
    const raw = window.localStorage.getItem(storageKey(postId));
    return raw ? (JSON.parse(raw) as LocalCopy) : undefined;
  } catch {
    return undefined;
  }
}

export function clearLocalCopy(postId: string): void {
  window.localStorage.removeItem(storageKey(postId));
}

/**
 * Never lose work: every change is copied to this browser's storage at once (it survives a
 * reload, a crash and an expired session), and saved to the server a moment after typing
 * stops. A failed save is retried: when the network returns, or after signing in again.
 */
export function useAutosave(options: {
  postId: string;
  /** The server's updated_at of what the editor started from. */
  base: string | null;
  save: (draft: Draft) => Promise<{ updated_at: string }>;
  delayMs?: number;
}) {
  const { postId, save } = options;
  const delay = options.delayMs ?? 1500;
  const [state, setState] = useState<SaveState>({ kind: 'saved', at: new Date() });
  const pending = useRef<Draft | undefined>(undefined);
  const base = useRef(options.base);
  const timer = useRef<number | undefined>(undefined);
  const inFlight = useRef<Promise<void> | undefined>(undefined);
  const saveRef = useRef(save);
  saveRef.current = save;

  const flush = async (): Promise<void> => {
    window.clearTimeout(timer.current);
    if (inFlight.current) await inFlight.current;
    const draft = pending.current;
    if (!draft) return;
    pending.current = undefined;
    setState({ kind: 'saving' });
    inFlight.current = (async () => {
      try {
        const saved = await saveRef.current(draft);
        base.current = saved.updated_at;
        if (!pending.current) {
          clearLocalCopy(postId);
          setState({ kind: 'saved', at: new Date() });
        } else {
          setState({ kind: 'unsaved' });
        }
      } catch (error) {
        // Keep the draft for the next try; newer changes win over it.
        pending.current ??= draft;
        if (error instanceof OfflineError) setState({ kind: 'offline' });
        else if (error instanceof ApiError && error.status === 401)
          setState({ kind: 'signed-out' });
        else if (error instanceof ApiError)
          setState({
            kind: 'error',
            message: error.message,
            ...(error.field ? { field: error.field } : {}),
          });
        else setState({ kind: 'error', message: String(error) });
      } finally {
        inFlight.current = undefined;
      }
    })();
    await inFlight.current;
  };

  const change = (draft: Draft) => {
    pending.current = draft;
    try {
      const copy: LocalCopy = { ...draft, changedAt: Date.now(), base: base.current };
      window.localStorage.setItem(storageKey(postId), JSON.stringify(copy));
    } catch {
      // Storage full or disabled: the server save still runs.
    }
    setState((s) => (s.kind === 'offline' || s.kind === 'signed-out' ? s : { kind: 'unsaved' }));
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void flush(), delay);
  };

  // Retry while offline; the browser's online event retries at once.
  useEffect(() => {
    if (state.kind !== 'offline') return;
    const retry = () => void flush();
    const interval = window.setInterval(retry, 5000);
    window.addEventListener('online', retry);
    return () => {
      window.clearInterval(interval);
      window.removeEventListener('online', retry);
    };
  });

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (pending.current || inFlight.current) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  return { state, change, flush, hasPending: () => pending.current !== undefined };
}

/**
 * Warns when the same post is open in another tab of this browser: two editors saving over
 * each other would lose one's work.
 */
export function useOtherTabWarning(postId: string): boolean {
  const [other, setOther] = useState(false);
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(`pressroom-post-${postId}`);
    channel.onmessage = (e: MessageEvent<string>) => {
      if (e.data === 'open') channel.postMessage('here');
      if (e.data === 'open' || e.data === 'here') setOther(true);
      if (e.data === 'closed') setOther(false);
    };
    channel.postMessage('open');
    return () => {
      channel.postMessage('closed');
      channel.close();
    };
  }, [postId]);
  return other;
}
