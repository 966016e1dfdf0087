import type { z } from 'zod';
import type { Db } from '../../platform/db/index.js';
import type { Logger } from '../../platform/logger.js';
import * as repo from './settings.repository.js';
import {
  defaultSiteSettings,
  siteSettingsSchema,
  type siteSettingsPatchSchema,
  type SiteSettings,
} from './settings.schema.js';

const storedShape = siteSettingsSchema.partial();

export class SettingsService {
  constructor(private readonly deps: { db: Db; logger: Logger; onChange: () => Promise<void> }) {}

  /**
   * Stored values over the defaults. A stored value that no longer validates (an older
   * version wrote it) falls back to its default rather than breaking every page.
   */
  async get(): Promise<SiteSettings> {
    const rows = await repo.readAllSettings(this.deps.db);
    const result: Record<string, unknown> = { ...defaultSiteSettings };
    for (const { key, value } of rows) {
      if (!(key in defaultSiteSettings)) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        continue;
      }
      const check = storedShape.safeParse({ [key]: parsed });
      if (check.success) result[key] = (check.data as Record<string, unknown>)[key];
      else this.deps.logger.warn({ key }, 'ignoring invalid stored setting');
    }
    return result as SiteSettings;
  }

  async update(patch: z.output<typeof siteSettingsPatchSchema>): Promise<SiteSettings> {
    await repo.writeSettings(this.deps.db, patch);
    await this.deps.onChange();
    return this.get();
  }
}
