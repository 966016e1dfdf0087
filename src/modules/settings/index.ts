export type { SiteSettings } from './settings.schema.js';
export {
  defaultSiteSettings,
  siteSettingsPatchSchema,
  siteSettingsSchema,
} from './settings.schema.js';
export { SettingsService } from './settings.service.js';
export { createSettingsApi } from './settings.routes.js';
