import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/platform/config.js';
import { startSmtpSink } from '../../test/support/smtp-sink.js';
import { launchChromium, NAV_TIMEOUT, SCREENSHOTS, watchForProblems } from './browser.js';
import { freePort } from './net.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const ADMIN_OWNER = {
  name: 'Olga Owner',
  email: 'olga@example.com',
  password: 'a long password 123',
};

export interface AdminBrowserRig {
  server: RunningServer;
  sink: Awaited<ReturnType<typeof startSmtpSink>>;
  dataDir: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and failed requests seen so far. */
  problems: string[];
  /** Waits for the page to settle and expects nothing to have gone wrong on it. */
  expectNoProblems(): Promise<void>;
  screenshot(name: string, target?: Page): Promise<void>;
  /** Signs the owner in through the sign-in form and waits for the admin to load. */
  signIn(target?: Page): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every admin browser test starts from: the admin built when missing or stale (as
 * `npm start` does), a production server on SQLite in a temporary folder mailing to a
 * loopback SMTP sink, an owner account, and Chromium with one signed-out page.
 */
export async function startAdminBrowserRig(
  opts: {
    name: string;
    env?: Record<string, string>;
    worker?: boolean;
    /** False: no owner yet, so the admin opens on first-run setup. */
    owner?: boolean;
  } = { name: 'admin' },
): Promise<AdminBrowserRig> {
  execFileSync(process.execPath, ['scripts/build-admin.mjs', '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), `pressroom-e2e-${opts.name}-`));
  const sink = await startSmtpSink();
  const port = await freePort();
  const server = await startServer(
    loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PRESSROOM_URL: `http://127.0.0.1:${port}`,
      PRESSROOM_DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      PRESSROOM_MAIL_FROM: 'The Ledger <news@pressroom.test>',
      LOG_LEVEL: 'silent',
      ...opts.env,
    }),
    { worker: opts.worker ?? false },
  );
  if (opts.owner !== false) await server.pressroom.services.staff.createOwner(ADMIN_OWNER);
  const browser = await launchChromium();
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(NAV_TIMEOUT);
  const page = await context.newPage();
  const problems: string[] = [];
  watchForProblems(page, problems);

  return {
    server,
    sink,
    dataDir,
    browser,
    context,
    page,
    problems,
    async expectNoProblems() {
      await page.waitForLoadState('networkidle');
      expect(problems.splice(0)).toEqual([]);
    },
    async screenshot(name, target = page) {
      await target.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
    },
    async signIn(target = page) {
      await target.goto('/admin/signin');
      await target.getByLabel('Email').fill(ADMIN_OWNER.email);
      await target.getByLabel('Password').fill(ADMIN_OWNER.password);
      await target.getByRole('button', { name: 'Sign in' }).click();
      await target.waitForURL(/\/admin(\/(posts)?)?$/);
    },
    async close() {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.shutdown(1000);
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
