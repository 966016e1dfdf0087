import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres, postgresUrl } from '../../test/support/database.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as a user would. */
async function pressroom(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<Result> {
  const child = run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  } else {
    child.child.stdin?.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('pressroom CLI on SQLite', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pressroom-cli-'));
    env = { PRESSROOM_DATA_DIR: dir };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate creates the database and is idempotent', async () => {
    const first = await pressroom(['migrate'], env);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/Applied: 0001-initial/);
    expect(existsSync(path.join(dir, 'pressroom.db'))).toBe(true);
    expect((await pressroom(['migrate'], env)).stdout).toMatch(/up to date/);
  });

  it('create-owner reads the password from stdin and stores only an argon2id hash', async () => {
    const result = await pressroom(
      ['create-owner', '--email', 'Ann@Example.com', '--name', 'Ann Analyst', '--password-stdin'],
      env,
      'a very long secret\n',
    );
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0 });
    const db = new SQLite(path.join(dir, 'pressroom.db'), { readonly: true });
    const row = db.prepare('select email, role, password_hash from staff').get() as Record<
      string,
      string
    >;
    db.close();
    expect(row.email).toBe('ann@example.com');
    expect(row.role).toBe('owner');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain('a very long secret');
  });

  it('create-owner refuses a second owner and a short password, in one line', async () => {
    const again = await pressroom(
      ['create-owner', '--email', 'b@example.com', '--name', 'B', '--password-stdin'],
      env,
      'another long secret',
    );
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('pressroom: This publication already has an owner');
    const short = await pressroom(
      ['create-owner', '--email', 'c@example.com', '--name', 'C', '--password-stdin'],
      env,
      'short',
    );
    expect(short.code).toBe(1);
    expect(short.stderr.trim()).toBe('pressroom: Password must be at least 10 characters');
  });

  it('token create prints the token once and stores only its hash', async () => {
    const result = await pressroom(['token', 'create', '--name', 'Zapier'], env);
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^pr_[\w-]{43}$/);
    const db = new SQLite(path.join(dir, 'pressroom.db'), { readonly: true });
    const row = db.prepare('select name, token_hash from api_tokens').get() as Record<
      string,
      string
    >;
    db.close();
    expect(row.name).toBe('Zapier');
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_hash).not.toBe(token);
  });

  it('post import turns Markdown with front matter into a published post', async () => {
    const file = path.join(dir, 'briefing.md');
    writeFileSync(
      file,
      '---\ntitle: Notes on the briefing\ntags: [Diplomacy]\n---\n\nOpening remarks.\n\n> **Question:** Will you meet?\n>\n> **Sergey Lavrov:** We will see.\n',
    );
    const result = await pressroom(
      ['post', 'import', file, '--publish', '--tags', 'Transcripts, Russia'],
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(
      'Imported "Notes on the briefing" as published at /p/notes-on-the-briefing',
    );
    const db = new SQLite(path.join(dir, 'pressroom.db'), { readonly: true });
    const post = db
      .prepare("select status, html from posts where slug = 'notes-on-the-briefing'")
      .get() as Record<string, string>;
    const tags = db.prepare('select name from tags order by name').all() as { name: string }[];
    db.close();
    expect(post.status).toBe('published');
    expect(post.html).toContain('<blockquote>');
    expect(post.html).toContain('<strong>Sergey Lavrov:</strong>');
    expect(tags.map((t) => t.name)).toEqual(['Diplomacy', 'Russia', 'Transcripts']);
  });

  it('post import names the front matter line that is broken', async () => {
    const file = path.join(dir, 'broken.md');
    writeFileSync(file, '---\ntitle: Fine\ntags: [unclosed\n---\nBody\n');
    const result = await pressroom(['post', 'import', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^pressroom: .*broken\.md: .*line 3/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('backup writes a consistent, openable copy', async () => {
    const target = path.join(dir, 'backup.db');
    const result = await pressroom(['backup', target], env);
    expect(result.code).toBe(0);
    const copy = new SQLite(target, { readonly: true });
    const count = copy.prepare('select count(*) as n from posts').get() as { n: number };
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect(count.n).toBe(1);
    expect((await pressroom(['backup', target], env)).stderr).toMatch(/already exists/);
  });

  it('stops with one line naming a wrong setting', async () => {
    const result = await pressroom(['serve'], { ...env, PORT: 'http' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'pressroom: Invalid configuration: PORT must be a whole number between 0 and 65535 (got "http")',
    );
  });

  it('stops with one line when the PostgreSQL server is unreachable', async () => {
    const result = await pressroom(['serve'], {
      ...env,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^pressroom: Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: .+$/,
    );
  });

  it('points to pg_dump for backups on PostgreSQL', async () => {
    // Backup never connects, so any PostgreSQL URL will do.
    const result = await pressroom(['backup', 'x.dump'], {
      ...env,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pg_dump --format=custom/);
  });

  it('explains unknown commands', async () => {
    const result = await pressroom(['frobnicate'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });
});

describe.runIf(hasPostgres)('pressroom CLI on PostgreSQL', () => {
  const schema = `cli_${Date.now().toString(36)}`;
  const url = `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = { DATABASE_URL: url, PRESSROOM_DATA_DIR: path.join(tmpdir(), schema) };

  beforeAll(async () => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`drop schema ${schema} cascade`);
    await client.end();
  });

  it('migrates, creates the owner and imports a post', async () => {
    expect((await pressroom(['migrate'], env)).stdout).toMatch(/Applied: 0001-initial/);
    const owner = await pressroom(
      ['create-owner', '--email', 'pg@example.com', '--name', 'Pat', '--password-stdin'],
      env,
      'a very long secret',
    );
    expect(owner).toMatchObject({ code: 0, stderr: '' });
    const file = path.join(tmpdir(), `${schema}.md`);
    writeFileSync(file, '# A title from the heading\n\nBody text.\n');
    const result = await pressroom(['post', 'import', file], env);
    rmSync(file);
    expect(result.stdout.trim()).toBe(
      'Imported "A title from the heading" as draft at /p/a-title-from-the-heading',
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ title: string; status: string }>(
      'select title, status from posts',
    );
    await client.end();
    expect(rows).toEqual([{ title: 'A title from the heading', status: 'draft' }]);
  });
});
