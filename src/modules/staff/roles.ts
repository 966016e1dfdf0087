/**
 * Who may do what. Pure functions, so the whole matrix is tested as a table.
 * Ranks only order roles for "at least" checks; post rules depend on authorship too.
 */
export const ROLES = ['owner', 'admin', 'editor', 'author', 'contributor'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { owner: 5, admin: 4, editor: 3, author: 2, contributor: 1 };

export function atLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export interface Actor {
  id: string;
  role: Role;
}

export interface PostAccessFacts {
  authorIds: readonly string[];
  status: string;
}

const isOwnPost = (actor: Actor, post: PostAccessFacts) => post.authorIds.includes(actor.id);

/** Editors and above edit anything; authors their own; contributors their own unpublished drafts. */
export function canEditPost(actor: Actor, post: PostAccessFacts): boolean {
  if (atLeast(actor.role, 'editor')) return true;
  if (!isOwnPost(actor, post)) return false;
  return actor.role === 'author' || post.status === 'draft';
}

/** Publishing or scheduling: contributors never, authors only their own posts. */
export function canPublishPost(actor: Actor, post: PostAccessFacts): boolean {
  if (atLeast(actor.role, 'editor')) return true;
  return actor.role === 'author' && isOwnPost(actor, post);
}

export const canDeletePost = canEditPost;

/** Whom this actor may list as a post's author besides themselves. */
export function canAssignOtherAuthors(actor: Actor): boolean {
  return atLeast(actor.role, 'editor');
}

export function canManageTags(actor: Actor): boolean {
  return atLeast(actor.role, 'editor');
}

export function canManageStaff(actor: Actor): boolean {
  return atLeast(actor.role, 'admin');
}

/** Only the owner hands out admin; nobody but the owner touches the owner. */
export function canAssignRole(actor: Actor, targetCurrent: Role | null, next: Role): boolean {
  if (!canManageStaff(actor)) return false;
  if (next === 'owner' || targetCurrent === 'owner') return false;
  if (actor.role === 'owner') return true;
  return next !== 'admin' && targetCurrent !== 'admin';
}

/** Editing, signing out or removing another staff member: only those ranked above them. */
export function canManageStaffMember(actor: Actor, targetRole: Role): boolean {
  return canAssignRole(actor, targetRole, 'contributor');
}

export function canManageSettings(actor: Actor): boolean {
  return atLeast(actor.role, 'admin');
}
