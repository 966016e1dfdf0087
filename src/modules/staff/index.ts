export {
  StaffService,
  emailSchema,
  passwordSchema,
  nameSchema,
  roleSchema,
} from './staff.service.js';
export type { StaffIdentity, PublicStaff } from './staff.service.js';
export { InvitationsService, type PublicInvitation } from './invitations.service.js';
export { PasswordResetService } from './password-reset.service.js';
export {
  ROLES,
  atLeast,
  canAssignOtherAuthors,
  canDeletePost,
  canEditPost,
  canManageSettings,
  canManageStaff,
  canManageStaffMember,
  canManageTags,
  canPublishPost,
  type Role,
  type Actor,
} from './roles.js';
export { authenticate, requireStaff, currentStaff, type AdminEnv } from './auth.middleware.js';
export { createStaffApi, createAdminPages } from './staff.routes.js';
