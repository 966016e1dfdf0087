import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../../../test/support/database.js';
import { AppError } from '../errors.js';
import { migrate, migrations, openDatabase, type Migration } from './index.js';

describe('openDatabase', () => {
  it('fails with one clear line when PostgreSQL is unreachable', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const error = await openDatabase({
      dialect: 'postgres',
      url: 'postgres://postgres:secret@127.0.0.1:1/press',
      poolSize: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('database_unreachable');
    expect((error as AppError).message).toMatch(
      /^Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/press: /,
    );
    expect((error as AppError).message).not.toContain('secret');
  });

  it('opens SQLite in WAL mode with foreign keys and a busy timeout', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(t.db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
    } finally {
      await t.destroy();
    }
  });
});

describe.each(engines)('migrations on %s', (dialect) => {
  let t: TestDatabase;
  afterEach(async () => {
    await t.destroy();
  });

  it('are recorded and not applied twice', async () => {
    t = await createTestDatabase(dialect);
    expect(await migrate(t.db as never, dialect, migrations)).toEqual([]);
    const rows = await t.db.selectFrom('pressroom_migrations').select('name').execute();
    expect(rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
  });

  it('roll back a failing migration whole and name it', async () => {
    t = await createTestDatabase(dialect);
    const broken: Migration = {
      name: '9999-broken',
      async up(db) {
        await db.schema.createTable('half_done').addColumn('id', 'text').execute();
        await sql`select * from no_such_table`.execute(db);
      },
    };
    const error = await migrate(t.db as never, dialect, [...migrations, broken]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as Error).message).toMatch(/^Migration 9999-broken failed and was rolled back: /);
    // Its first statement was undone with it, and it is not recorded as applied.
    await expect(sql`select * from half_done`.execute(t.db)).rejects.toThrow(/half_done/);
    const recorded = await t.db
      .selectFrom('pressroom_migrations')
      .select('name')
      .where('name', '=', '9999-broken')
      .execute();
    expect(recorded).toEqual([]);
  });

  it('enforce foreign keys the same way on both engines', async () => {
    t = await createTestDatabase(dialect);
    const insertOrphan = t.db
      .insertInto('post_tags')
      .values({ post_id: 'missing', tag_id: 'missing', sort_order: 0 })
      .execute();
    await expect(insertOrphan).rejects.toThrow(/foreign key/i);
  });
});
