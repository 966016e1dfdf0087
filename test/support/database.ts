import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import {
  migrate,
  migrations,
  openDatabase,
  type DatabaseHandle,
  type Dialect,
} from '../../src/platform/db/index.js';

/**
 * Every database test runs on SQLite and on PostgreSQL. In CI (CI=true) PostgreSQL must
 * be there; elsewhere its tests are skipped with a message when it cannot be reached.
 */
export const postgresUrl =
  process.env.PRESSROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`CI=true but PostgreSQL is unreachable at ${postgresUrl}: ${String(error)}`, {
        cause: error,
      });
    }
    console.warn(
      `PostgreSQL unreachable at ${postgresUrl} (${String(error)}); skipping the PostgreSQL runs. Set PRESSROOM_TEST_DATABASE_URL to run them.`,
    );
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const hasPostgres = await postgresReachable();
export const engines: Dialect[] = hasPostgres ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase extends DatabaseHandle {
  /** Opens another independent connection (pool) to the same database, e.g. a second worker. */
  reopen(): Promise<DatabaseHandle>;
  /** PostgreSQL schema or SQLite file this test owns. */
  readonly location: string;
}

/**
 * A fresh, migrated database. SQLite gets its own temp file; PostgreSQL its own schema in
 * the shared test database, dropped afterwards, so test files can run in parallel.
 */
export async function createTestDatabase(
  dialect: Dialect,
  opts: { poolSize?: number } = {},
): Promise<TestDatabase> {
  const id = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { rmSync } = await import('node:fs');
    const file = join(tmpdir(), `pressroom-${id}.db`);
    const config = { dialect: 'sqlite' as const, file };
    const handle = await openDatabase(config);
    await migrate(handle.db as never, 'sqlite', migrations);
    return {
      ...handle,
      location: file,
      reopen: () => openDatabase(config),
      async destroy() {
        await handle.destroy();
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    };
  }
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${id}`);
  await admin.end();
  const config = { dialect: 'postgres' as const, url: postgresUrl, poolSize: opts.poolSize ?? 5 };
  const handle = await openDatabase(config, { searchPath: id });
  await migrate(handle.db as never, 'postgres', migrations);
  return {
    ...handle,
    location: id,
    reopen: () => openDatabase(config, { searchPath: id }),
    async destroy() {
      await sql.raw(`drop schema ${id} cascade`).execute(handle.db);
      await handle.destroy();
    },
  };
}
