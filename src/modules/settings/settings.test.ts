import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  type TestApp,
  type TestClient,
} from '../../../test/support/app.js';
import { engines } from '../../../test/support/database.js';
import {
  addStaff,
  createPost,
  expectError,
  fetchPage,
  json,
  ManualClock,
  MINUTE,
  type Member,
} from '../../../test/support/fixtures.js';
import { defaultSiteSettings, type SiteSettings } from './index.js';

describe.each(engines)('settings on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let owner: TestClient;
  let editor: Member;
  let reader: TestClient;

  beforeAll(async () => {
    clock = new ManualClock();
    t = await createTestApp(dialect, { clock });
    owner = await ownerClient(t);
    editor = await addStaff(t, owner, 'editor');
    reader = t.client();
  });
  afterAll(async () => {
    await t.close();
  });

  const current = async () =>
    (await json<{ settings: SiteSettings }>(await owner.get('/api/admin/settings'))).settings;

  it('starts from the defaults', async () => {
    const res = await editor.client.get('/api/admin/settings');
    expect(res.status).toBe(200);
    expect((await json<{ settings: SiteSettings }>(res)).settings).toEqual(defaultSiteSettings);
  });

  it('shows a new title and accent colour on the site at once', async () => {
    // Warm the cache with the old look first.
    expect((await fetchPage(reader, '/')).html).toContain('<title>Pressroom</title>');

    const res = await owner.patch('/api/admin/settings', {
      title: 'The Kremlin Watch',
      accent_color: '#C0392B',
    });
    expect(res.status).toBe(200);
    const { settings } = await json<{ settings: SiteSettings }>(res);
    expect(settings).toEqual({
      ...defaultSiteSettings,
      title: 'The Kremlin Watch',
      accent_color: '#C0392B',
    });
    expect(await current()).toEqual(settings);

    const home = await fetchPage(reader, '/');
    expect(home.html).toContain('<title>The Kremlin Watch</title>');
    expect(home.html).toMatch(/--accent:\s*#c0392b\b/);
    expect(home.html).not.toMatch(/--accent:\s*#1a5fb4\b/);
    expect((await fetchPage(reader, '/rss.xml')).text).toContain('The Kremlin Watch');
    const missing = await fetchPage(reader, '/p/no-such-post');
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('The Kremlin Watch');
  });

  it('answers an invalid colour with 400 naming accent_color and changes nothing', async () => {
    const before = await current();
    for (const accent_color of ['red', '#fff', '#12345g', 'javascript:alert(1)', 5]) {
      await expectError(await owner.patch('/api/admin/settings', { accent_color }), 400, {
        code: 'invalid_input',
        field: 'accent_color',
      });
    }
    // One bad key spoils the whole patch.
    await expectError(
      await owner.patch('/api/admin/settings', { title: 'Half applied', accent_color: 'blue' }),
      400,
      {
        field: 'accent_color',
      },
    );
    expect(await current()).toEqual(before);
  });

  it('answers an unknown key with 400 naming it and changes nothing', async () => {
    const before = await current();
    const err = await expectError(
      await owner.patch('/api/admin/settings', { title: 'Sneaky', favourite_colour: 'x' }),
      400,
      {
        code: 'invalid_input',
      },
    );
    expect(err.error.message).toContain('favourite_colour');
    expect(await current()).toEqual(before);
    const rows = await t.pressroom.db.selectFrom('settings').select('key').execute();
    expect(rows.map((r) => r.key)).not.toContain('favourite_colour');
  });

  it('answers other bad values with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ title: '' }, 'title'],
      [{ title: 42 }, 'title'],
      [{ posts_per_page: '5' }, 'posts_per_page'],
      [{ posts_per_page: 0 }, 'posts_per_page'],
      [{ locale: 'English' }, 'locale'],
      [{ navigation: [{ label: 'Evil', url: 'javascript:alert(1)' }] }, 'navigation.0.url'],
      [{ twitter_handle: 'not a handle' }, 'twitter_handle'],
      [{ logo: 'ftp://example.com/logo.png' }, 'logo'],
    ];
    for (const [patch, field] of cases) {
      await expectError(await owner.patch('/api/admin/settings', patch), 400, {
        code: 'invalid_input',
        field,
      });
    }
    await expectError(
      await owner.request('PATCH', '/api/admin/settings', '{"title":', {
        'content-type': 'application/json',
      }),
      400,
      {
        code: 'malformed_json',
      },
    );
  });

  it('uses posts_per_page for the site’s lists', async () => {
    for (const title of ['Paged One', 'Paged Two']) {
      clock.advance(MINUTE);
      await createPost(owner, { title, status: 'published' });
    }
    expect((await owner.patch('/api/admin/settings', { posts_per_page: 1 })).status).toBe(200);
    const first = await fetchPage(reader, '/');
    expect(first.html).toContain('Paged Two');
    expect(first.html).not.toContain('Paged One');
    expect(first.html).toContain('href="/page/2"');
    const second = await fetchPage(reader, '/page/2');
    expect(second.status).toBe(200);
    expect(second.html).toContain('Paged One');
    expect((await owner.patch('/api/admin/settings', { posts_per_page: 10 })).status).toBe(200);
  });

  it('lets only admins change settings', async () => {
    await expectError(
      await editor.client.patch('/api/admin/settings', { title: 'Editor was here' }),
      403,
      {
        code: 'forbidden',
      },
    );
    const anon = t.client();
    await expectError(await anon.get('/api/admin/settings'), 401);
    expect((await current()).title).not.toBe('Editor was here');
    const admin = await addStaff(t, owner, 'admin');
    expect(
      (await admin.client.patch('/api/admin/settings', { description: 'Run by an admin.' })).status,
    ).toBe(200);
    expect((await current()).description).toBe('Run by an admin.');
  });

  it('falls back to the default for a stored value that no longer validates', async () => {
    await t.pressroom.db
      .updateTable('settings')
      .set({ value: JSON.stringify('chartreuse') })
      .where('key', '=', 'accent_color')
      .execute();
    await t.pressroom.db
      .insertInto('settings')
      .values({ key: 'locale', value: '{not json' })
      .execute();
    const settings = await current();
    expect(settings.accent_color).toBe(defaultSiteSettings.accent_color);
    expect(settings.locale).toBe(defaultSiteSettings.locale);
    expect(settings.title).toBe('The Kremlin Watch');
    t.pressroom.pageCache.clear();
    const home = await fetchPage(reader, '/');
    expect(home.status).toBe(200);
    expect(home.html).toMatch(/--accent:\s*#1a5fb4\b/);
  });
});
