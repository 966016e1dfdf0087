import { lazy, Suspense, useRef, useState } from 'react';
import { ApiError } from './api.js';
import { useModalFocus } from './dialog.js';
import { PostsPage } from './pages/PostsPage.js';
import { Link, usePath } from './router.js';
import { SessionProvider, useSession } from './session.js';

// The editor (TipTap and ProseMirror) loads when a post is opened, not with the post list;
// every other screen loads when it is first visited.
const EditorPage = lazy(() => import('./pages/EditorPage.js'));
const MembersPage = lazy(() => import('./pages/MembersPage.js'));
const StaffPage = lazy(() => import('./pages/StaffPage.js'));
const DashboardPage = lazy(() => import('./pages/DashboardPage.js'));
const SendsPage = lazy(() => import('./pages/SendsPage.js'));
const SettingsPage = lazy(() => import('./pages/SettingsPage.js'));

/** The screens in the top bar, in order. */
const SCREENS = [
  ['/dashboard', 'Dashboard'],
  ['/posts', 'Posts'],
  ['/sends', 'Sends'],
  ['/members', 'Members'],
  ['/staff', 'Staff'],
  ['/settings', 'Settings'],
] as const;

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const path = usePath();
  const { staff, expired } = useSession();
  const editing = /^\/posts\/[^/]+$/.exec(path);
  const section = path === '/' ? '/posts' : `/${path.split('/')[1]}`;
  return (
    <div className={`pr-shell${editing ? ' is-editing' : ''}`}>
      <a className="pr-skip" href="#main">
        Skip to content
      </a>
      {!editing && (
        <header className="pr-topbar">
          <Link to="/" className="pr-brand">
            Pressroom
          </Link>
          <nav aria-label="Admin">
            {SCREENS.map(([to, label]) => (
              <Link key={to} to={to} current={section === to}>
                {label}
              </Link>
            ))}
          </nav>
          <span className="pr-who">{staff?.name}</span>
          <form method="post" action="/admin/signout">
            <input
              type="hidden"
              name="_csrf"
              value={document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content}
            />
            <button type="submit" className="pr-link-button">
              Sign out
            </button>
          </form>
        </header>
      )}
      {/* Focusable so that the skip link moves the focus, not just the scroll position. */}
      <main id="main" tabIndex={-1}>
        {editing ? (
          <Suspense fallback={<p className="pr-loading">Loading the editor…</p>}>
            <EditorPage key={editing[0]} postId={editing[0].slice('/posts/'.length)} />
          </Suspense>
        ) : path === '/' || path === '/posts' ? (
          <PostsPage />
        ) : path === '/members' || path.startsWith('/members/') ? (
          <Suspense fallback={<p className="pr-loading">Loading…</p>}>
            <MembersPage path={path} />
          </Suspense>
        ) : path === '/staff' ? (
          <Suspense fallback={<p className="pr-loading">Loading…</p>}>
            <StaffPage />
          </Suspense>
        ) : path === '/dashboard' ? (
          <Suspense fallback={<p className="pr-loading">Loading…</p>}>
            <DashboardPage />
          </Suspense>
        ) : path === '/sends' || path.startsWith('/sends/') ? (
          <Suspense fallback={<p className="pr-loading">Loading…</p>}>
            <SendsPage path={path} />
          </Suspense>
        ) : path === '/settings' || path.startsWith('/settings/') ? (
          <Suspense fallback={<p className="pr-loading">Loading…</p>}>
            <SettingsPage path={path} />
          </Suspense>
        ) : (
          <p>
            Nothing here. <Link to="/posts">Go to posts</Link>
          </p>
        )}
      </main>
      {expired && <SignInDialog />}
    </div>
  );
}

/**
 * Shown over the page when the session expires mid-work: the page and its draft stay. There
 * is nothing to go back to without signing in, so Escape does not close it; once signed in,
 * the focus returns to where the work was.
 */
function SignInDialog() {
  const { signIn } = useSession();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  useModalFocus(dialog, undefined);
  return (
    <div className="pr-modal-backdrop">
      <div
        ref={dialog}
        tabIndex={-1}
        className="pr-modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="signin-title"
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const form = new FormData(e.currentTarget);
            setBusy(true);
            signIn(String(form.get('email')), String(form.get('password')))
              .catch((err: unknown) =>
                setError(err instanceof ApiError ? err.message : 'Could not sign in'),
              )
              .finally(() => setBusy(false));
          }}
        >
          <h2 id="signin-title">Sign in again</h2>
          <p>
            Your session has ended. Your draft is kept in this browser and saves once you are back.
          </p>
          <label>
            Email
            <input name="email" type="email" autoComplete="username" required />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          {error && (
            <p className="pr-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      </div>
    </div>
  );
}
