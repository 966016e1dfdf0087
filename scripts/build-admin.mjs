// Builds the admin web app (admin/ → dist/admin) with Vite. With --if-stale, only when the
// build is missing or older than any of its sources: `npm start` runs it that way.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = path.join(root, 'dist/admin/index.html');

function newest(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(entry)) latest = Math.max(latest, newest(path.join(entry, name)));
  return latest;
}

const sources = ['admin', 'package-lock.json'].map((p) => path.join(root, p));
const stale = !existsSync(output) || Math.max(...sources.map(newest)) > statSync(output).mtimeMs;

if (process.argv.includes('--if-stale') && !stale) process.exit(0);
execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/vite/bin/vite.js'),
    'build',
    '--config',
    'admin/vite.config.ts',
    '--logLevel',
    'warn',
  ],
  // Always a production build: under a test runner NODE_ENV is "test", and Vite would
  // otherwise bundle React's development build, larger and slower.
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
);
