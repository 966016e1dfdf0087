import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';
import { problemOf, type Problem } from './settings-api.js';

/** The props a control needs to be tied to its label, hint and error. */
export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/**
 * One labelled control with its hint and the server's error for it, announced and tied to
 * the control (aria-describedby), so a screen reader hears why when it lands on the field.
 */
export function Field(props: {
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
  className?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`pr-field${props.className ? ` ${props.className}` : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({
        id,
        ...(props.error ? { 'aria-invalid': true as const } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {props.hint && (
        <span id={hintId} className="pr-field-hint">
          {props.hint}
        </span>
      )}
      {props.error && (
        <span id={errorId} className="pr-field-error">
          {props.error}
        </span>
      )}
    </div>
  );
}

/** "accent_color: must be a colour…" reads as "must be a colour…" beside the field itself. */
function withoutFieldName(message: string, field: string): string {
  const prefix = `${field}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/**
 * The state of one form's save: busy, done, or the problem, with the server's error put
 * beside the field it names (or above the buttons when it names none this form shows). After
 * a failed save the first field in error takes the focus.
 */
export function useSave(formRef: RefObject<HTMLElement | null>, fields: readonly string[]) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [done, setDone] = useState<string | undefined>();

  useEffect(() => {
    if (!problem?.field) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [problem, formRef]);

  /** The field a server error belongs to: `smtp.host` and `host` both mean the host field. */
  const owner = (field: string | undefined) =>
    field === undefined
      ? undefined
      : fields.find((f) => f === field || field.endsWith(`.${f}`) || f.endsWith(`.${field}`));

  return {
    busy,
    problem,
    done,
    errorFor(field: string): string | undefined {
      if (!problem?.field || owner(problem.field) !== field) return undefined;
      return withoutFieldName(problem.message, problem.field);
    },
    /** A problem no field of this form shows. */
    formProblem: problem && owner(problem.field) === undefined ? problem.message : undefined,
    setProblem,
    clear() {
      setProblem(undefined);
      setDone(undefined);
    },
    async run(action: () => Promise<string | undefined | void>): Promise<boolean> {
      setBusy(true);
      setProblem(undefined);
      setDone(undefined);
      try {
        const message = await action();
        if (message) setDone(message);
        return true;
      } catch (e) {
        setProblem(problemOf(e));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

export type Save = ReturnType<typeof useSave>;

/** What a save said: done (polite) or failed (an alert), in one live region. */
export function SaveMessages({ save }: { save: Save }) {
  return (
    <div aria-live="polite" className="pr-set-messages">
      {save.done && (
        <p role="status" className="pr-set-done">
          {save.done}
        </p>
      )}
      {save.formProblem && (
        <p role="alert" className="pr-error">
          {save.formProblem}
        </p>
      )}
    </div>
  );
}

/** A section that failed to load, or that this staff member may not see. */
export function LoadProblem({ problem, what }: { problem: Problem; what: string }) {
  if (problem.status === 403)
    return (
      <p className="pr-set-forbidden" role="note">
        Only the owner and admins can see and change {what}. Ask one of them if something here needs
        changing.
      </p>
    );
  return (
    <p role="alert" className="pr-error">
      {what[0]?.toUpperCase()}
      {what.slice(1)} could not be loaded: {problem.message}
    </p>
  );
}

/**
 * A section before its data: its heading, then why it did not load, or that it is loading.
 * A function, not a component, so the heading keeps its place in the tree (and the focus it
 * was given) when the section's content replaces this.
 */
export function sectionWaiting(
  heading: ReactNode,
  problem: Problem | undefined,
  what: string,
): ReactNode {
  return (
    <>
      {heading}
      {problem ? (
        <LoadProblem problem={problem} what={what} />
      ) : (
        <p className="pr-loading">Loading…</p>
      )}
    </>
  );
}

/** Copies a value (a DNS record, the webhook address) and says so to screen readers too. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState<boolean | undefined>();
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setCopied(undefined), 4000);
  };
  return (
    <span className="pr-set-copy">
      <button type="button" aria-label={label} onClick={() => void copy()}>
        Copy
      </button>
      <span aria-live="polite" className="pr-muted">
        {copied === true ? 'Copied' : copied === false ? 'Select the text and copy it' : ''}
      </span>
    </span>
  );
}

/** Every section gets the ref for its heading, which takes the focus when it is opened. */
export interface SectionProps {
  headingRef: RefObject<HTMLHeadingElement | null>;
}

/**
 * Which editor of a list is open (`new`, or the id of the row being edited). Closing it, by
 * saving or cancelling, puts the focus back on the list's New button rather than on nothing.
 */
export function useEditorSlot() {
  const [editing, setEditing] = useState<string | undefined>();
  const returnTo = useRef<HTMLButtonElement>(null);
  const closing = useRef(false);
  useEffect(() => {
    if (editing !== undefined || !closing.current) return;
    closing.current = false;
    returnTo.current?.focus();
  }, [editing]);
  return {
    editing,
    open: setEditing,
    close() {
      closing.current = true;
      setEditing(undefined);
    },
    returnTo,
  };
}
