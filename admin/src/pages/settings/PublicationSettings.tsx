import { useEffect, useRef, useState } from 'react';
import { get, patch, post } from '../../api.js';
import { useSession } from '../../session.js';
import { Field, SaveMessages, sectionWaiting, useSave, type SectionProps } from './form-parts.js';
import {
  canChangeSettings,
  problemOf,
  type NavigationItem,
  type Problem,
  type SiteSettings,
} from './settings-api.js';

type NavRow = NavigationItem & { key: number };

interface PublicationForm {
  title: string;
  description: string;
  logo: string | null;
  icon: string | null;
  accent_color: string;
  navigation: NavRow[];
  locale: string;
  posts_per_page: string;
  twitter_handle: string;
}

let rowKeys = 0;
const row = (item: NavigationItem): NavRow => ({ ...item, key: ++rowKeys });

function formOf(s: SiteSettings): PublicationForm {
  return {
    title: s.title,
    description: s.description,
    logo: s.logo,
    icon: s.icon,
    accent_color: s.accent_color,
    navigation: s.navigation.map(row),
    locale: s.locale,
    posts_per_page: String(s.posts_per_page),
    twitter_handle: s.twitter_handle ?? '',
  };
}

/** What the form sends: every field it shows, as the API takes them. */
function patchOf(f: PublicationForm) {
  const perPage = f.posts_per_page.trim();
  return {
    title: f.title,
    description: f.description,
    logo: f.logo,
    icon: f.icon,
    accent_color: f.accent_color.trim(),
    navigation: f.navigation.map(({ label, url }) => ({ label, url })),
    locale: f.locale.trim(),
    // Sent as typed when it is not a number, so the server names the field.
    posts_per_page: /^\d+$/.test(perPage) ? Number(perPage) : perPage,
    twitter_handle: f.twitter_handle.trim() === '' ? null : f.twitter_handle.trim(),
  };
}

const HEX = /^#[0-9a-fA-F]{6}$/;

/** Title, description, logo, icon, accent colour, navigation and the reading options. */
export function PublicationSection({ headingRef }: SectionProps) {
  const { staff } = useSession();
  const editable = canChangeSettings(staff?.role);
  const [form, setForm] = useState<PublicationForm | undefined>();
  const [saved, setSaved] = useState<string>('');
  const [loadProblem, setLoadProblem] = useState<Problem | undefined>();
  const formRef = useRef<HTMLFormElement>(null);
  const navFields = form
    ? form.navigation.flatMap((_, i) => [`navigation.${i}.label`, `navigation.${i}.url`])
    : [];
  const save = useSave(formRef, [
    'title',
    'description',
    'logo',
    'icon',
    'accent_color',
    'navigation',
    ...navFields,
    'locale',
    'posts_per_page',
    'twitter_handle',
  ]);
  // Where the focus goes once the list has changed: after a move, the same button of the
  // moved row; after a removal, the add button; after an addition, the new row's label.
  const [focusAfterMove, setFocusAfterMove] = useState<string | undefined>();

  useEffect(() => {
    get<{ settings: SiteSettings }>('/settings')
      .then(({ settings }) => {
        const f = formOf(settings);
        setForm(f);
        setSaved(JSON.stringify(patchOf(f)));
      })
      .catch((e: unknown) => setLoadProblem(problemOf(e)));
  }, []);

  useEffect(() => {
    if (!focusAfterMove) return;
    // Buttons have ids; a row's fields have generated ones and carry the name to find them by.
    (
      document.getElementById(focusAfterMove) ??
      document.querySelector<HTMLElement>(`[data-focus-id="${focusAfterMove}"]`)
    )?.focus();
    setFocusAfterMove(undefined);
  }, [focusAfterMove]);

  const heading = (
    <h2 ref={headingRef} tabIndex={-1}>
      Publication
    </h2>
  );
  if (loadProblem || !form) return sectionWaiting(heading, loadProblem, 'the publication settings');

  const set = <K extends keyof PublicationForm>(key: K, value: PublicationForm[K]) =>
    setForm((f) => (f ? { ...f, [key]: value } : f));
  const setNav = (navigation: NavRow[]) => set('navigation', navigation);
  const dirty = JSON.stringify(patchOf(form)) !== saved;

  const move = (index: number, by: -1 | 1) => {
    const next = [...form.navigation];
    const [item] = next.splice(index, 1);
    if (!item) return;
    const to = index + by;
    next.splice(to, 0, item);
    setNav(next);
    // At the top or bottom the button pressed is disabled: focus its twin instead.
    const edge = to === 0 || to === next.length - 1;
    setFocusAfterMove(
      `pr-nav-${item.key}-${edge ? (by < 0 ? 'down' : 'up') : by < 0 ? 'up' : 'down'}`,
    );
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    await save.run(async () => {
      const { settings } = await patch<{ settings: SiteSettings }>('/settings', patchOf(form));
      const f = formOf(settings);
      setForm(f);
      setSaved(JSON.stringify(patchOf(f)));
      return 'Publication settings saved. The site shows them now.';
    });
  };

  return (
    <>
      {heading}
      <form ref={formRef} className="pr-set-form" noValidate onSubmit={(e) => void submit(e)}>
        <fieldset disabled={!editable || save.busy} className="pr-set-plain">
          <legend className="pr-visually-hidden">Publication</legend>
          <Field label="Title" error={save.errorFor('title')}>
            {(p) => (
              <input
                {...p}
                value={form.title}
                maxLength={120}
                onChange={(e) => set('title', e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Description"
            hint="Shown under the title and to search engines and social sites."
            error={save.errorFor('description')}
          >
            {(p) => (
              <textarea
                {...p}
                rows={3}
                value={form.description}
                maxLength={500}
                onChange={(e) => set('description', e.target.value)}
              />
            )}
          </Field>

          <div className="pr-set-images">
            <ImageField
              label="Logo"
              hint="Shown in place of the title at the top of every page."
              value={form.logo}
              onChange={(url) => set('logo', url)}
              error={save.errorFor('logo')}
              disabled={!editable}
            />
            <ImageField
              label="Icon"
              hint="The browser tab’s icon. A square image of at least 64 × 64 pixels."
              value={form.icon}
              onChange={(url) => set('icon', url)}
              error={save.errorFor('icon')}
              disabled={!editable}
            />
          </div>

          <Field
            label="Accent colour"
            hint="Links and buttons on the site. A hex colour such as #1a5fb4."
            error={save.errorFor('accent_color')}
          >
            {(p) => (
              <span className="pr-set-colour">
                <input
                  {...p}
                  value={form.accent_color}
                  maxLength={7}
                  spellCheck={false}
                  autoComplete="off"
                  onChange={(e) => set('accent_color', e.target.value)}
                />
                <input
                  type="color"
                  aria-label="Pick the accent colour"
                  value={HEX.test(form.accent_color.trim()) ? form.accent_color.trim() : '#000000'}
                  onChange={(e) => set('accent_color', e.target.value)}
                />
              </span>
            )}
          </Field>

          <fieldset className="pr-set-nav-items">
            <legend>Navigation</legend>
            <p className="pr-field-hint">
              The links at the top of every page, in this order. An address is a path on this site
              (/archive) or a full web address (https://…).
            </p>
            {form.navigation.length === 0 && <p className="pr-muted">No links.</p>}
            <ol>
              {form.navigation.map((item, i) => {
                const name = item.label.trim() || `link ${i + 1}`;
                return (
                  <li key={item.key}>
                    <Field
                      label={
                        <>
                          Label<span className="pr-visually-hidden"> (link {i + 1})</span>
                        </>
                      }
                      error={save.errorFor(`navigation.${i}.label`)}
                    >
                      {(p) => (
                        <input
                          {...p}
                          data-focus-id={`pr-nav-${item.key}-label`}
                          value={item.label}
                          maxLength={60}
                          onChange={(e) =>
                            setNav(
                              form.navigation.map((n) =>
                                n.key === item.key ? { ...n, label: e.target.value } : n,
                              ),
                            )
                          }
                        />
                      )}
                    </Field>
                    <Field
                      label={
                        <>
                          Address<span className="pr-visually-hidden"> (link {i + 1})</span>
                        </>
                      }
                      error={save.errorFor(`navigation.${i}.url`)}
                    >
                      {(p) => (
                        <input
                          {...p}
                          value={item.url}
                          inputMode="url"
                          spellCheck={false}
                          onChange={(e) =>
                            setNav(
                              form.navigation.map((n) =>
                                n.key === item.key ? { ...n, url: e.target.value } : n,
                              ),
                            )
                          }
                        />
                      )}
                    </Field>
                    <span className="pr-set-row-actions">
                      <button
                        type="button"
                        id={`pr-nav-${item.key}-up`}
                        aria-label={`Move ${name} up`}
                        disabled={i === 0}
                        onClick={() => move(i, -1)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        id={`pr-nav-${item.key}-down`}
                        aria-label={`Move ${name} down`}
                        disabled={i === form.navigation.length - 1}
                        onClick={() => move(i, 1)}
                      >
                        ↓
                      </button>
                      <button
                        type="button"
                        className="pr-danger"
                        aria-label={`Remove ${name}`}
                        onClick={() => {
                          setNav(form.navigation.filter((n) => n.key !== item.key));
                          // The list's add button is always there to land on.
                          setFocusAfterMove('pr-nav-add');
                        }}
                      >
                        Remove
                      </button>
                    </span>
                  </li>
                );
              })}
            </ol>
            {save.errorFor('navigation') && (
              <p className="pr-field-error">{save.errorFor('navigation')}</p>
            )}
            <button
              type="button"
              id="pr-nav-add"
              onClick={() => {
                const added = row({ label: '', url: '/' });
                setNav([...form.navigation, added]);
                setFocusAfterMove(`pr-nav-${added.key}-label`);
              }}
            >
              Add a link
            </button>
          </fieldset>

          <fieldset>
            <legend>Reading and sharing</legend>
            <Field
              label="Language"
              hint="A language tag such as en or en-GB: dates and the page’s language."
              error={save.errorFor('locale')}
            >
              {(p) => (
                <input
                  {...p}
                  className="pr-set-short"
                  value={form.locale}
                  maxLength={5}
                  spellCheck={false}
                  onChange={(e) => set('locale', e.target.value)}
                />
              )}
            </Field>
            <Field label="Posts per page" error={save.errorFor('posts_per_page')}>
              {(p) => (
                <input
                  {...p}
                  className="pr-set-short"
                  type="number"
                  min={1}
                  max={100}
                  inputMode="numeric"
                  value={form.posts_per_page}
                  onChange={(e) => set('posts_per_page', e.target.value)}
                />
              )}
            </Field>
            <Field
              label="X (Twitter) handle"
              hint="Optional, such as @example: named on cards when posts are shared."
              error={save.errorFor('twitter_handle')}
            >
              {(p) => (
                <input
                  {...p}
                  className="pr-set-medium"
                  value={form.twitter_handle}
                  maxLength={16}
                  spellCheck={false}
                  onChange={(e) => set('twitter_handle', e.target.value)}
                />
              )}
            </Field>
          </fieldset>
        </fieldset>
        {editable && (
          <div className="pr-actions pr-set-savebar">
            <button type="submit" className="pr-primary" disabled={save.busy}>
              {save.busy ? 'Saving…' : 'Save'}
            </button>
            {dirty && <span className="pr-muted">Unsaved changes</span>}
          </div>
        )}
        <SaveMessages save={save} />
      </form>
    </>
  );
}

/** An image stored through the media upload; the form keeps its address until saved. */
function ImageField(props: {
  label: string;
  hint: string;
  value: string | null;
  onChange: (url: string | null) => void;
  error: string | undefined;
  disabled: boolean;
}) {
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | undefined>();
  const input = useRef<HTMLInputElement>(null);

  const upload = async (file: File) => {
    setUploadError(undefined);
    setUploading(true);
    const body = new FormData();
    body.append('file', file);
    try {
      const { image } = await post<{ image: { url: string } }>('/images', body);
      props.onChange(image.url);
    } catch (e) {
      setUploadError(problemOf(e).message);
    } finally {
      setUploading(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <Field
      label={`${props.label}: upload an image`}
      hint={props.hint}
      error={uploadError ?? props.error}
      className="pr-set-image"
    >
      {(p) => (
        <>
          <span className="pr-set-image-preview">
            {props.value ? (
              <img src={props.value} alt={`The ${props.label.toLowerCase()} now chosen`} />
            ) : (
              <span className="pr-muted">No {props.label.toLowerCase()}</span>
            )}
          </span>
          <input
            {...p}
            ref={input}
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif,image/avif"
            disabled={props.disabled || uploading}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void upload(file);
            }}
          />
          <span aria-live="polite" className="pr-muted">
            {uploading ? 'Uploading…' : ''}
          </span>
          {props.value && (
            <button
              type="button"
              className="pr-link-button"
              disabled={props.disabled}
              onClick={() => props.onChange(null)}
            >
              Remove the {props.label.toLowerCase()}
            </button>
          )}
        </>
      )}
    </Field>
  );
}
