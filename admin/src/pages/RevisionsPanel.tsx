import { useEffect, useMemo, useState } from 'react';
import { get } from '../api.js';
import { diffLines, documentLines } from '../editor/revisions.js';

interface Revision {
  id: number;
  title: string;
  body: unknown;
  staff_id: string | null;
  created_at: string;
}

interface Props {
  postId: string;
  /** The editor's current title and document, to compare against. */
  current: () => { title: string; body: unknown };
  onRestore: (revision: { title: string; body: unknown }) => void;
  onClose: () => void;
}

/** Earlier versions of the post, each compared with the current text, and restorable. */
export function RevisionsPanel({ postId, current, onRestore, onClose }: Props) {
  const [revisions, setRevisions] = useState<Revision[] | undefined>();
  const [chosen, setChosen] = useState<Revision | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    get<{ revisions: Revision[] }>(`/posts/${postId}/revisions`)
      .then((r) => {
        setRevisions(r.revisions);
        setChosen(r.revisions[1] ?? r.revisions[0]);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [postId]);

  const diff = useMemo(() => {
    if (!chosen) return [];
    const now = current();
    return diffLines(
      [`# ${chosen.title}`, ...documentLines(chosen.body)],
      [`# ${now.title}`, ...documentLines(now.body)],
    );
  }, [chosen, current]);
  const changes = diff.filter((d) => d.kind !== 'same').length;

  return (
    <aside className="pr-settings pr-revisions" aria-label="Revisions">
      <div className="pr-settings-head">
        <h2>Revisions</h2>
        <button type="button" className="pr-link-button" onClick={onClose}>
          Close
        </button>
      </div>
      {error && (
        <p className="pr-error" role="alert">
          {error}
        </p>
      )}
      {!revisions ? (
        <p className="pr-loading">Loading…</p>
      ) : (
        <>
          <label>
            Version
            <select
              value={chosen?.id ?? ''}
              onChange={(e) => setChosen(revisions.find((r) => r.id === Number(e.target.value)))}
            >
              {revisions.map((r) => (
                <option key={r.id} value={r.id}>
                  {new Date(r.created_at).toLocaleString()} — {r.title}
                </option>
              ))}
            </select>
          </label>
          <p className="pr-muted" aria-live="polite">
            {changes === 0
              ? 'Same as the current text.'
              : `${changes} line${changes === 1 ? '' : 's'} differ from the current text.`}
          </p>
          <ol className="pr-diff" aria-label="Differences: removed lines were in this version">
            {diff.map((line, i) =>
              line.kind === 'same' ? null : (
                <li key={i} className={`pr-diff-${line.kind}`}>
                  <span className="pr-visually-hidden">
                    {line.kind === 'added' ? 'Now: ' : 'Was: '}
                  </span>
                  {line.text}
                </li>
              ),
            )}
          </ol>
          <button
            type="button"
            disabled={!chosen || changes === 0}
            onClick={() => chosen && onRestore({ title: chosen.title, body: chosen.body })}
          >
            Restore this version
          </button>
        </>
      )}
    </aside>
  );
}
