import { useEffect, useState } from 'react';

/** Paths under /admin, without the prefix: '/', '/posts', '/posts/abc'. */
export function currentPath(): string {
  const p = window.location.pathname.replace(/^\/admin/, '') || '/';
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = `/admin${to === '/' ? '' : to}`;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onPop = () => setPath(currentPath());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return path;
}

/** An in-app link: a real href (middle-click, copy link) that navigates without a reload. */
export function Link(props: {
  to: string;
  className?: string;
  /** Marks the link to the screen being shown, for screen readers (and styles). */
  current?: boolean;
  children: React.ReactNode;
}) {
  return (
    <a
      href={`/admin${props.to === '/' ? '' : props.to}`}
      className={props.className}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
