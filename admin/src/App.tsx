import { lazy, Suspense, useState } from 'react';
import { ApiError } from './api.js';
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
            <Link to="/dashboard">Dashboard</Link>
            <Link to="/posts">Posts</Link>
            <Link to="/sends">Sends</Link>
            <Link to="/members">Members</Link>
            <Link to="/staff">Staff</Link>
            <Link to="/settings">Settings</Link>
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
      <main id="main">
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

/** Shown over the page when the session expires mid-work: the page and its draft stay. */
function SignInDialog() {
  const { signIn } = useSession();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <div className="pr-modal-backdrop">
      <form
        className="pr-modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="signin-title"
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
          <input name="email" type="email" autoComplete="username" required autoFocus />
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
  );
}
