// Analytics: page views counted without cookies or personal data, and the admin dashboard's
// figures. See CONTEXT.md for the words.
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import type { Logger } from '../../platform/logger.js';
import type { StaffService } from '../staff/index.js';
import { createDashboardApi } from './analytics.routes.js';
import { AnalyticsService } from './analytics.service.js';
import { PageViewCounter } from './page-views.counter.js';

export { AnalyticsService, type Dashboard, type DashboardPost } from './analytics.service.js';
export { DASHBOARD_RANGES, type DashboardRange } from './analytics.schema.js';
export { PageViewCounter } from './page-views.counter.js';
export { isBot, isCountedView, type ViewFacts } from './page-views.rules.js';

export interface AnalyticsModuleDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  staff: StaffService;
  /** How often each process adds its page views to the database; default 10 s. */
  flushMs?: number;
}

/** The page-view counter, the dashboard's service and its admin route, wired together. */
export function createAnalyticsModule(deps: AnalyticsModuleDeps) {
  const counter = new PageViewCounter({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.flushMs === undefined ? {} : { flushMs: deps.flushMs }),
  });
  const service = new AnalyticsService({ db: deps.db, clock: deps.clock, counter });
  return {
    counter,
    service,
    routes: { admin: createDashboardApi({ analytics: service, staff: deps.staff }) },
  };
}
