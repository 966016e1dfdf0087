import { useEffect, useRef, useState } from 'react';
import {
  ApiError,
  get,
  patch,
  post as postApi,
  type Post,
  type Staff,
  type Visibility,
} from '../api.js';
import { useSession } from '../session.js';

interface Props {
  post: Post;
  onSaved: (post: Post) => void;
  onClose: () => void;
}

const text = (v: FormDataEntryValue | null) => {
  const s = typeof v === 'string' ? v.trim() : '';
  return s === '' ? null : s;
};

type Author = Pick<Staff, 'id' | 'name'>;

const sameIds = (a: readonly Author[], b: readonly Author[]) =>
  a.length === b.length && a.every((author, i) => author.id === b[i]!.id);

/** Slug, tags, authors, excerpt, feature image, visibility and the SEO and social fields. */
export function PostSettings({ post, onSaved, onClose }: Props) {
  const [error, setError] = useState<{ field?: string; message: string } | undefined>();
  const [saving, setSaving] = useState(false);
  const [authors, setAuthors] = useState<Author[]>(post.authors);
  const [staff, setStaff] = useState<Author[] | undefined>();
  const [featureImage, setFeatureImage] = useState(post.feature_image ?? '');
  const [uploading, setUploading] = useState(false);
  const imageInput = useRef<HTMLInputElement>(null);
  const { staff: me } = useSession();
  // Authors and contributors may only list themselves (the server says so too).
  const mayChooseAuthors = me?.role === 'owner' || me?.role === 'admin' || me?.role === 'editor';

  useEffect(() => {
    get<{ staff: Author[] }>('/staff')
      .then((r) => setStaff(r.staff))
      .catch(() => setStaff([]));
  }, []);

  const uploadFeatureImage = async (file: File) => {
    if (!file.type.startsWith('image/')) {
      setError({ field: 'feature_image', message: `${file.name} is not an image` });
      return;
    }
    const form = new FormData();
    form.append('file', file);
    setUploading(true);
    setError(undefined);
    try {
      const { image } = await postApi<{ image: { url: string } }>('/images', form);
      // Saved at once, like an image dropped in the text: an upload is never left unsaved.
      const saved = await patch<{ post: Post }>(`/posts/${post.id}`, { feature_image: image.url });
      setFeatureImage(image.url);
      onSaved(saved.post);
    } catch (err) {
      setError({
        field: 'feature_image',
        message: err instanceof ApiError ? err.message : 'The image could not be uploaded',
      });
    } finally {
      setUploading(false);
    }
  };

  const move = (index: number, by: -1 | 1) => {
    const next = [...authors];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved!);
    setAuthors(next);
  };
  const addable = (staff ?? []).filter((s) => !authors.some((a) => a.id === s.id));
  const fieldError = (name: string) =>
    error?.field === name ? (
      <span className="pr-field-error" id={`${name}-error`} role="alert">
        {error.message}
      </span>
    ) : null;
  const described = (name: string) =>
    error?.field === name ? { 'aria-invalid': true, 'aria-describedby': `${name}-error` } : {};

  return (
    <aside className="pr-settings" aria-label="Post settings">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const tags = String(f.get('tags') ?? '')
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== '');
          setSaving(true);
          setError(undefined);
          patch<{ post: Post }>(`/posts/${post.id}`, {
            slug: String(f.get('slug') ?? '').trim() || undefined,
            tags,
            // Only when changed: an author's role may not re-send others' names.
            ...(sameIds(authors, post.authors) ? {} : { authors: authors.map((a) => a.id) }),
            custom_excerpt: text(f.get('custom_excerpt')),
            feature_image: featureImage.trim() || null,
            feature_image_alt: text(f.get('feature_image_alt')),
            visibility: f.get('visibility') as Visibility,
            meta_title: text(f.get('meta_title')),
            meta_description: text(f.get('meta_description')),
            og_title: text(f.get('og_title')),
            og_description: text(f.get('og_description')),
          })
            .then((r) => onSaved(r.post))
            .catch((err: unknown) =>
              setError(
                err instanceof ApiError
                  ? { message: err.message, ...(err.field ? { field: err.field } : {}) }
                  : { message: 'The settings could not be saved' },
              ),
            )
            .finally(() => setSaving(false));
        }}
      >
        <div className="pr-settings-head">
          <h2>Post settings</h2>
          <button type="button" className="pr-link-button" onClick={onClose}>
            Close
          </button>
        </div>
        <label>
          URL slug
          <input name="slug" defaultValue={post.slug} {...described('slug')} />
          {fieldError('slug')}
        </label>
        <label>
          Tags <span className="pr-muted">(comma-separated; new ones are created)</span>
          <input name="tags" defaultValue={post.tags.map((t) => t.name).join(', ')} />
          {fieldError('tags')}
        </label>
        <fieldset className="pr-authors">
          <legend>Authors</legend>
          <ol aria-label="Authors, in byline order">
            {authors.map((author, i) => (
              <li key={author.id}>
                <span>{author.name}</span>
                {mayChooseAuthors && (
                  <span className="pr-author-actions">
                    <button
                      type="button"
                      className="pr-link-button"
                      disabled={i === 0}
                      aria-label={`Move ${author.name} up`}
                      onClick={() => move(i, -1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="pr-link-button"
                      disabled={i === authors.length - 1}
                      aria-label={`Move ${author.name} down`}
                      onClick={() => move(i, 1)}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className="pr-link-button"
                      disabled={authors.length === 1}
                      aria-label={`Remove ${author.name}`}
                      onClick={() => setAuthors(authors.filter((a) => a.id !== author.id))}
                    >
                      Remove
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ol>
          {mayChooseAuthors && addable.length > 0 && (
            <label>
              Add an author
              <select
                value=""
                onChange={(e) => {
                  const chosen = addable.find((s) => s.id === e.target.value);
                  if (chosen) setAuthors([...authors, { id: chosen.id, name: chosen.name }]);
                }}
              >
                <option value="">Choose a staff member…</option>
                {addable.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {fieldError('authors')}
        </fieldset>
        <label>
          Excerpt
          <textarea name="custom_excerpt" rows={3} defaultValue={post.custom_excerpt ?? ''} />
          {fieldError('custom_excerpt')}
        </label>
        <div className="pr-feature-image" role="group" aria-labelledby="feature-image-label">
          <span id="feature-image-label">Feature image</span>
          {featureImage.trim() !== '' && (
            <img src={featureImage} alt="" className="pr-feature-thumb" />
          )}
          <div className="pr-actions">
            <button type="button" disabled={uploading} onClick={() => imageInput.current?.click()}>
              {uploading
                ? 'Uploading…'
                : featureImage
                  ? 'Replace feature image'
                  : 'Upload feature image'}
            </button>
            {featureImage && (
              <button type="button" className="pr-link-button" onClick={() => setFeatureImage('')}>
                Remove
              </button>
            )}
          </div>
          <input
            ref={imageInput}
            type="file"
            accept="image/*"
            hidden
            aria-label="Feature image file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void uploadFeatureImage(file);
              e.target.value = '';
            }}
          />
        </div>
        <label>
          Feature image URL
          <input
            name="feature_image"
            value={featureImage}
            onChange={(e) => setFeatureImage(e.target.value)}
            {...described('feature_image')}
          />
          {fieldError('feature_image')}
        </label>
        <label>
          Feature image alt text
          <input name="feature_image_alt" defaultValue={post.feature_image_alt ?? ''} />
        </label>
        <label>
          Who can read it
          <select name="visibility" defaultValue={post.visibility}>
            <option value="public">Everyone</option>
            <option value="members">Members (free and paid)</option>
            <option value="paid">Paying members</option>
          </select>
        </label>
        <fieldset>
          <legend>Search and social</legend>
          <label>
            Meta title
            <input name="meta_title" defaultValue={post.meta_title ?? ''} />
          </label>
          <label>
            Meta description
            <textarea name="meta_description" rows={2} defaultValue={post.meta_description ?? ''} />
          </label>
          <label>
            Social title
            <input name="og_title" defaultValue={post.og_title ?? ''} />
          </label>
          <label>
            Social description
            <textarea name="og_description" rows={2} defaultValue={post.og_description ?? ''} />
          </label>
        </fieldset>
        {error && !error.field && (
          <p className="pr-error" role="alert">
            {error.message}
          </p>
        )}
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
      </form>
    </aside>
  );
}
