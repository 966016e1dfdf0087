import { randomUUID } from 'node:crypto';
import { readState, writeState } from '../app-state.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../logger.js';

const KEY = 'content_version';

/**
 * Tells every process sharing the database that published content changed, so each can
 * drop its in-memory page cache. The writer's own process clears at once; the others
 * notice within one poll interval (a single indexed read), which is how stale a page on
 * another web process can be.
 */
export class ContentVersion {
  private seen: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { db: Db; logger: Logger; pollMs: number }) {}

  async bump(): Promise<void> {
    this.seen = randomUUID();
    await writeState(this.deps.db, KEY, this.seen);
  }

  async start(onExternalChange: () => void): Promise<void> {
    this.seen = await readState(this.deps.db, KEY);
    this.timer = setInterval(() => {
      readState(this.deps.db, KEY)
        .then((value) => {
          if (value !== this.seen) {
            this.seen = value;
            onExternalChange();
          }
        })
        .catch((error: unknown) =>
          this.deps.logger.warn({ err: error }, 'content version poll failed'),
        );
    }, this.deps.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
