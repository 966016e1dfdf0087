import { z } from 'zod';

/** The ranges the dashboard offers, in days. */
export const DASHBOARD_RANGES = [30, 90, 365] as const;
export type DashboardRange = (typeof DASHBOARD_RANGES)[number];

export const dashboardQuerySchema = z.object({
  days: z
    .enum(DASHBOARD_RANGES.map(String) as ['30', '90', '365'], {
      message: `days must be one of ${DASHBOARD_RANGES.join(', ')}`,
    })
    .default('30')
    .transform((v) => Number(v) as DashboardRange),
});
