import type { Migration } from '../migrator.js';
import { initial } from './0001-initial.js';

/** Every migration, in order. Add new ones at the end; never edit a released one. */
export const migrations: readonly Migration[] = [initial];
