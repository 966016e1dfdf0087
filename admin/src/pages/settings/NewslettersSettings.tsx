import { useCallback, useEffect, useRef, useState } from 'react';
import { del, get, patch, post } from '../../api.js';
import { useSession } from '../../session.js';
import {
  Field,
  sectionWaiting,
  SaveMessages,
  useEditorSlot,
  useSave,
  type SectionProps,
} from './form-parts.js';
import { canChangeSettings, problemOf, type Newsletter, type Problem } from './settings-api.js';

interface NewsletterForm {
  name: string;
  slug: string;
  description: string;
  subscribe_on_signup: boolean;
}

const formOf = (n?: Newsletter): NewsletterForm => ({
  name: n?.name ?? '',
  slug: n?.slug ?? '',
  description: n?.description ?? '',
  subscribe_on_signup: n?.subscribe_on_signup ?? true,
});

/** The lists readers choose from; archived ones leave the forms and keep their subscribers. */
export function NewslettersSection({ headingRef }: SectionProps) {
  const { staff } = useSession();
  const editable = canChangeSettings(staff?.role);
  const [list, setList] = useState<Newsletter[] | undefined>();
  const [loadProblem, setLoadProblem] = useState<Problem | undefined>();
  const { editing, open: setEditing, close: closeEditor, returnTo } = useEditorSlot();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();

  const load = useCallback(async () => {
    setList((await get<{ newsletters: Newsletter[] }>('/newsletters')).newsletters);
  }, []);
  useEffect(() => {
    load().catch((e: unknown) => setLoadProblem(problemOf(e)));
  }, [load]);

  const heading = (
    <h2 ref={headingRef} tabIndex={-1}>
      Newsletters
    </h2>
  );
  if (loadProblem || !list) return sectionWaiting(heading, loadProblem, 'newsletters');

  const setStatus = async (n: Newsletter) => {
    setMessage(undefined);
    try {
      if (n.status === 'active') await del(`/newsletters/${n.id}`);
      else await patch(`/newsletters/${n.id}`, { status: 'active' });
      setMessage({
        ok: true,
        text:
          n.status === 'active'
            ? `${n.name} is archived: readers no longer see it; its subscribers are kept.`
            : `${n.name} is offered to readers again.`,
      });
      await load();
    } catch (e) {
      setMessage({ ok: false, text: problemOf(e).message });
    }
  };

  const done = async (text: string) => {
    closeEditor();
    setMessage({ ok: true, text });
    await load();
  };

  return (
    <>
      {heading}
      <p className="pr-muted">
        Readers choose which newsletters they receive when they subscribe and from their account.
        Posts are emailed to one newsletter’s subscribers.
      </p>
      <div aria-live="polite">
        {message && (
          <p
            role={message.ok ? 'status' : 'alert'}
            className={message.ok ? 'pr-set-done' : 'pr-error'}
          >
            {message.text}
          </p>
        )}
      </div>
      <table className="pr-table pr-table-cards pr-set-table">
        <caption className="pr-visually-hidden">Newsletters</caption>
        <thead>
          <tr>
            <th scope="col">Newsletter</th>
            <th scope="col">Subscribers</th>
            <th scope="col">New members</th>
            <th scope="col">
              <span className="pr-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((n) => (
            <tr key={n.id} className={n.status === 'archived' ? 'pr-set-archived' : undefined}>
              <td>
                <strong>{n.name}</strong>
                {n.status === 'archived' && <span className="pr-status"> Archived</span>}
                {n.description && <span className="pr-set-sub">{n.description}</span>}
              </td>
              <td>{n.member_count}</td>
              <td>{n.subscribe_on_signup ? 'Subscribed on signup' : 'Opt in'}</td>
              <td className="pr-set-row-actions">
                {editable && (
                  <>
                    <button
                      type="button"
                      aria-label={`Edit ${n.name}`}
                      aria-expanded={editing === n.id}
                      onClick={() => setEditing(editing === n.id ? undefined : n.id)}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      aria-label={`${n.status === 'active' ? 'Archive' : 'Unarchive'} ${n.name}`}
                      onClick={() => void setStatus(n)}
                    >
                      {n.status === 'active' ? 'Archive' : 'Unarchive'}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editable && editing && editing !== 'new' && (
        <NewsletterEditor
          key={editing}
          newsletter={list.find((n) => n.id === editing)}
          onDone={done}
          onCancel={closeEditor}
        />
      )}
      {editable &&
        (editing === 'new' ? (
          <NewsletterEditor key="new" onDone={done} onCancel={closeEditor} />
        ) : (
          <p>
            <button type="button" ref={returnTo} onClick={() => setEditing('new')}>
              New newsletter
            </button>
          </p>
        ))}
    </>
  );
}

function NewsletterEditor(props: {
  newsletter?: Newsletter | undefined;
  onDone: (message: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { newsletter } = props;
  const [form, setForm] = useState<NewsletterForm>(() => formOf(newsletter));
  const formRef = useRef<HTMLFormElement>(null);
  const save = useSave(formRef, ['name', 'slug', 'description', 'subscribe_on_signup']);
  const titleRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => titleRef.current?.focus(), []);
  const set = <K extends keyof NewsletterForm>(key: K, value: NewsletterForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const body = {
      name: form.name,
      // A new newsletter left without a slug gets one from its name.
      ...(form.slug.trim() || newsletter ? { slug: form.slug.trim() } : {}),
      description: form.description.trim() === '' ? null : form.description,
      subscribe_on_signup: form.subscribe_on_signup,
    };
    let text = '';
    const ok = await save.run(async () => {
      if (newsletter) {
        await patch(`/newsletters/${newsletter.id}`, body);
        text = `${body.name} is saved.`;
      } else {
        await post('/newsletters', body);
        text = `${body.name} is created. Readers can choose it now.`;
      }
    });
    if (ok) await props.onDone(text);
  };

  return (
    <form
      ref={formRef}
      className="pr-set-form pr-set-card"
      noValidate
      aria-labelledby="pr-newsletter-title"
      onSubmit={(e) => void submit(e)}
    >
      <h3 id="pr-newsletter-title" ref={titleRef} tabIndex={-1}>
        {newsletter ? `Edit ${newsletter.name}` : 'New newsletter'}
      </h3>
      <Field label="Name" error={save.errorFor('name')}>
        {(p) => (
          <input
            {...p}
            value={form.name}
            maxLength={120}
            onChange={(e) => set('name', e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Slug"
        hint={newsletter ? 'Used in links and imports.' : 'Optional: made from the name if blank.'}
        error={save.errorFor('slug')}
      >
        {(p) => (
          <input
            {...p}
            value={form.slug}
            maxLength={80}
            spellCheck={false}
            onChange={(e) => set('slug', e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" error={save.errorFor('description')}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
          />
        )}
      </Field>
      <label className="pr-inline">
        <input
          type="checkbox"
          checked={form.subscribe_on_signup}
          onChange={(e) => set('subscribe_on_signup', e.target.checked)}
        />
        New members get it unless they choose otherwise
      </label>
      <SaveMessages save={save} />
      <div className="pr-actions">
        <button type="submit" className="pr-primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : newsletter ? 'Save newsletter' : 'Create newsletter'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
