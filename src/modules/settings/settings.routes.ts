import { Hono } from 'hono';
import { readJson } from '../../platform/http/index.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';
import { siteSettingsPatchSchema } from './settings.schema.js';
import type { SettingsService } from './settings.service.js';

/** `/api/admin/settings`: staff read, admins write. */
export function createSettingsApi(deps: { settings: SettingsService; staff: StaffService }) {
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff());
  api.get('/', async (c) => c.json({ settings: await deps.settings.get() }));
  api.patch('/', requireStaff('admin'), async (c) =>
    c.json({ settings: await deps.settings.update(await readJson(c, siteSettingsPatchSchema)) }),
  );
  return api;
}
