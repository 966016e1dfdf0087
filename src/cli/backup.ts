import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { AppError } from '../platform/errors.js';

/**
 * SQLite's online backup API copies a consistent snapshot page by page while the server
 * keeps running and writing (WAL mode), unlike copying the file, which can tear.
 */
export async function backup(databaseFile: string, target: string): Promise<number> {
  if (!existsSync(databaseFile))
    throw new AppError('no_database', `No database at ${databaseFile}`);
  const destination = path.resolve(target);
  if (existsSync(destination))
    throw new AppError('exists', `${target} already exists; choose a new file`);
  const source = new SQLite(databaseFile, { readonly: true, fileMustExist: true });
  try {
    await source.backup(destination);
  } finally {
    source.close();
  }
  return statSync(destination).size;
}
