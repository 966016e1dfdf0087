import { ApiError, type Staff } from '../../api.js';

/**
 * What the Staff screen reads from /api/admin/staff and /api/admin/invitations. The server
 * says what the viewer may do to each person, so the screen never re-implements the rules.
 */
export type Role = Staff['role'];

export const ROLE_ORDER: readonly Role[] = ['owner', 'admin', 'editor', 'author', 'contributor'];

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  editor: 'Editor',
  author: 'Author',
  contributor: 'Contributor',
};

export interface StaffMember extends Staff {
  created_at: string;
  /** Roles the viewer may change this person to (their current role excluded). */
  assignable_roles: Role[];
  removable: boolean;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  invited_by: { id: string; name: string };
  created_at: string;
  expires_at: string;
  expired: boolean;
  revocable: boolean;
}

export interface InvitationList {
  invitations: Invitation[];
  /** Roles the viewer may invite people with. */
  roles: Role[];
}

export const canManageStaff = (role: Role | undefined) => role === 'owner' || role === 'admin';

export const errorMessage = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });
}
