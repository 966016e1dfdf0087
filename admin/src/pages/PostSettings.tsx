import { useState } from 'react';
import { ApiError, patch, type Post, type Visibility } from '../api.js';

interface Props {
  post: Post;
  onSaved: (post: Post) => void;
  onClose: () => void;
}

const text = (v: FormDataEntryValue | null) => {
  const s = typeof v === 'string' ? v.trim() : '';
  return s === '' ? null : s;
};

/** Slug, tags, excerpt, feature image, visibility and the SEO and social fields. */
export function PostSettings({ post, onSaved, onClose }: Props) {
  const [error, setError] = useState<{ field?: string; message: string } | undefined>();
  const [saving, setSaving] = useState(false);
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
            custom_excerpt: text(f.get('custom_excerpt')),
            feature_image: text(f.get('feature_image')),
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
        <label>
          Excerpt
          <textarea name="custom_excerpt" rows={3} defaultValue={post.custom_excerpt ?? ''} />
          {fieldError('custom_excerpt')}
        </label>
        <label>
          Feature image URL
          <input
            name="feature_image"
            defaultValue={post.feature_image ?? ''}
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
