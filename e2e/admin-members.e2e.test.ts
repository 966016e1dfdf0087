/**
 * The members screens of the admin in a real browser: Debian's Chromium driven by
 * playwright-core against a real server (SQLite in a temporary directory). The owner signs in,
 * imports a CSV of 300 members (three of them bad) over a slowed-down upload so the progress
 * bar can be seen moving, reads the report, finds members in the list, opens one, comps them
 * and takes the comp away again, and exports the list. Screenshots (admin-members-*.png) go
 * to test-output/screenshots.
 *
 * The admin is built first when its build is missing or stale (as `npm start` does).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/cli/serve.js';
import {
  ADMIN_OWNER as OWNER,
  startAdminBrowserRig,
  type AdminBrowserRig,
} from './support/admin.js';
import { chromiumAvailable, SCREENSHOTS, TEST_TIMEOUT } from './support/browser.js';

/** Lines of the file (the header is line 1) that cannot become members, and why. */
const BAD_ROWS = new Map([
  [51, { cells: 'not-an-address,Nobody Atall', reason: 'email is not a valid address' }],
  [152, { cells: ',Nameless Reader', reason: 'email is missing' }],
  [253, { cells: 'two@@example.com,Double At', reason: 'email is not a valid address' }],
]);
const ROWS = 300;
const GOOD = ROWS - BAD_ROWS.size;

/**
 * A plain member list: 300 data rows, the bad ones among them, each with a long column the
 * import ignores (as exports from elsewhere have), so the file is large enough for the
 * browser to report its upload in steps.
 */
function membersCsv(): string {
  const lines = ['email,name,about'];
  for (let line = 2; line <= ROWS + 1; line++) {
    const n = line - 1;
    const about = `Reader ${n} wrote in. `.repeat(150);
    lines.push(`${BAD_ROWS.get(line)?.cells ?? `reader${n}@example.com,Reader ${n}`},${about}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `YYYY-MM-DD` in this machine's time zone, which the browser shares. */
function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const haveChromium = chromiumAvailable('the admin members browser tests');

describe.skipIf(!haveChromium)('the members screens of the admin in Chromium', () => {
  let rig: AdminBrowserRig;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const csv = membersCsv();

  async function expectNoProblems(): Promise<void> {
    await page.waitForLoadState('networkidle');
    expect(problems.splice(0)).toEqual([]);
  }
  const screenshot = (name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  const rows = () => page.locator('.pr-members-table tbody tr');
  const summary = () => page.locator('.pr-members-summary');
  const focusedId = () => page.evaluate('document.activeElement && document.activeElement.id');
  /** Nothing sticks out sideways: the page fits the phone it is on. */
  const fitsWidth = () =>
    page.evaluate('document.documentElement.scrollWidth <= window.innerWidth') as Promise<boolean>;
  const readDownload = async (download: Download) => readFileSync((await download.path())!, 'utf8');
  const findMember = async (email: string) => {
    const found = await server.pressroom.services.membersAdmin.list({
      search: email,
      page: 1,
      limit: 1,
    });
    return found.members[0]!;
  };

  beforeAll(async () => {
    rig = await startAdminBrowserRig({ name: 'admin-members' });
    ({ server, context, page, problems } = rig);
    await server.pressroom.services.newsletters.ensureDefault();
  });

  afterAll(async () => {
    await rig?.close();
  });

  it(
    'signs in and finds no members yet',
    async () => {
      await page.goto('/admin/signin');
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password').fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Admin' }).waitFor();
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Members' })
        .click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
      await page.getByText('No members yet.').waitFor();
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses a large file with the wrong columns, saying which it expects',
    async () => {
      await page.getByRole('link', { name: 'Import CSV' }).click();
      await page.getByRole('heading', { name: 'Import members' }).waitFor();
      expect(await focusedId()).toBe('import-title');
      // The server answers after the header, long before this megabyte is sent.
      const wrong = `mail,fullname\n${'someone@example.com,Some One\n'.repeat(40_000)}`;
      const file = page.getByLabel('CSV file');
      await file.setInputFiles({
        name: 'wrong.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(wrong),
      });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('none of the expected ones was found');
      expect(await alert.textContent()).toContain('"email,name"');
      expect(await file.getAttribute('aria-invalid')).toBe('true');
      expect(await server.pressroom.services.membersAdmin.stats()).toMatchObject({ total: 0 });
      await page.waitForLoadState('networkidle');
      expect(problems.splice(0)).toEqual([
        expect.stringMatching(/^HTTP 400 for .*\/api\/admin\/members\/import\?/),
        // Chromium logs every error answer to the console as well.
        expect.stringMatching(/^console error .*400/),
      ]);
    },
    TEST_TIMEOUT,
  );

  it(
    'imports 300 members with a moving progress bar and a report naming the bad rows',
    async () => {
      // New signups get the default newsletter, and so, unless unticked, do imported members.
      const newsletters = page
        .getByRole('group', { name: 'Subscribe them to' })
        .getByRole('checkbox');
      await expect.poll(() => newsletters.count()).toBe(1);
      expect(await newsletters.isChecked()).toBe(true);
      await page.getByLabel('CSV file').setInputFiles({
        name: 'members.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      });

      // Every value the bar takes, as it takes it.
      await page.evaluate(`(() => {
        window.progressSeen = [];
        new MutationObserver(() => {
          const bar = document.getElementById('import-progress');
          if (bar) window.progressSeen.push([bar.getAttribute('value'), bar.getAttribute('max')]);
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      })()`);
      // A slow uplink, so the upload takes a few seconds.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 20,
        downloadThroughput: -1,
        uploadThroughput: 512 * 1024,
      });

      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const bar = page.getByRole('progressbar', { name: 'Import progress' });
      const size = Buffer.byteLength(csv);
      await expect
        .poll(async () => Number(await bar.getAttribute('value')), { timeout: 15_000 })
        .toBeGreaterThan(0);
      const partWay = Number(await bar.getAttribute('value'));
      if (partWay < size) await screenshot('admin-members-import-progress.png');
      await page
        .getByRole('heading', { name: `Imported ${GOOD}, with 3 bad rows`, exact: true })
        .waitFor({ timeout: 30_000 });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      await cdp.detach();

      // The bar ended full, having passed through values part-way, never going back.
      expect(await bar.getAttribute('max')).toBe(String(size));
      expect(await bar.getAttribute('value')).toBe(String(size));
      expect(await page.getByRole('status').filter({ hasText: 'Import finished.' }).count()).toBe(
        1,
      );
      const seen = (
        (await page.evaluate('window.progressSeen')) as [string | null, string | null][]
      ).flatMap(([value, max]) => (value === null || max !== String(size) ? [] : [Number(value)]));
      expect(seen.some((v) => v > 0 && v < size)).toBe(true);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      // Keyboard and screen reader users land on the result.
      expect(await focusedId()).toBe('import-report');

      const counts = await page.locator('.pr-import-counts > div').allInnerTexts();
      expect(counts.map((c) => c.replace(/\s+/g, ' ').trim())).toEqual([
        'Rows read 300',
        `Imported ${GOOD}`,
        'Already members, left unchanged 0',
        'Skipped, deleted at the source 0',
        'Bad rows, not imported 3',
      ]);
      const badRows = page.locator('.pr-bad-rows tbody tr');
      expect(await badRows.count()).toBe(3);
      const expected = [...BAD_ROWS].map(([line, bad]) => [
        String(line),
        bad.cells.split(',')[0] || '—',
        bad.reason,
      ]);
      for (const [i, cells] of expected.entries())
        expect(await badRows.nth(i).locator('td').allInnerTexts()).toEqual(cells);
      await screenshot('admin-members-import.png');

      // The bad rows, to fix and import again.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download the bad rows' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('bad-rows.csv');
      expect(parse(await readDownload(download))).toEqual([
        ['line', 'email', 'reason'],
        ...expected.map(([l, e, r]) => [l, e === '—' ? '' : e, r]),
      ]);

      const stats = await server.pressroom.services.membersAdmin.stats();
      expect(stats.total).toBe(GOOD);
      expect((await findMember('reader7@example.com')).newsletters).toHaveLength(1);
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'lists the members a page at a time, searches and filters them',
    async () => {
      await page.getByRole('link', { name: 'View members' }).click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
      await expect.poll(() => summary().textContent()).toBe(`${GOOD} members, showing 1–50`);
      expect(await rows().count()).toBe(50);
      expect(await page.locator('.pr-member-counts').innerText()).toContain(`${GOOD} in all`);
      await page.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => summary().textContent()).toBe(`${GOOD} members, showing 51–100`);
      expect(page.url()).toMatch(/\/admin\/members\?page=2$/);
      await screenshot('admin-members-list.png');

      await page.getByLabel('Search email or name').fill('reader12');
      // reader12, reader120–129 (none of them bad).
      await expect.poll(() => summary().textContent()).toBe('11 matching');
      expect(await rows().count()).toBe(11);
      await page.getByLabel('Search email or name').fill('Reader 123');
      await expect.poll(() => rows().count()).toBe(1);
      expect(await rows().first().innerText()).toContain('reader123@example.com');

      // The top bar's Members link starts the list afresh.
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Members' })
        .click();
      await expect.poll(() => summary().textContent()).toBe(`${GOOD} members, showing 1–50`);
      expect(await page.getByLabel('Search email or name').inputValue()).toBe('');

      await page.getByLabel('Status').selectOption('comped');
      await page.getByText('No members match these filters.').waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(() => summary().textContent()).toBe(`${GOOD} members, showing 1–50`);
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'opens a member from the keyboard, comps them until a date, and removes the comp',
    async () => {
      await page.getByLabel('Search email or name').fill('reader7@');
      await expect.poll(() => rows().count()).toBe(1);
      const link = page.getByRole('link', { name: 'Reader 7', exact: true });
      await link.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Reader 7', level: 1 }).waitFor();
      expect(await focusedId()).toBe('member-title');
      const history = page.locator('.pr-history li');
      await expect
        .poll(() => history.first().innerText())
        .toContain('Imported from a CSV file by Olga Owner');
      expect(await page.locator('.pr-member-fields').innerText()).toContain('reader7@example.com');

      const lastDay = new Date();
      lastDay.setFullYear(lastDay.getFullYear() + 1);
      await page.getByLabel('Until a date').check();
      await page.getByLabel('Last day').fill(localDate(lastDay));
      await page.getByRole('button', { name: 'Comp member' }).click();
      await page.locator('.pr-member-done', { hasText: /^Comped until / }).waitFor();
      await expect.poll(() => history.first().innerText()).toMatch(/Comped until .+ by Olga Owner/);
      expect(await page.locator('.pr-member-head .pr-status').textContent()).toBe('Comped');
      let member = await findMember('reader7@example.com');
      expect(member.status).toBe('comped');
      expect(localDate(new Date(member.comp_until!))).toBe(localDate(lastDay));
      await screenshot('admin-members-detail.png');

      await page.getByRole('button', { name: 'Remove comp' }).click();
      await page.getByText('Comp removed; they are now Free.').waitFor();
      await expect
        .poll(() => history.first().innerText())
        .toContain('Comp removed; now Free by Olga Owner');
      expect((await findMember('reader7@example.com')).status).toBe('free');

      await page.getByLabel('No end date').check();
      await page.getByRole('button', { name: 'Comp member' }).click();
      await page.locator('.pr-member-done', { hasText: 'Comped with no end date.' }).waitFor();
      member = await findMember('reader7@example.com');
      expect(member).toMatchObject({ status: 'comped', comp_until: null });
      expect(await history.count()).toBe(4);

      // On a phone the member's page fits the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await fitsWidth()).toBe(true);
      await screenshot('admin-members-detail-phone.png');
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );

  it(
    'exports the members as CSV, all of them or the filtered few',
    async () => {
      await page.getByRole('link', { name: '← All members' }).click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
      // Back where the list was left: the search for reader7@ still applies.
      await expect.poll(() => summary().textContent()).toBe('1 matching');
      expect(await fitsWidth()).toBe(true);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(() => summary().textContent()).toBe(`${GOOD} members, showing 1–50`);
      expect(await fitsWidth()).toBe(true);
      await screenshot('admin-members-list-phone.png');
      await page.setViewportSize({ width: 1280, height: 900 });

      const [all] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      expect(all.suggestedFilename()).toMatch(/^members-\d{4}-\d{2}-\d{2}\.csv$/);
      const exported = parse(await readDownload(all)) as string[][];
      expect(exported[0]!.slice(0, 4)).toEqual(['id', 'email', 'name', 'status']);
      expect(exported).toHaveLength(GOOD + 1);
      const emails = exported.slice(1).map((r) => r[1]);
      expect(new Set(emails).size).toBe(GOOD);
      for (const n of [1, 7, 150, 300]) expect(emails).toContain(`reader${n}@example.com`);
      expect(emails).not.toContain('two@@example.com');
      expect(exported.find((r) => r[1] === 'reader7@example.com')?.[3]).toBe('comped');

      await page.getByLabel('Status').selectOption('comped');
      await expect.poll(() => rows().count()).toBe(1);
      const [comped] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      const few = parse(await readDownload(comped)) as string[][];
      expect(few.slice(1).map((r) => [r[1], r[3]])).toEqual([['reader7@example.com', 'comped']]);
      await expectNoProblems();
    },
    TEST_TIMEOUT,
  );
});
