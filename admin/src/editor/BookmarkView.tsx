import { NodeViewWrapper, type NodeViewProps } from '@tiptap/react';
import { isHttpUrl } from './commands.js';

const FIELDS = [
  { name: 'url', label: 'Address', placeholder: 'https://' },
  {
    name: 'title',
    label: 'Title',
    placeholder: 'The page’s title (its address’s host when empty)',
  },
  { name: 'description', label: 'Description', placeholder: 'A sentence or two about it' },
  { name: 'image', label: 'Image URL', placeholder: 'https://… (optional)' },
] as const;

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/**
 * A bookmark card edits its four fields in place, above a preview of how it reads. Nothing is
 * fetched from the bookmarked page: what the card says is what the writer typed.
 */
export function BookmarkView({ node, updateAttributes, selected }: NodeViewProps) {
  const attr = (name: string): string => {
    const value: unknown = node.attrs[name];
    return typeof value === 'string' ? value : '';
  };
  const url = attr('url');
  const badUrl = !isHttpUrl(url);
  const badImage =
    attr('image') !== '' && !isHttpUrl(attr('image')) && !/^\/(?![/\\])\S*$/.test(attr('image'));
  return (
    <NodeViewWrapper
      className={`pr-bookmark-card${selected ? ' is-selected' : ''}`}
      data-drag-handle
    >
      <span className="pr-card-label">Bookmark</span>
      <div className="pr-bookmark-preview" aria-hidden="true">
        <span className="pr-bookmark-text">
          <strong>{attr('title') || hostOf(url)}</strong>
          {attr('description') && <span>{attr('description')}</span>}
          <span className="pr-muted">{hostOf(url)}</span>
        </span>
        {attr('image') && !badImage && <img src={attr('image')} alt="" />}
      </div>
      <div className="pr-bookmark-fields">
        {FIELDS.map((field) => {
          const invalid = (field.name === 'url' && badUrl) || (field.name === 'image' && badImage);
          return (
            <label key={field.name}>
              <span>{field.label}</span>
              <input
                type={field.name === 'url' || field.name === 'image' ? 'url' : 'text'}
                aria-label={`Bookmark ${field.label.toLowerCase()}`}
                value={attr(field.name)}
                placeholder={field.placeholder}
                aria-invalid={invalid || undefined}
                onChange={(e) =>
                  updateAttributes({
                    // Empty optional fields are absent, as the server stores them.
                    [field.name]:
                      field.name === 'url' ? e.target.value.trim() : e.target.value || null,
                  })
                }
                // Keys typed here belong to the field, not to the document around it.
                onKeyDown={(e) => e.stopPropagation()}
              />
            </label>
          );
        })}
        {badUrl && (
          <p className="pr-field-error" role="alert">
            The address must start with http:// or https://
          </p>
        )}
      </div>
    </NodeViewWrapper>
  );
}
