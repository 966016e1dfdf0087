import type { Migration } from '../migrator.js';
import { initial } from './0001-initial.js';
import { members } from './0002-members.js';
import { payments } from './0003-payments.js';
import { membersListOrder } from './0004-members-list-order.js';
import { postTiers } from './0005-post-tiers.js';
import { emailSends } from './0006-email-sends.js';
import { memberNewslettersOrder } from './0007-member-newsletters-order.js';
import { postEmail } from './0008-post-email.js';
import { staffLinks } from './0009-staff-links.js';
import { emailSettings } from './0010-email-settings.js';
import { pageViews } from './0011-page-views.js';

/** Every migration, in order. Add new ones at the end; never edit a released one. */
export const migrations: readonly Migration[] = [
  initial,
  members,
  payments,
  membersListOrder,
  postTiers,
  emailSends,
  memberNewslettersOrder,
  postEmail,
  staffLinks,
  emailSettings,
  pageViews,
];
