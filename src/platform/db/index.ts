export { openDatabase, ping } from './database.js';
export type { Db, Dialect, DatabaseHandle } from './database.js';
export { migrate } from './migrator.js';
export type { Migration } from './migrator.js';
export { migrations } from './migrations/index.js';
export type * from './schema.js';
