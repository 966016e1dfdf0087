/**
 * The admin's only way to the server: the Admin JSON API under /api/admin, with the session
 * cookie and the CSRF token the page was served with.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached at all: the editor keeps working and says so. */
export class OfflineError extends Error {
  constructor() {
    super('The server cannot be reached');
    this.name = 'OfflineError';
  }
}

let csrfToken = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
export const setCsrfToken = (token: string) => {
  csrfToken = token;
};

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called whenever the server says the session is gone (expired, signed out elsewhere). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData || body instanceof Blob) {
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/admin${path}`, {
      method,
      headers,
      body: payload ?? null,
      credentials: 'same-origin',
    });
  } catch {
    throw new OfflineError();
  }
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as {
    error?: { code: string; message: string; field?: string };
  };
  if (!res.ok) {
    if (res.status === 401) unauthorizedListeners.forEach((l) => l());
    const e = json.error;
    throw new ApiError(res.status, e?.code ?? 'error', e?.message ?? res.statusText, e?.field);
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body);
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

// --- shapes the admin reads --------------------------------------------------------------

export interface Staff {
  id: string;
  name: string;
  email: string | null;
  role: 'owner' | 'admin' | 'editor' | 'author' | 'contributor';
  slug: string;
}

export type PostStatus = 'draft' | 'scheduled' | 'published';
export type Visibility = 'public' | 'members' | 'paid';

export interface Post {
  id: string;
  title: string;
  slug: string;
  status: PostStatus;
  visibility: Visibility;
  body: unknown;
  custom_excerpt: string | null;
  excerpt: string;
  feature_image: string | null;
  feature_image_alt: string | null;
  meta_title: string | null;
  meta_description: string | null;
  og_title: string | null;
  og_description: string | null;
  og_image: string | null;
  twitter_title: string | null;
  twitter_description: string | null;
  twitter_image: string | null;
  word_count: number;
  reading_time: number;
  published_at: string | null;
  updated_at: string;
  created_at: string;
  tags: { id: string; name: string; slug: string }[];
  authors: { id: string; name: string; slug: string }[];
  email_newsletter_id: string | null;
  email_segment: string;
  email_subject: string | null;
  email_send_id: string | null;
}

export interface Page<T> {
  items: T[];
  meta: { page: number; limit: number; pages: number; total: number };
}
