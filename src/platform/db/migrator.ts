import { sql, type Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { Dialect } from './database.js';

export interface Migration {
  /** Sorts in apply order; never renamed once released. */
  name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/**
 * Applies pending migrations, each in its own transaction, so a failing one rolls back
 * alone and the ones before it stay applied. On PostgreSQL an advisory lock makes
 * several processes starting at once apply each migration exactly once.
 */
export async function migrate(
  db: Kysely<unknown>,
  dialect: Dialect,
  migrations: readonly Migration[],
): Promise<string[]> {
  await db.schema
    .createTable('pressroom_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();

  const applied: string[] = [];
  for (const migration of [...migrations].sort((a, b) => a.name.localeCompare(b.name))) {
    try {
      const ran = await db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') {
          await sql`select pg_advisory_xact_lock(727372)`.execute(trx);
        }
        const done = await sql<{ name: string }>`
          select name from pressroom_migrations where name = ${migration.name}`.execute(trx);
        if (done.rows.length > 0) return false;
        await migration.up(trx, dialect);
        await sql`insert into pressroom_migrations (name, applied_at)
          values (${migration.name}, ${new Date().toISOString()})`.execute(trx);
        return true;
      });
      if (ran) applied.push(migration.name);
    } catch (error) {
      throw new AppError(
        'migration_failed',
        `Migration ${migration.name} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`,
        { status: 500, cause: error },
      );
    }
  }
  return applied;
}
