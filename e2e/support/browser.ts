import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; the variable exists to try the missing-browser behaviour. */
export const CHROMIUM = process.env.PRESSROOM_E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const SCREENSHOTS = fileURLToPath(
  new URL('../../test-output/screenshots/', import.meta.url),
);

/** Generous for a 2-core machine that is also running the server and other test files. */
export const TEST_TIMEOUT = 60_000;
export const NAV_TIMEOUT = 20_000;

/**
 * Whether the browser tests can run. Without Chromium they are skipped locally, with a
 * message, but fail in CI (CI=true), where .ci/run installs it and nothing may be skipped.
 */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests must run in CI (.ci/run installs it)`,
    );
  }
  console.warn(`Skipping ${suite}: ${CHROMIUM} is not installed (apt-get install chromium)`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * Records what a person would notice as broken on this page: console errors, uncaught
 * exceptions, 4xx/5xx answers and failed requests.
 */
export function watchForProblems(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const source = message.location().url;
    problems.push(
      `console error on ${page.url()}: ${message.text()}${source ? ` [${source}]` : ''}`,
    );
  });
  page.on('pageerror', (error) =>
    problems.push(`uncaught exception on ${page.url()}: ${error.message}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()} for ${response.url()} (on ${page.url()})`);
    }
  });
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText ?? '';
    // Chromium abandons a favicon fetch when the page it was for is left or resized; that
    // is the browser's choice, not a failure of the site.
    if (error === 'net::ERR_ABORTED' && /\/assets\/favicon\./.test(request.url())) return;
    problems.push(`request failed on ${page.url()}: ${request.url()} ${error}`);
  });
}
