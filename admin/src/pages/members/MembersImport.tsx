import { useEffect, useRef, useState } from 'react';
import { ApiError, get, OfflineError } from '../../api.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import {
  canManageMembers,
  endOfDay,
  importMembersCsv,
  localDate,
  type ImportReport,
  type Newsletter,
} from './members-api.js';

type Phase =
  | { kind: 'idle' }
  | { kind: 'uploading'; loaded: number; total: number }
  | { kind: 'finishing'; total: number }
  | { kind: 'done'; total: number; report: ImportReport }
  | { kind: 'failed'; message: string; field?: string | undefined };

const FORMAT_NAMES: Record<ImportReport['format'], string> = {
  generic: 'a plain list (email, name)',
  substack: 'a Substack export',
  ghost: 'a Ghost export',
};

const KEPT =
  'Rows written before it stopped are kept; importing the same file again adds only what is missing.';

function failure(e: unknown): string {
  if (e instanceof DOMException && e.name === 'AbortError') return `Import cancelled. ${KEPT}`;
  if (e instanceof OfflineError)
    return `The upload broke off: the server could not be reached or closed the connection. ${KEPT}`;
  if (e instanceof ApiError) return e.message;
  return String(e);
}

const size = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024)).toLocaleString()} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The bad rows as a CSV file to fix and import again. */
function badRowsCsv(report: ImportReport): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = report.bad.map((b) => [b.line, b.email, b.reason].map(cell).join(','));
  return ['line,email,reason', ...lines].join('\r\n') + '\r\n';
}

export function MembersImport() {
  const { staff } = useSession();
  const [newsletters, setNewsletters] = useState<Newsletter[] | undefined>();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [file, setFile] = useState<File | null>(null);
  const [comp, setComp] = useState(false);
  const [compUntil, setCompUntil] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [badRowsUrl, setBadRowsUrl] = useState<string | undefined>();
  const abort = useRef<AbortController | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const reportHeading = useRef<HTMLHeadingElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    void get<{ newsletters: Newsletter[] }>('/newsletters?status=active')
      .then((r) => {
        setNewsletters(r.newsletters);
        // What a new signup gets, as the server would choose with no newsletters named.
        setChosen(new Set(r.newsletters.filter((n) => n.subscribe_on_signup).map((n) => n.slug)));
      })
      .catch(() => setNewsletters([]));
  }, []);
  useEffect(() => {
    if (phase.kind === 'done') reportHeading.current?.focus();
  }, [phase.kind]);
  useEffect(() => () => abort.current?.abort(), []);
  useEffect(
    () => () => {
      if (badRowsUrl) URL.revokeObjectURL(badRowsUrl);
    },
    [badRowsUrl],
  );

  if (!canManageMembers(staff?.role))
    return (
      <section className="pr-page pr-members">
        <h1>Import members</h1>
        <p>Importing members is for admins. Ask an admin or the owner.</p>
      </section>
    );

  const running = phase.kind === 'uploading' || phase.kind === 'finishing';

  async function start() {
    if (!file) return;
    const controller = new AbortController();
    abort.current = controller;
    setBadRowsUrl(undefined);
    setPhase({ kind: 'uploading', loaded: 0, total: file.size });
    try {
      const report = await importMembersCsv(
        file,
        {
          newsletters: [...chosen],
          comp: comp ? (compUntil ? endOfDay(compUntil) : 'true') : null,
        },
        {
          signal: controller.signal,
          onProgress: (loaded, total) => setPhase({ kind: 'uploading', loaded, total }),
          onUploaded: () => setPhase({ kind: 'finishing', total: file.size }),
        },
      );
      if (report.bad.length > 0)
        setBadRowsUrl(URL.createObjectURL(new Blob([badRowsCsv(report)], { type: 'text/csv' })));
      setPhase({ kind: 'done', total: Math.max(file.size, 1), report });
    } catch (e) {
      setPhase({
        kind: 'failed',
        message: failure(e),
        field: e instanceof ApiError ? e.field : undefined,
      });
    } finally {
      abort.current = null;
    }
  }

  function reset() {
    setPhase({ kind: 'idle' });
    setFile(null);
    if (fileInput.current) {
      fileInput.current.value = '';
      fileInput.current.focus();
    }
  }

  const fileInvalid = phase.kind === 'failed' && phase.field === 'file';

  return (
    <section className="pr-page pr-members" aria-labelledby="import-title">
      <p className="pr-member-back">
        <Link to="/members">← All members</Link>
      </p>
      <h1 id="import-title" ref={heading} tabIndex={-1}>
        Import members
      </h1>
      <p>
        A CSV file with a header row: a plain list with an <code>email</code> column (and optionally{' '}
        <code>name</code>), a Substack subscriber export or a Ghost members export. Addresses that
        are already members are left as they are; rows that cannot be imported are listed afterwards
        with their line numbers.
      </p>
      <form
        className="pr-import-form"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <fieldset disabled={running}>
          <legend className="pr-visually-hidden">The file and what imported members get</legend>
          <label>
            CSV file
            <input
              ref={fileInput}
              type="file"
              name="file"
              accept=".csv,text/csv"
              required
              aria-invalid={fileInvalid || undefined}
              aria-describedby={fileInvalid ? 'import-error' : undefined}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                if (phase.kind !== 'idle' && !running) setPhase({ kind: 'idle' });
              }}
            />
          </label>
          {file && (
            <p className="pr-muted">
              {file.name}, {size(file.size)}
            </p>
          )}
          <fieldset>
            <legend>Subscribe them to</legend>
            {!newsletters ? (
              <p className="pr-loading">Loading newsletters…</p>
            ) : newsletters.length === 0 ? (
              <p>There are no newsletters.</p>
            ) : (
              newsletters.map((n) => (
                <label key={n.id} className="pr-inline">
                  <input
                    type="checkbox"
                    checked={chosen.has(n.slug)}
                    onChange={(e) =>
                      setChosen((s) => {
                        const next = new Set(s);
                        if (e.target.checked) next.add(n.slug);
                        else next.delete(n.slug);
                        return next;
                      })
                    }
                  />
                  {n.name}
                </label>
              ))
            )}
            <p className="pr-muted pr-import-hint">
              Rows the source marks as unsubscribed get no newsletters.
            </p>
          </fieldset>
          <fieldset>
            <legend>Complimentary membership</legend>
            <label className="pr-inline">
              <input type="checkbox" checked={comp} onChange={(e) => setComp(e.target.checked)} />
              Comp every imported member
            </label>
            {comp && (
              <label>
                Last day (leave empty for no end date)
                <input
                  type="date"
                  value={compUntil}
                  min={localDate(new Date())}
                  onChange={(e) => setCompUntil(e.target.value)}
                />
              </label>
            )}
          </fieldset>
          <div className="pr-actions">
            <button type="submit" className="pr-primary" disabled={!file}>
              Import
            </button>
          </div>
        </fieldset>
      </form>

      {phase.kind !== 'idle' && phase.kind !== 'failed' && (
        <ImportProgress phase={phase} fileName={file?.name ?? 'the file'} />
      )}
      {running && (
        <button type="button" onClick={() => abort.current?.abort()}>
          Cancel import
        </button>
      )}
      {phase.kind === 'failed' && (
        <div className="pr-import-failed">
          <p id="import-error" className="pr-error" role="alert">
            {phase.message}
          </p>
        </div>
      )}
      {phase.kind === 'done' && (
        <ImportResult
          report={phase.report}
          headingRef={reportHeading}
          badRowsUrl={badRowsUrl}
          newsletterNames={new Map(newsletters?.map((n) => [n.slug, n.name]))}
          onAgain={reset}
        />
      )}
    </section>
  );
}

function ImportProgress({
  phase,
  fileName,
}: {
  phase: Extract<Phase, { kind: 'uploading' | 'finishing' | 'done' }>;
  fileName: string;
}) {
  const total = Math.max(phase.total, 1);
  // While the server writes its last batch there is nothing left to measure: the bar says
  // "working" (no value) rather than claiming it is done.
  const value =
    phase.kind === 'uploading'
      ? Math.min(phase.loaded, total)
      : phase.kind === 'done'
        ? total
        : undefined;
  const percent = value === undefined ? undefined : Math.round((value / total) * 100);
  const text =
    phase.kind === 'uploading'
      ? `Importing ${fileName}…`
      : phase.kind === 'finishing'
        ? 'File sent; writing the last rows…'
        : 'Import finished.';
  return (
    <div className="pr-import-progress">
      <label htmlFor="import-progress">Import progress</label>
      <div className="pr-import-bar">
        <progress id="import-progress" max={total} value={value}>
          {percent === undefined ? 'Working' : `${percent}%`}
        </progress>
        <span aria-hidden="true">{percent === undefined ? '' : `${percent}%`}</span>
      </div>
      <p role="status">{text}</p>
    </div>
  );
}

function ImportResult({
  report,
  headingRef,
  badRowsUrl,
  newsletterNames,
  onAgain,
}: {
  report: ImportReport;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
  badRowsUrl: string | undefined;
  newsletterNames: ReadonlyMap<string, string>;
  onAgain: () => void;
}) {
  const n = (v: number) => v.toLocaleString();
  return (
    <section className="pr-import-report" aria-labelledby="import-report">
      <h2 id="import-report" ref={headingRef} tabIndex={-1}>
        {report.bad_count === 0 && report.complete
          ? `Imported ${n(report.imported)} ${report.imported === 1 ? 'member' : 'members'}`
          : `Imported ${n(report.imported)}, with ${n(report.bad_count)} bad ${report.bad_count === 1 ? 'row' : 'rows'}`}
      </h2>
      <p>
        Read as {FORMAT_NAMES[report.format]}.{' '}
        {report.newsletters.length > 0
          ? `New members were subscribed to ${report.newsletters.map((s) => newsletterNames.get(s) ?? s).join(', ')}.`
          : 'New members were subscribed to no newsletter.'}
      </p>
      {!report.complete && (
        <p className="pr-warning" role="alert">
          The file could not be read to the end (see the last bad row). {KEPT}
        </p>
      )}
      <dl className="pr-import-counts">
        <div>
          <dt>Rows read</dt>
          <dd>{n(report.total_rows)}</dd>
        </div>
        <div>
          <dt>Imported</dt>
          <dd>{n(report.imported)}</dd>
        </div>
        <div>
          <dt>Already members, left unchanged</dt>
          <dd>{n(report.duplicates)}</dd>
        </div>
        <div>
          <dt>Skipped, deleted at the source</dt>
          <dd>{n(report.skipped)}</dd>
        </div>
        <div>
          <dt>Bad rows, not imported</dt>
          <dd>{n(report.bad_count)}</dd>
        </div>
      </dl>
      {report.bad.length > 0 && (
        <>
          <table className="pr-table pr-bad-rows">
            <caption>
              Bad rows
              {report.bad_count > report.bad.length &&
                ` (the first ${n(report.bad.length)} of ${n(report.bad_count)})`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Email</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {report.bad.map((b) => (
                <tr key={b.line}>
                  <td>{b.line}</td>
                  <td className="pr-member-email">{b.email ?? '—'}</td>
                  <td>{b.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div className="pr-actions">
        <Link to="/members" className="pr-button-link">
          View members
        </Link>
        {badRowsUrl && (
          <a className="pr-button-link" href={badRowsUrl} download="bad-rows.csv">
            Download the bad rows
          </a>
        )}
        <button type="button" onClick={onAgain}>
          Import another file
        </button>
      </div>
    </section>
  );
}
