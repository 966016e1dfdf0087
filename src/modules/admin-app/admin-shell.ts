import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The admin web app (built from `admin/` by `npm run build` into `dist/admin`): its
 * index.html with what the page needs at boot filled in, and its hashed assets.
 */
export interface AdminShell {
  /** False when the admin has not been built. */
  readonly built: boolean;
  /** index.html carrying the CSRF token and the signed-in staff member. */
  page(boot: { csrfToken: string; staff: { id: string; name: string; role: string } }): string;
  /** A built asset (`assets/index-abc123.js`), or undefined. */
  asset(name: string): { body: Buffer; type: string } | undefined;
}

// src/modules/admin-app and dist/modules/admin-app are both three levels below the root.
export const DEFAULT_ADMIN_DIR = fileURLToPath(new URL('../../../dist/admin', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
// Vite's output names: letters, digits, dashes, underscores and dots, no directories.
const ASSET_NAME = /^[\w-]+(\.[\w-]+)*$/;

/** JSON inside a <script> element: `<` escaped so no string can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
const attr = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function loadAdminShell(dir = DEFAULT_ADMIN_DIR): AdminShell {
  const indexFile = path.join(dir, 'index.html');
  let template: string | undefined;
  let templateMtime = 0;
  const assets = new Map<string, { body: Buffer; type: string }>();

  const readTemplate = (): string | undefined => {
    if (!existsSync(indexFile)) return undefined;
    // Re-read after a rebuild (npm run build while the server runs in development).
    const mtime = statSync(indexFile).mtimeMs;
    if (template === undefined || mtime !== templateMtime) {
      template = readFileSync(indexFile, 'utf8');
      templateMtime = mtime;
      assets.clear();
    }
    return template;
  };

  return {
    get built() {
      return readTemplate() !== undefined;
    },
    page(boot) {
      const html = readTemplate();
      if (html === undefined) throw new Error('the admin app is not built');
      return html
        .replace(
          '<meta name="csrf-token" content="" />',
          `<meta name="csrf-token" content="${attr(boot.csrfToken)}" />`,
        )
        .replace(
          '</head>',
          `<script type="application/json" id="pr-boot">${scriptJson({ staff: boot.staff })}</script></head>`,
        );
    },
    asset(name) {
      if (!ASSET_NAME.test(name) || readTemplate() === undefined) return undefined;
      const cached = assets.get(name);
      if (cached) return cached;
      const file = path.join(dir, 'assets', name);
      if (!existsSync(file)) return undefined;
      const found = {
        body: readFileSync(file),
        type: TYPES[path.extname(name)] ?? 'application/octet-stream',
      };
      assets.set(name, found);
      return found;
    },
  };
}
