import type { Context } from 'hono';
import { defaultSiteSettings, type SiteSettings } from '../modules/settings/index.js';
import type { HtmlErrorRenderer } from '../platform/http/errors.js';
import type { SiteAssets } from './site-assets.js';
import type { SiteContent } from './site.deps.js';
import { errorPage } from './views/error.js';

/** A database that hangs rather than fails must not hold the error page hostage. */
const SETTINGS_TIMEOUT_MS = 1000;

async function settingsOrNull(content: SiteContent | undefined): Promise<SiteSettings | null> {
  if (!content) return null;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      content.settings(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), SETTINGS_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An error page in the site's look. It must render when nothing else does — a 500 is
 * often the database being down — so settings that cannot be read fall back to defaults.
 */
export async function renderErrorPage(
  content: SiteContent | undefined,
  assets: SiteAssets,
  status: number,
  message: string,
  publicUrl = '',
): Promise<string> {
  const settings = (await settingsOrNull(content)) ?? defaultSiteSettings;
  return errorPage({ settings, assets, publicUrl }, status, message);
}

/**
 * For the app's `errorHandler(...)` (and its notFound handler). Remembers the last
 * settings it read, so an outage still shows the publication's own title and colours.
 */
export function siteErrorRenderer(deps: {
  content?: SiteContent;
  assets: SiteAssets;
  publicUrl?: string;
}): (c: Context, status: number, message: string) => Promise<string> {
  let lastGood: SiteSettings | null = null;
  const publicUrl = (deps.publicUrl ?? '').replace(/\/+$/, '');
  const render = async (c: Context, status: number, message: string): Promise<string> => {
    // Errors must not be kept by browsers or proxies: the next try may well work.
    c.header('Cache-Control', 'no-store');
    const settings = await settingsOrNull(deps.content);
    if (settings) lastGood = settings;
    return errorPage(
      { settings: settings ?? lastGood ?? defaultSiteSettings, assets: deps.assets, publicUrl },
      status,
      message,
    );
  };
  return render satisfies HtmlErrorRenderer;
}
