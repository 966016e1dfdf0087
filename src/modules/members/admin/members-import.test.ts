import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../../../test/support/database.js';
import { expectError, json } from '../../../../test/support/fixtures.js';
import type { ImportReport, MemberDetail, MemberSummary } from './index.js';
import { createMembersAdminTestApp, type MembersAdminTestApp } from './members-admin.test-app.js';

const csv = { 'content-type': 'text/csv' };

describe.each(engines)('member import on %s', (dialect) => {
  let t: MembersAdminTestApp;

  const importCsv = async (body: RequestInit['body'], query = '', headers = csv) => {
    const res = await t.request('admin', 'POST', `/import${query}`, { body, headers });
    const parsed = await json<{ report: ImportReport }>(res);
    expect(res.status, JSON.stringify(parsed)).toBe(200);
    const { report } = parsed;
    // Every data row is accounted for exactly once.
    expect(report.imported + report.duplicates + report.skipped + report.bad_count).toBe(
      report.total_rows,
    );
    return report;
  };
  const member = async (email: string) => {
    const res = await t.request('owner', 'GET', `/?search=${encodeURIComponent(email)}`);
    const { members } = await json<{ members: MemberSummary[] }>(res);
    const found = members.find((m) => m.email === email);
    if (!found) return undefined;
    return json<MemberDetail>(await t.request('owner', 'GET', `/${found.id}`));
  };

  beforeAll(async () => {
    t = await createMembersAdminTestApp(dialect);
    await t.factories.newsletter('weekly', true);
    await t.factories.newsletter('daily', false);
    await t.factories.member({ email: 'existing@example.com', name: 'Already Here' });
  });
  afterAll(() => t?.close());

  describe('generic email,name lists', () => {
    it('imports rows with any header case and extra columns, into the signup newsletters', async () => {
      const report = await importCsv(
        ' EMAIL ,Name,Favourite colour\nAda@Example.com,Ada Lovelace,green\nalan@example.com,,blue\n',
      );
      expect(report).toMatchObject({
        format: 'generic',
        total_rows: 2,
        imported: 2,
        duplicates: 0,
        bad: [],
        bad_count: 0,
        complete: true,
        newsletters: ['weekly'],
      });
      const ada = (await member('ada@example.com'))!;
      expect(ada.member).toMatchObject({
        name: 'Ada Lovelace',
        status: 'free',
        source: 'import',
        created_at: '2026-03-02T10:00:00.000Z',
      });
      expect(ada.newsletters.map((n) => n.slug)).toEqual(['weekly']);
      expect(ada.events.map((e) => ({ type: e.type, format: e.data.format }))).toEqual([
        { type: 'imported', format: 'generic' },
      ]);
      expect((await member('alan@example.com'))!.member.name).toBeNull();
    });

    it('takes the name column as optional', async () => {
      const report = await importCsv('email\r\nsolo@example.com\r\n');
      expect(report).toMatchObject({ format: 'generic', imported: 1 });
    });

    it('subscribes to the newsletters asked for, or none', async () => {
      await importCsv('email\nchosen@example.com\n', '?newsletters=daily,weekly');
      expect((await member('chosen@example.com'))!.newsletters.map((n) => n.slug).sort()).toEqual([
        'daily',
        'weekly',
      ]);
      const none = await importCsv('email\nnone@example.com\n', '?newsletters=');
      expect(none.newsletters).toEqual([]);
      expect((await member('none@example.com'))!.newsletters).toEqual([]);
      await expectError(
        await t.request('admin', 'POST', '/import?newsletters=nope', {
          body: 'email\nnope@example.com\n',
          headers: csv,
        }),
        400,
        { field: 'newsletters', message: /nope/ },
      );
      expect(await member('nope@example.com')).toBeUndefined();
    });

    it('comps every imported member when asked', async () => {
      await importCsv('email\nforever@example.com\n', '?comp=true');
      expect((await member('forever@example.com'))!.member).toMatchObject({
        status: 'comped',
        comp_until: null,
      });
      await importCsv('email\nuntil@example.com\n', '?comp=2026-12-31');
      const until = (await member('until@example.com'))!;
      expect(until.member).toMatchObject({
        status: 'comped',
        comp_until: '2026-12-31T00:00:00.000Z',
      });
      expect(until.events[0]!.data).toMatchObject({ comp_until: '2026-12-31T00:00:00.000Z' });
      await expectError(
        await t.request('admin', 'POST', '/import?comp=2020-01-01', {
          body: 'email\npast@example.com\n',
          headers: csv,
        }),
        400,
        { field: 'comp' },
      );
    });

    it('reads semicolon-separated files and strips a byte-order mark', async () => {
      const report = await importCsv('\uFEFFemail;name\nsemi@example.com;Semi Colon\n');
      expect(report.imported).toBe(1);
      expect((await member('semi@example.com'))!.member.name).toBe('Semi Colon');
    });
  });

  it("maps Substack's subscriber export", async () => {
    const report = await importCsv(
      [
        'email,active_subscription,expiry,plan,email_disabled,created_at',
        'sub.free@example.com,false,,,false,2021-03-04T12:34:56.000Z',
        'sub.paid@example.com,true,2026-09-01,yearly,false,2022-05-06 07:08:09',
        'sub.muted@example.com,false,,,true,2023-01-02',
      ].join('\n'),
    );
    expect(report).toMatchObject({ format: 'substack', imported: 3, bad_count: 0 });
    const free = (await member('sub.free@example.com'))!;
    expect(free.member).toMatchObject({
      status: 'free',
      note: null,
      created_at: '2021-03-04T12:34:56.000Z',
    });
    expect(free.newsletters.map((n) => n.slug)).toEqual(['weekly']);
    const paid = (await member('sub.paid@example.com'))!;
    // Billing is re-linked later; until then the plan is a note and the member is free.
    expect(paid.member).toMatchObject({
      status: 'free',
      note: 'Substack: yearly plan, expiry 2026-09-01',
      created_at: '2022-05-06T07:08:09.000Z',
      stripe_customer_id: null,
    });
    const muted = (await member('sub.muted@example.com'))!;
    expect(muted.newsletters).toEqual([]);
    expect(muted.member.created_at).toBe('2023-01-02T00:00:00.000Z');
    expect(muted.events[0]!.data).toMatchObject({ format: 'substack' });
  });

  it("maps Ghost's members export and skips its deleted members", async () => {
    const report = await importCsv(
      [
        'id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers',
        '5f1,ghost.one@example.com,Gina Ghost,"Met at the conference, 2022",true,false,cus_ABC123,2022-01-04T10:20:30.000Z,,"VIP, Press",',
        '5f2,ghost.comp@example.com,Carl Comp,,false,true,,2023-06-07T08:09:10.000Z,,,',
        '5f3,ghost.gone@example.com,Gone Ghost,,true,false,,2021-01-01T00:00:00.000Z,2024-02-02T00:00:00.000Z,,',
      ].join('\n'),
    );
    expect(report).toMatchObject({
      format: 'ghost',
      total_rows: 3,
      imported: 2,
      skipped: 1,
      bad_count: 0,
    });
    const one = (await member('ghost.one@example.com'))!;
    expect(one.member).toMatchObject({
      name: 'Gina Ghost',
      note: 'Met at the conference, 2022',
      status: 'free',
      stripe_customer_id: 'cus_ABC123',
      created_at: '2022-01-04T10:20:30.000Z',
    });
    expect(one.newsletters.map((n) => n.slug)).toEqual(['weekly']);
    const comp = (await member('ghost.comp@example.com'))!;
    expect(comp.member).toMatchObject({ status: 'comped', comp_until: null });
    expect(comp.newsletters).toEqual([]);
    expect(await member('ghost.gone@example.com')).toBeUndefined();

    // The same Stripe customer on another row (or already taken) is a bad row, not a crash.
    const again = await importCsv(
      [
        'id,email,subscribed_to_emails,complimentary_plan,stripe_customer_id',
        'x1,ghost.other@example.com,true,false,cus_ABC123',
        'x2,ghost.twin@example.com,true,false,cus_NEW1',
        'x3,ghost.triplet@example.com,true,false,cus_NEW1',
      ].join('\n'),
    );
    expect(again).toMatchObject({ imported: 1, bad_count: 2 });
    expect(again.bad).toEqual([
      { line: 2, email: 'ghost.other@example.com', reason: expect.stringMatching(/cus_ABC123/) },
      { line: 4, email: 'ghost.triplet@example.com', reason: expect.stringMatching(/cus_NEW1/) },
    ]);
  });

  it('answers 400 naming the expected headers of each format when none is found', async () => {
    const body = await expectError(
      await t.request('admin', 'POST', '/import', {
        body: 'address,full name\nx@example.com,X\n',
        headers: csv,
      }),
      400,
      { code: 'unknown_csv_format', field: 'file' },
    );
    expect(body.error.message).toContain('"email,name"');
    expect(body.error.message).toContain(
      '"email,active_subscription,expiry,plan,email_disabled,created_at"',
    );
    expect(body.error.message).toContain(
      '"id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers"',
    );
    expect(await member('x@example.com')).toBeUndefined();
    await expectError(
      await t.request('admin', 'POST', '/import', { body: '', headers: csv }),
      400,
      { field: 'file' },
    );
  });

  it('reports bad rows by the physical line they start on and keeps the good ones', async () => {
    const lines = [
      'email,name', // 1
      'good.one@example.com,One', // 2
      'good.two@example.com,"Two', // 3: a name running over three lines
      'lines',
      'long"', // 5
      'not-an-email,Broken', // 6
      '', // 7: blank, not a row
      ',Nameless', // 8
      'good.three@example.com,Three', // 9
      'two@@example.com,Doubled', // 10
      ',,', // 11: empty cells, not a row
      'x'.repeat(250) + '@example.com,Long', // 12
    ];
    for (const eol of ['\n', '\r\n']) {
      const text = lines.join(eol).replace(/good\.(\w+)@/g, `good.$1${eol.length}@`);
      const report = await importCsv(text);
      expect(report).toMatchObject({ imported: 3, total_rows: 7, complete: true });
      expect(report.bad).toEqual([
        { line: 6, email: 'not-an-email', reason: 'email is not a valid address' },
        { line: 8, email: null, reason: 'email is missing' },
        { line: 10, email: 'two@@example.com', reason: 'email is not a valid address' },
        {
          line: 12,
          email: expect.stringMatching(/^x+@example\.com$/),
          reason: 'email is longer than 254 characters',
        },
      ]);
      expect((await member(`good.two${eol.length}@example.com`))!.member.name).toBe(
        `Two${eol}lines${eol}long`,
      );
    }
  });

  it('keeps what came before an unclosed quote and says where reading stopped', async () => {
    const report = await importCsv(
      'email,name\nbefore.quote@example.com,Fine\nafter.quote@example.com,"Never closed\nlost@example.com,Lost\n',
    );
    expect(report).toMatchObject({ imported: 1, complete: false, bad_count: 1 });
    expect(report.bad[0]).toMatchObject({ line: 3, reason: expect.stringMatching(/not read/) });
    expect(await member('before.quote@example.com')).toBeDefined();
    expect(await member('lost@example.com')).toBeUndefined();
  });

  it('counts duplicates within the file and against existing members, and changes no one', async () => {
    const report = await importCsv(
      'email,name\nexisting@example.com,Someone Else\ndup@example.com,First\nDUP@example.com,Second\n',
    );
    expect(report).toMatchObject({ imported: 1, duplicates: 2, bad_count: 0 });
    expect((await member('existing@example.com'))!.member.name).toBe('Already Here');
    expect((await member('dup@example.com'))!.member.name).toBe('First');
    // The same file again adds nothing.
    const again = await importCsv('email,name\ndup@example.com,First\n');
    expect(again).toMatchObject({ imported: 0, duplicates: 1 });
  });

  it('imports a 12,000-row file across several batches, with duplicates spanning them', async () => {
    const rows = ['email,name'];
    for (let i = 0; i < 12_000; i++) {
      if (i % 1000 === 999) rows.push(`bulk${i >= 5999 ? i - 5990 : i - 990}@example.com,Again`);
      else if (i % 2500 === 1) rows.push(`broken${i}.example.com,Bad`);
      else rows.push(`bulk${i}@example.com,Reader ${i}`);
    }
    const report = await importCsv(rows.join('\n'));
    expect(report).toMatchObject({ total_rows: 12_000, duplicates: 12, bad_count: 5 });
    expect(report.imported).toBe(12_000 - 12 - 5);
    expect(report.bad.map((b) => b.line)).toEqual([3, 2503, 5003, 7503, 10_003]);
    const bulk = await json<{ meta: { total: number } }>(
      await t.request('owner', 'GET', '/?search=bulk&limit=1'),
    );
    expect(bulk.meta.total).toBe(report.imported);
    const subscribed = await t.db
      .selectFrom('member_newsletters')
      .innerJoin('members', 'members.id', 'member_newsletters.member_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('members.email', 'like', 'bulk%')
      .executeTakeFirstOrThrow();
    expect(Number(subscribed.n)).toBe(report.imported);

    // The export walks them all, page by page, each exactly once.
    const res = await t.request('owner', 'GET', '/export.csv?search=bulk');
    const exported = (parse(await res.text()) as string[][]).slice(1).map((r) => r[1]);
    expect(exported).toHaveLength(report.imported);
    expect(new Set(exported).size).toBe(report.imported);
  });

  it('imports through the service with small batches, as the CLI and bench do', async () => {
    async function* chunks() {
      yield 'email,name\n';
      for (let i = 0; i < 2500; i++) yield `svc${i}@example.com,Svc ${i}\n`;
      yield 'svc5@example.com,Again\n';
    }
    const report = await t.service.importCsv(chunks(), { batchSize: 300, newsletters: [] });
    expect(report).toMatchObject({ imported: 2500, duplicates: 1, total_rows: 2501 });
  });

  describe('uploads', () => {
    it('takes a multipart form with the options before the file', async () => {
      const form = new FormData();
      form.append('newsletters', 'daily');
      form.append(
        'file',
        new Blob(['email,name\nform@example.com,Form Filler\n'], { type: 'text/csv' }),
        'members.csv',
      );
      const report = await importCsv(form, '', {} as typeof csv);
      expect(report).toMatchObject({ imported: 1, newsletters: ['daily'] });
      expect((await member('form@example.com'))!.newsletters.map((n) => n.slug)).toEqual(['daily']);
      const noFile = new FormData();
      noFile.append('newsletters', 'daily');
      await expectError(await t.request('admin', 'POST', '/import', { body: noFile }), 400, {
        field: 'file',
      });
    });

    it('takes the file from a form the CSRF check has already read', async () => {
      const browser = await createMembersAdminTestApp(dialect, { csrf: true });
      try {
        await browser.factories.newsletter('daily', false);
        const form = new FormData();
        form.append('_csrf', 'form-token');
        form.append('newsletters', 'daily');
        form.append('file', new Blob(['email\nbrowser@example.com\n']), 'm.csv');
        const cookie = `pr_session=${browser.ownerSessionToken}; pr_csrf=form-token`;
        const res = await browser.request(null, 'POST', '/import', {
          body: form,
          headers: { cookie },
        });
        const { report } = await json<{ report: ImportReport }>(res);
        expect(res.status).toBe(200);
        expect(report).toMatchObject({ imported: 1, newsletters: ['daily'] });
        // Without the token the CSRF check stops it before anything is read.
        const refused = new FormData();
        refused.append('file', new Blob(['email\nsneaky@example.com\n']), 'm.csv');
        await expectError(
          await browser.request(null, 'POST', '/import', { body: refused, headers: { cookie } }),
          403,
        );
      } finally {
        await browser.close();
      }
    });

    it('streams a chunked body with no length given', async () => {
      const encoder = new TextEncoder();
      const parts = [
        'email,na',
        'me\nstream1@exam',
        'ple.com,"Str\neam"\nstream2@example.com,S2\n',
      ];
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = parts.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(encoder.encode(next));
        },
      });
      const report = await importCsv(body);
      expect(report).toMatchObject({ imported: 2 });
      expect((await member('stream1@example.com'))!.member.name).toBe('Str\neam');
    });

    it('refuses other media types and files over the limit', async () => {
      await expectError(
        await t.request('admin', 'POST', '/import', {
          body: '{"email":"j@example.com"}',
          headers: { 'content-type': 'application/json' },
        }),
        415,
      );
      const small = await createMembersAdminTestApp(dialect, { importLimitBytes: 1024 });
      try {
        const big = `email\n${Array.from({ length: 100 }, (_, i) => `big${i}@example.com`).join('\n')}\n`;
        await expectError(
          await small.request('admin', 'POST', '/import', { body: big, headers: csv }),
          413,
        );
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(big));
            controller.close();
          },
        });
        await expectError(
          await small.request('admin', 'POST', '/import', { body: stream, headers: csv }),
          413,
        );
      } finally {
        await small.close();
      }
    });

    it('is for admins only', async () => {
      await expectError(
        await t.request(null, 'POST', '/import', { body: 'email\nq@example.com\n', headers: csv }),
        401,
      );
      await expectError(
        await t.request('author', 'POST', '/import', {
          body: 'email\nq@example.com\n',
          headers: csv,
        }),
        403,
      );
      const res = await t.request('owner', 'POST', '/import', {
        body: 'email\nq@example.com\n',
        headers: csv,
      });
      expect(res.status).toBe(200);
    });
  });
});
