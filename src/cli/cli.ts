import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createPressroom, type Pressroom } from '../app.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { migrate, migrations, openDatabase } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { backup } from './backup.js';
import { readPassword } from './password-prompt.js';
import { serve, runWorker } from './serve.js';

const USAGE = `Usage: pressroom <command> [options]

Commands:
  serve                         Web server with an in-process job worker (--no-worker: web only)
  worker                        Background jobs only (scale these separately on PostgreSQL)
  migrate                       Apply pending database migrations
  create-owner --email E --name N [--password-stdin]
                                Create the owner account (asks for the password)
  token create --name N [--email E]
                                Print a new staff API token once (acts as E, default the owner)
  post import FILE.md [--publish] [--tags a,b]
                                Import a Markdown file with YAML front matter as a post
  backup FILE                   Consistent snapshot of the SQLite database into FILE

Configuration comes from the environment; see README.md.`;

/** Every command opens what it needs, does one thing, and returns an exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(loadConfig(), { worker: !rest.includes('--no-worker') });
      case 'worker':
        return await runWorker(loadConfig());
      case 'migrate':
        return await migrateCommand();
      case 'create-owner':
        return await createOwner(rest);
      case 'token':
        return await tokenCommand(rest);
      case 'post':
        return await postCommand(rest);
      case 'backup':
        return await backupCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 1 : 0;
      default:
        console.error(`pressroom: unknown command "${command}"\n\n${USAGE}`);
        return 1;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AppError) {
      console.error(`pressroom: ${error.message}`);
      return 1;
    }
    if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`pressroom: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

async function withApp<T>(fn: (p: Pressroom) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const pressroom = await createPressroom({ config });
  try {
    return await fn(pressroom);
  } finally {
    await pressroom.close();
  }
}

async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  const handle = await openDatabase(config.database);
  try {
    const applied = await migrate(handle.db as never, handle.dialect, migrations);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    return 0;
  } finally {
    await handle.destroy();
  }
}

async function createOwner(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
  if (!values.email || !values.name)
    throw new AppError('usage', 'create-owner needs --email and --name');
  const password = await readPassword(values['password-stdin'] === true);
  return withApp(async ({ services }) => {
    const owner = await services.staff.createOwner({
      email: values.email!,
      name: values.name!,
      password,
    });
    console.log(`Owner created: ${owner.name} <${owner.email}>. Sign in at /admin/signin.`);
    return 0;
  });
}

async function tokenCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create')
    throw new AppError('usage', 'Usage: pressroom token create --name N [--email E]');
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, email: { type: 'string' } },
  });
  if (!values.name) throw new AppError('usage', 'token create needs --name');
  return withApp(async ({ services }) => {
    const staffId = values.email
      ? (await services.staff.resolveRefs([values.email]))[0]
      : undefined;
    const created = await services.staff.createApiToken({
      name: values.name!,
      ...(staffId ? { staffId } : {}),
    });
    console.error(
      `API token "${values.name}" created for ${created.staff.email}. It is shown once; store it now:`,
    );
    console.log(created.token);
    return 0;
  });
}

async function postCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'import')
    throw new AppError('usage', 'Usage: pressroom post import FILE.md [--publish] [--tags a,b]');
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { publish: { type: 'boolean' }, tags: { type: 'string' }, email: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new AppError('usage', 'post import needs a FILE.md');
  const source = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new AppError('file_unreadable', `Cannot read ${file}: ${e.code ?? e.message}`);
  });
  return withApp(async ({ services }) => {
    const ref =
      values.email ?? (await services.staff.list()).find((s) => s.role === 'owner')?.email;
    if (!ref)
      throw new AppError(
        'no_owner',
        'Create the owner first: pressroom create-owner --email E --name N',
      );
    const actorId = (await services.staff.resolveRefs([ref]))[0]!;
    const actor = await services.staff.get(actorId);
    try {
      const post = await services.posts.importMarkdown(actor, source, {
        publish: values.publish === true,
        tags: values.tags
          ? values.tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : [],
      });
      console.log(`Imported "${post.title}" as ${post.status} at /p/${post.slug}`);
      return 0;
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.code, `${file}: ${error.message}`);
      throw error;
    }
  });
}

async function backupCommand(args: string[]): Promise<number> {
  const file = args[0];
  if (!file) throw new AppError('usage', 'Usage: pressroom backup FILE');
  const config = loadConfig();
  if (config.database.dialect === 'postgres') {
    console.error(
      'pressroom: on PostgreSQL, back up with pg_dump, which takes a consistent snapshot while Pressroom runs:\n' +
        `  pg_dump --format=custom --file=${JSON.stringify(file)} "$DATABASE_URL"\n` +
        'Restore with pg_restore --clean --dbname "$DATABASE_URL" FILE. Also copy PRESSROOM_DATA_DIR (uploaded files).',
    );
    return 2;
  }
  const bytes = await backup(config.database.file, file);
  console.log(`Backed up ${config.database.file} to ${file} (${Math.round(bytes / 1024)} KB).`);
  return 0;
}
