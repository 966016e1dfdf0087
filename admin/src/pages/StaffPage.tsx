import { useCallback, useEffect, useState } from 'react';
import { del, get, patch } from '../api.js';
import { useSession } from '../session.js';
import { Invitations } from './staff/Invitations.js';
import {
  canManageStaff,
  errorMessage,
  ROLE_LABELS,
  ROLE_ORDER,
  type Role,
  type StaffMember,
} from './staff/staff-api.js';

/** Staff: who is on staff with what role; admins and the owner invite, change roles, remove. */
export default function StaffPage() {
  const { staff: me } = useSession();
  const manager = canManageStaff(me?.role);
  const [people, setPeople] = useState<StaffMember[] | undefined>();
  const [changing, setChanging] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(async () => {
    setPeople((await get<{ staff: StaffMember[] }>('/staff')).staff);
  }, []);

  useEffect(() => {
    load().catch((e: unknown) => setError(errorMessage(e)));
  }, [load]);

  async function act(person: StaffMember, action: () => Promise<unknown>, done: string) {
    setChanging(person.id);
    setMessage(undefined);
    setError(undefined);
    try {
      await action();
      setMessage(done);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setChanging(undefined);
    }
  }

  const changeRole = (person: StaffMember, role: Role) =>
    act(
      person,
      () => patch(`/staff/${person.id}`, { role }),
      `${person.name}’s role is now ${ROLE_LABELS[role]}. They were signed out, and sign in again with the new role.`,
    );

  const remove = (person: StaffMember) => {
    const sure = window.confirm(
      `Remove ${person.name} from staff? They are signed out at once, can no longer sign in, and are taken off the bylines of their posts.`,
    );
    if (!sure) return;
    void act(person, () => del(`/staff/${person.id}`), `${person.name} was removed from staff.`);
  };

  return (
    <section className="pr-page pr-staff">
      <div className="pr-page-head">
        <h1>Staff</h1>
      </div>
      <div aria-live="polite">
        {message && (
          <p role="status" className="pr-staff-done">
            {message}
          </p>
        )}
        {error && (
          <p role="alert" className="pr-error">
            {error}
          </p>
        )}
      </div>
      {!people ? (
        <p className="pr-loading">Loading…</p>
      ) : (
        <table className="pr-table pr-table-cards pr-staff-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">
                <span className="pr-staff-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => {
              const roles = ROLE_ORDER.filter(
                (r) => r === person.role || person.assignable_roles.includes(r),
              );
              return (
                <tr key={person.id} aria-busy={changing === person.id || undefined}>
                  <td>
                    {person.name}
                    {person.id === me?.id && <span className="pr-muted"> (you)</span>}
                  </td>
                  <td className="pr-staff-email">{person.email ?? '—'}</td>
                  <td>
                    {roles.length > 1 ? (
                      <select
                        aria-label={`Role of ${person.name}`}
                        value={person.role}
                        disabled={changing !== undefined}
                        onChange={(e) => void changeRole(person, e.target.value as Role)}
                      >
                        {roles.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      ROLE_LABELS[person.role]
                    )}
                  </td>
                  <td>
                    {person.removable && (
                      <button
                        type="button"
                        className="pr-danger"
                        aria-label={`Remove ${person.name}`}
                        disabled={changing !== undefined}
                        onClick={() => remove(person)}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {manager && <Invitations />}
    </section>
  );
}
