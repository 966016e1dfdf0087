import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError, del, get, post } from '../../api.js';
import {
  errorMessage,
  formatDate,
  ROLE_LABELS,
  type Invitation,
  type InvitationList,
  type Role,
} from './staff-api.js';

/** The invite form and the invitations still open; for admins and the owner. */
export function Invitations() {
  const [list, setList] = useState<InvitationList | undefined>();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const emailErrorId = useId();

  const load = useCallback(async () => {
    const r = await get<InvitationList>('/invitations');
    setList(r);
    // A sensible default that is never above what the viewer may give.
    setRole((current) =>
      current && r.roles.includes(current)
        ? current
        : r.roles.includes('author')
          ? 'author'
          : (r.roles[0] ?? ''),
    );
  }, []);

  useEffect(() => {
    load().catch((e: unknown) => setError(errorMessage(e)));
  }, [load]);

  async function invite(e: React.FormEvent) {
    e.preventDefault();
    if (!role) return;
    setBusy(true);
    setFieldError(undefined);
    setError(undefined);
    setMessage(undefined);
    try {
      const r = await post<{ invitation: Invitation }>('/invitations', { email, role });
      setMessage(`Invitation sent to ${r.invitation.email}.`);
      setEmail('');
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.field)
        setFieldError({ field: err.field, message: err.message });
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function withdraw(invitation: Invitation) {
    setError(undefined);
    setMessage(undefined);
    try {
      await del(`/invitations/${invitation.id}`);
      setMessage(`The invitation to ${invitation.email} is withdrawn.`);
      await load();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const emailProblem = fieldError?.field === 'email' ? fieldError.message : undefined;
  const otherProblem = fieldError && !emailProblem ? fieldError.message : undefined;

  return (
    <section className="pr-staff-section" aria-labelledby="pr-invite-title">
      <h2 id="pr-invite-title">Invite someone</h2>
      <p className="pr-muted">
        They get an email with a link to choose their name and password. The link works once, for 7
        days.
      </p>
      <form className="pr-staff-invite" onSubmit={(e) => void invite(e)}>
        <label>
          Email address
          <input
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={emailProblem ? true : undefined}
            aria-describedby={emailProblem ? emailErrorId : undefined}
          />
          {emailProblem && (
            <span id={emailErrorId} className="pr-field-error">
              {emailProblem}
            </span>
          )}
        </label>
        <label>
          Role
          <select
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            disabled={!list || list.roles.length === 0}
          >
            {list?.roles.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="pr-primary" disabled={busy || !role}>
          {busy ? 'Sending…' : 'Send invitation'}
        </button>
      </form>
      <div aria-live="polite">
        {message && (
          <p role="status" className="pr-staff-done">
            {message}
          </p>
        )}
        {(error ?? otherProblem) && (
          <p role="alert" className="pr-error">
            {error ?? otherProblem}
          </p>
        )}
      </div>

      <h3>Open invitations</h3>
      {!list ? (
        <p className="pr-loading">Loading…</p>
      ) : list.invitations.length === 0 ? (
        <p className="pr-muted">No open invitations.</p>
      ) : (
        <table className="pr-table pr-table-cards pr-invitations">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Invited by</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="pr-staff-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.invitations.map((i) => (
              <tr key={i.id}>
                <td className="pr-staff-email">{i.email}</td>
                <td>{ROLE_LABELS[i.role]}</td>
                <td>{i.invited_by.name}</td>
                <td>
                  {i.expired ? (
                    <span className="pr-status pr-staff-expired">Expired</span>
                  ) : (
                    <time dateTime={i.expires_at}>{formatDate(i.expires_at)}</time>
                  )}
                </td>
                <td>
                  {i.revocable && (
                    <button
                      type="button"
                      className="pr-danger"
                      aria-label={`Withdraw the invitation to ${i.email}`}
                      onClick={() => void withdraw(i)}
                    >
                      Withdraw
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
