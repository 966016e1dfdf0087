import type { Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import type { Logger } from '../../../platform/logger.js';
import type { StaffService } from '../../staff/index.js';
import { createMembersAdminApi } from './members-admin.routes.js';
import { MembersAdminService } from './members-admin.service.js';

/** A member list of a million rows is about 60 MB; larger than that is a mistake. */
export const DEFAULT_IMPORT_LIMIT_BYTES = 64 * 1024 * 1024;

export interface MembersAdminDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  staff: StaffService;
  importLimitBytes?: number;
}

/**
 * Staff member tools; mount `routes` at `/api/admin/members`. The import streams its body
 * and checks `importLimitBytes` itself; the app's smaller body limit must not apply to it.
 */
export function createMembersAdmin(deps: MembersAdminDeps) {
  const service = new MembersAdminService({ db: deps.db, clock: deps.clock, logger: deps.logger });
  const importLimitBytes = deps.importLimitBytes ?? DEFAULT_IMPORT_LIMIT_BYTES;
  const routes = createMembersAdminApi({ service, staff: deps.staff, importLimitBytes });
  return { service, routes, importLimitBytes };
}

export { MembersAdminService, EXPORT_COLUMNS, statusWithoutComp } from './members-admin.service.js';
export type {
  MemberDetail,
  MemberEvent,
  MemberHistory,
  MemberStats,
  MemberSummary,
} from './members-admin.service.js';
export { BAD_ROWS_LISTED } from './members-import.js';
export type { BadRow, ImportOptions, ImportReport } from './members-import.js';
export { EXPECTED_HEADERS, IMPORT_FORMATS, type ImportFormat } from './import-formats.js';
