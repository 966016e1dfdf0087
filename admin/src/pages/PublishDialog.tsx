import { useEffect, useRef, useState } from 'react';
import { ApiError, get, patch, type Post } from '../api.js';
import { useModalFocus } from '../dialog.js';

interface Newsletter {
  id: string;
  name: string;
  status: string;
}
interface Tier {
  id: string;
  name: string;
}

interface Props {
  post: Post;
  onDone: (post: Post) => void;
  onClose: () => void;
}

/** datetime-local wants local time without a zone. */
const localInput = (d: Date) =>
  new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * Publish now or schedule, and whether to email: newsletter, segment and subject, with how
 * many people it will reach stated before anything is sent.
 */
export function PublishDialog({ post, onDone, onClose }: Props) {
  const published = post.status === 'published';
  const emailed = post.email_send_id !== null;
  const [when, setWhen] = useState<'now' | 'later'>(post.status === 'scheduled' ? 'later' : 'now');
  const [at, setAt] = useState(
    post.status === 'scheduled' && post.published_at
      ? localInput(new Date(post.published_at))
      : localInput(new Date(Date.now() + 60 * 60_000)),
  );
  const [newsletters, setNewsletters] = useState<Newsletter[]>([]);
  const [tiers, setTiers] = useState<Tier[]>([]);
  const [email, setEmail] = useState(post.email_newsletter_id !== null);
  const [newsletterId, setNewsletterId] = useState(post.email_newsletter_id ?? '');
  const [segment, setSegment] = useState(post.email_segment);
  const [subject, setSubject] = useState(post.email_subject ?? '');
  const [audience, setAudience] = useState<number | undefined>();
  const [error, setError] = useState<{ message: string; field?: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  useModalFocus(dialog, onClose);

  useEffect(() => {
    void get<{ newsletters: Newsletter[] }>('/newsletters').then((r) => {
      const active = r.newsletters.filter((n) => n.status === 'active');
      setNewsletters(active);
      if (!newsletterId && active[0]) setNewsletterId(active[0].id);
    });
    void get<{ tiers: Tier[] }>('/tiers')
      .then((r) => setTiers(r.tiers))
      .catch(() => setTiers([]));
    // Once, on opening.
  }, []);

  useEffect(() => {
    setAudience(undefined);
    if (!email || !newsletterId || emailed) return;
    const q = new URLSearchParams({ newsletter_id: newsletterId, segment });
    get<{ audience: { recipients: number } }>(`/sends/audience?${q.toString()}`)
      .then((r) => setAudience(r.audience.recipients))
      .catch((e: unknown) => setError({ message: e instanceof ApiError ? e.message : String(e) }));
  }, [email, newsletterId, segment, emailed]);

  async function apply(body: Record<string, unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      const r = await patch<{ post: Post }>(`/posts/${post.id}`, body);
      onDone(r.post);
    } catch (e) {
      setError(
        e instanceof ApiError
          ? { message: e.message, ...(e.field ? { field: e.field } : {}) }
          : { message: String(e) },
      );
    } finally {
      setBusy(false);
    }
  }

  const emailFields = emailed
    ? {}
    : {
        email_newsletter_id: email ? newsletterId : null,
        email_segment: segment,
        email_subject: subject.trim() === '' ? null : subject.trim(),
      };
  const confirmLabel =
    when === 'later'
      ? `Schedule${email && !emailed ? ` and email ${audience ?? '…'} people then` : ''}`
      : `Publish${email && !emailed ? ` and email ${audience ?? '…'} people` : ''}`;

  return (
    <div className="pr-modal-backdrop">
      <div
        ref={dialog}
        className="pr-modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="publish-title"
        tabIndex={-1}
      >
        <h2 id="publish-title">{published ? 'Published' : 'Publish'}</h2>
        {published ? (
          <>
            <p>
              This post is live.{' '}
              {emailed ? 'It was emailed when it was published.' : 'It was not emailed.'}
            </p>
            <div className="pr-actions">
              <button type="button" disabled={busy} onClick={() => void apply({ status: 'draft' })}>
                Unpublish
              </button>
              <button type="button" onClick={onClose}>
                Close
              </button>
            </div>
          </>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void apply(
                when === 'now'
                  ? { status: 'published', ...emailFields }
                  : {
                      status: 'scheduled',
                      published_at: new Date(at).toISOString(),
                      ...emailFields,
                    },
              );
            }}
          >
            <fieldset>
              <legend>When</legend>
              <label className="pr-inline">
                <input
                  type="radio"
                  name="when"
                  checked={when === 'now'}
                  onChange={() => setWhen('now')}
                />
                Now
              </label>
              <label className="pr-inline">
                <input
                  type="radio"
                  name="when"
                  checked={when === 'later'}
                  onChange={() => setWhen('later')}
                />
                Later
              </label>
              {when === 'later' && (
                <label>
                  Publish at
                  <input
                    type="datetime-local"
                    value={at}
                    onChange={(e) => setAt(e.target.value)}
                    required
                  />
                  {error?.field === 'published_at' && (
                    <span className="pr-field-error">{error.message}</span>
                  )}
                </label>
              )}
            </fieldset>
            <fieldset disabled={emailed}>
              <legend>Email</legend>
              {emailed ? (
                <p>Already emailed.</p>
              ) : (
                <>
                  <label className="pr-inline">
                    <input
                      type="checkbox"
                      checked={email}
                      onChange={(e) => setEmail(e.target.checked)}
                    />
                    Send it by email too
                  </label>
                  {email && (
                    <>
                      <label>
                        Newsletter
                        <select
                          value={newsletterId}
                          onChange={(e) => setNewsletterId(e.target.value)}
                        >
                          {newsletters.map((n) => (
                            <option key={n.id} value={n.id}>
                              {n.name}
                            </option>
                          ))}
                        </select>
                        {error?.field === 'email_newsletter_id' && (
                          <span className="pr-field-error">{error.message}</span>
                        )}
                      </label>
                      <label>
                        To
                        <select value={segment} onChange={(e) => setSegment(e.target.value)}>
                          <option value="all">Every subscriber</option>
                          <option value="free">Free members</option>
                          <option value="paid">Paying members</option>
                          {tiers.map((t) => (
                            <option key={t.id} value={`tier:${t.id}`}>
                              {t.name} members
                            </option>
                          ))}
                        </select>
                      </label>
                      <label>
                        Subject <span className="pr-muted">(empty: the title)</span>
                        <input
                          value={subject}
                          onChange={(e) => setSubject(e.target.value)}
                          placeholder={post.title}
                        />
                      </label>
                      <p className="pr-audience" aria-live="polite">
                        {audience === undefined
                          ? 'Counting recipients…'
                          : `It will be sent to ${audience.toLocaleString()} ${audience === 1 ? 'person' : 'people'}.`}
                      </p>
                      <EmailPreview postId={post.id} />
                    </>
                  )}
                </>
              )}
            </fieldset>
            {error && !error.field && (
              <p className="pr-error" role="alert">
                {error.message}
              </p>
            )}
            <div className="pr-actions">
              <button
                type="submit"
                className="pr-primary"
                disabled={busy || (email && !emailed && audience === undefined)}
              >
                {confirmLabel}
              </button>
              <button type="button" onClick={onClose}>
                Cancel
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}

/** The email as a free and as a paying reader get it, at desktop and phone widths. */
function EmailPreview({ postId }: { postId: string }) {
  const [open, setOpen] = useState(false);
  const [reader, setReader] = useState<'free' | 'paid'>('paid');
  const [width, setWidth] = useState<'desktop' | 'phone'>('desktop');
  const [html, setHtml] = useState<string | undefined>();
  const [clippedAt, setClippedAt] = useState<number | undefined>();
  useEffect(() => {
    if (!open) return;
    setHtml(undefined);
    setClippedAt(undefined);
    get<{ preview: { html: string; html_bytes: number; gmail_clips: boolean } }>(
      `/sends/preview?post_id=${postId}&reader=${reader}`,
    )
      .then((r) => {
        setHtml(r.preview.html);
        setClippedAt(r.preview.gmail_clips ? r.preview.html_bytes : undefined);
      })
      .catch((e: unknown) => setHtml(`<p>${e instanceof Error ? e.message : String(e)}</p>`));
  }, [open, reader, postId]);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Preview the email
      </button>
    );
  }
  return (
    <div className="pr-email-preview">
      <div className="pr-actions">
        <select
          aria-label="Reader"
          value={reader}
          onChange={(e) => setReader(e.target.value as 'free' | 'paid')}
        >
          <option value="paid">As a paying member</option>
          <option value="free">As a free member</option>
        </select>
        <select
          aria-label="Width"
          value={width}
          onChange={(e) => setWidth(e.target.value as 'desktop' | 'phone')}
        >
          <option value="desktop">Desktop</option>
          <option value="phone">Phone</option>
        </select>
      </div>
      {clippedAt !== undefined && (
        <p role="note" className="pr-warning">
          This email is {Math.round(clippedAt / 1024)} KB. Gmail shows the first 102 KB and hides
          the rest, the unsubscribe link included, behind “View entire message”. Readers can still
          open it whole there, or read the post on the web.
        </p>
      )}
      {html === undefined ? (
        <p className="pr-loading">Rendering…</p>
      ) : (
        <iframe
          title="Email preview"
          sandbox=""
          srcDoc={html}
          style={{ width: width === 'phone' ? 375 : 640 }}
        />
      )}
    </div>
  );
}
