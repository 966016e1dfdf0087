import { describe, expect, it } from 'vitest';
import {
  atLeast,
  canAssignOtherAuthors,
  canAssignRole,
  canDeletePost,
  canEditPost,
  canManageSettings,
  canManageStaff,
  canManageTags,
  canPublishPost,
  ROLES,
  type Actor,
  type Role,
} from './roles.js';

const actor = (role: Role): Actor => ({ id: 'me', role });
const own = (status: string) => ({ authorIds: ['someone', 'me'], status });
const others = (status: string) => ({ authorIds: ['someone'], status });

type PostAction =
  | 'edit own draft'
  | 'edit own published'
  | 'edit other draft'
  | 'edit other published'
  | 'publish own'
  | 'publish other'
  | 'delete own draft'
  | 'delete own published'
  | 'delete other';

const check: Record<PostAction, (a: Actor) => boolean> = {
  'edit own draft': (a) => canEditPost(a, own('draft')),
  'edit own published': (a) => canEditPost(a, own('published')),
  'edit other draft': (a) => canEditPost(a, others('draft')),
  'edit other published': (a) => canEditPost(a, others('published')),
  'publish own': (a) => canPublishPost(a, own('draft')),
  'publish other': (a) => canPublishPost(a, others('draft')),
  'delete own draft': (a) => canDeletePost(a, own('draft')),
  'delete own published': (a) => canDeletePost(a, own('published')),
  'delete other': (a) => canDeletePost(a, others('published')),
};

// prettier-ignore
const POST_MATRIX: Record<Role, Record<PostAction, boolean>> = {
  //            edit own draft | own published | other draft | other published | publish own | publish other | delete own draft | own published | other
  owner:       { 'edit own draft': true, 'edit own published': true,  'edit other draft': true,  'edit other published': true,  'publish own': true,  'publish other': true,  'delete own draft': true, 'delete own published': true,  'delete other': true },
  admin:       { 'edit own draft': true, 'edit own published': true,  'edit other draft': true,  'edit other published': true,  'publish own': true,  'publish other': true,  'delete own draft': true, 'delete own published': true,  'delete other': true },
  editor:      { 'edit own draft': true, 'edit own published': true,  'edit other draft': true,  'edit other published': true,  'publish own': true,  'publish other': true,  'delete own draft': true, 'delete own published': true,  'delete other': true },
  author:      { 'edit own draft': true, 'edit own published': true,  'edit other draft': false, 'edit other published': false, 'publish own': true,  'publish other': false, 'delete own draft': true, 'delete own published': true,  'delete other': false },
  contributor: { 'edit own draft': true, 'edit own published': false, 'edit other draft': false, 'edit other published': false, 'publish own': false, 'publish other': false, 'delete own draft': true, 'delete own published': false, 'delete other': false },
};

describe('post permissions', () => {
  const cases = ROLES.flatMap((role) =>
    (Object.keys(check) as PostAction[]).map(
      (action) => [role, action, POST_MATRIX[role][action]] as const,
    ),
  );
  it.each(cases)('%s: %s → %s', (role, action, allowed) => {
    expect(check[action](actor(role))).toBe(allowed);
  });
});

// Who may give whom which role. `null` is a new staff member being created.
// prettier-ignore
const ASSIGN_MATRIX: [Role, Role | null, Role, boolean][] = [
  ['owner', null, 'owner', false],
  ['owner', null, 'admin', true],
  ['owner', null, 'editor', true],
  ['owner', null, 'author', true],
  ['owner', null, 'contributor', true],
  ['owner', 'admin', 'editor', true],
  ['owner', 'editor', 'admin', true],
  ['owner', 'contributor', 'owner', false],
  ['owner', 'owner', 'admin', false],
  ['admin', null, 'admin', false],
  ['admin', null, 'owner', false],
  ['admin', null, 'editor', true],
  ['admin', null, 'author', true],
  ['admin', null, 'contributor', true],
  ['admin', 'contributor', 'editor', true],
  ['admin', 'editor', 'contributor', true],
  ['admin', 'editor', 'admin', false],
  ['admin', 'admin', 'editor', false],
  ['admin', 'owner', 'editor', false],
  ['editor', null, 'contributor', false],
  ['editor', 'author', 'contributor', false],
  ['author', null, 'contributor', false],
  ['author', 'author', 'editor', false],
  ['contributor', null, 'contributor', false],
  ['contributor', 'contributor', 'admin', false],
];

describe('assigning roles', () => {
  it.each(ASSIGN_MATRIX)('%s giving a %s the role %s → %s', (role, target, next, allowed) => {
    expect(canAssignRole(actor(role), target, next)).toBe(allowed);
  });
});

// prettier-ignore
const MANAGE_MATRIX: [Role, { staff: boolean; settings: boolean; tags: boolean; otherAuthors: boolean }][] = [
  ['owner',       { staff: true,  settings: true,  tags: true,  otherAuthors: true }],
  ['admin',       { staff: true,  settings: true,  tags: true,  otherAuthors: true }],
  ['editor',      { staff: false, settings: false, tags: true,  otherAuthors: true }],
  ['author',      { staff: false, settings: false, tags: false, otherAuthors: false }],
  ['contributor', { staff: false, settings: false, tags: false, otherAuthors: false }],
];

describe('managing the publication', () => {
  it.each(MANAGE_MATRIX)('%s → %o', (role, expected) => {
    const a = actor(role);
    expect({
      staff: canManageStaff(a),
      settings: canManageSettings(a),
      tags: canManageTags(a),
      otherAuthors: canAssignOtherAuthors(a),
    }).toEqual(expected);
  });
});

describe('atLeast', () => {
  it('orders the roles from owner down to contributor', () => {
    for (const [i, role] of ROLES.entries()) {
      for (const [j, minimum] of ROLES.entries()) {
        expect(atLeast(role, minimum), `${role} ≥ ${minimum}`).toBe(i <= j);
      }
    }
  });
});
