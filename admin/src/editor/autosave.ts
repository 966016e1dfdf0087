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

/** At most this long between a change and its copy in this browser's storage. */
const LOCAL_COPY_MS = 250;

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
 * Never lose work: every change is copied to this browser's storage within a quarter of a
 * second, and at once when the page is left or hidden (so it survives a reload, a crash and
 * an expired session), and saved to the server a moment after typing stops. A failed save is
 * retried: when the network returns, or after signing in again.
 *
 * `change` takes the draft or a function that makes it, which runs at most once per
 * LOCAL_COPY_MS: serialising a 5,000-word post and writing it to storage on every key cost
 * as much as ProseMirror's own handling of the key.
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
  /** The latest change, made into a draft and copied to storage by `copyLocally`. */
  const uncopied = useRef<(() => Draft) | undefined>(undefined);
  const base = useRef(options.base);
  const timer = useRef<number | undefined>(undefined);
  const copyTimer = useRef<number | undefined>(undefined);
  const inFlight = useRef<Promise<void> | undefined>(undefined);
  const saveRef = useRef(save);
  saveRef.current = save;

  const copyLocally = () => {
    window.clearTimeout(copyTimer.current);
    copyTimer.current = undefined;
    const make = uncopied.current;
    if (!make) return;
    uncopied.current = undefined;
    const draft = make();
    pending.current = draft;
    try {
      const copy: LocalCopy = { ...draft, changedAt: Date.now(), base: base.current };
      window.localStorage.setItem(storageKey(postId), JSON.stringify(copy));
    } catch {
      // Storage full or disabled: the server save still runs.
    }
  };

  const flush = async (): Promise<void> => {
    window.clearTimeout(timer.current);
    if (inFlight.current) await inFlight.current;
    copyLocally();
    const draft = pending.current;
    if (!draft) return;
    pending.current = undefined;
    setState({ kind: 'saving' });
    inFlight.current = (async () => {
      try {
        const saved = await saveRef.current(draft);
        base.current = saved.updated_at;
        if (!pending.current && !uncopied.current) {
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

  const change = (draft: Draft | (() => Draft)) => {
    uncopied.current = typeof draft === 'function' ? draft : () => draft;
    // Not pushed back by later keys, so typing without a pause is copied every LOCAL_COPY_MS.
    copyTimer.current ??= window.setTimeout(copyLocally, LOCAL_COPY_MS);
    // The same state object when nothing changes: no re-render of the editor page per key.
    setState((s) =>
      s.kind === 'offline' || s.kind === 'signed-out' || s.kind === 'unsaved'
        ? s
        : { kind: 'unsaved' },
    );
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
      copyLocally();
      if (pending.current || inFlight.current) e.preventDefault();
    };
    // A reload, a closed tab or a phone switching apps: the last keys must be in storage.
    const hidden = () => {
      if (document.visibilityState === 'hidden') copyLocally();
    };
    window.addEventListener('beforeunload', warn);
    window.addEventListener('pagehide', copyLocally);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      window.removeEventListener('beforeunload', warn);
      window.removeEventListener('pagehide', copyLocally);
      document.removeEventListener('visibilitychange', hidden);
      // Leaving the editor within the app.
      copyLocally();
    };
  }, []);

  return {
    state,
    change,
    flush,
    hasPending: () => pending.current !== undefined || uncopied.current !== undefined,
  };
}

/** How often an open editor tells the other tabs it is still there. */
const HEARTBEAT_MS = 5_000;
/**
 * Silent this long, a tab is taken to be gone (killed, crashed, or closed without its
 * goodbye). Generous, because browsers slow the timers of background tabs.
 */
const GONE_AFTER_MS = 75_000;

type TabMessage = { kind: 'open' | 'here' | 'closed'; from: string };

/**
 * Warns when the same post is open in another tab of this browser: two editors saving over
 * each other would lose one's work. Each tab says when it opens and when it is left (on
 * `pagehide` too: closing a tab runs no React cleanup), and keeps saying it is still there,
 * so a tab that vanished without a word stops counting after a while.
 */
export function useOtherTabWarning(postId: string): boolean {
  const [other, setOther] = useState(false);
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(`pressroom-post-${postId}`);
    const me = Math.random().toString(36).slice(2);
    /** The other tabs on this post, by id, and when each was last heard from. */
    const others = new Map<string, number>();
    const say = (kind: TabMessage['kind']) => channel.postMessage({ kind, from: me });
    const forgetSilent = () => {
      const now = Date.now();
      for (const [id, at] of others) if (now - at > GONE_AFTER_MS) others.delete(id);
      setOther(others.size > 0);
    };
    channel.onmessage = (e: MessageEvent<TabMessage>) => {
      const { kind, from } = e.data;
      if (kind === 'closed') others.delete(from);
      else others.set(from, Date.now());
      if (kind === 'open') say('here');
      forgetSilent();
    };
    say('open');
    const heartbeat = window.setInterval(() => {
      say('here');
      forgetSilent();
    }, HEARTBEAT_MS);
    const leave = () => say('closed');
    // Back from the back-forward cache: the others were told this tab closed.
    const back = (e: PageTransitionEvent) => {
      if (e.persisted) say('open');
    };
    window.addEventListener('pagehide', leave);
    window.addEventListener('pageshow', back);
    return () => {
      window.clearInterval(heartbeat);
      window.removeEventListener('pagehide', leave);
      window.removeEventListener('pageshow', back);
      leave();
      channel.close();
    };
  }, [postId]);
  return other;
}
