import type { Clock } from '../clock.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors.js';

export interface RateRule {
  /** What is limited, e.g. `signin:ip` */
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Fixed-window counters kept in the database, so the limit holds across every web process
 * sharing it (an in-memory counter would multiply the limit by the number of processes).
 */
export class RateLimiter {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** Counts one hit; returns whether it was within the limit. */
  async hit(
    rule: RateRule,
    subject: string,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const nowSec = Math.floor(this.deps.clock.now().getTime() / 1000);
    const windowStart = nowSec - (nowSec % rule.windowSeconds);
    const row = await this.deps.db
      .insertInto('rate_limits')
      .values({ key: `${rule.name}:${subject}`, window_start: windowStart, count: 1 })
      .onConflict((oc) =>
        oc
          .columns(['key', 'window_start'])
          .doUpdateSet((eb) => ({ count: eb('rate_limits.count', '+', 1) })),
      )
      .returning('count')
      .executeTakeFirstOrThrow();
    return {
      allowed: Number(row.count) <= rule.limit,
      retryAfterSeconds: windowStart + rule.windowSeconds - nowSec,
    };
  }

  /** Throws a 429 when over the limit. */
  async enforce(rule: RateRule, subject: string, message = 'Too many attempts. Try again later.') {
    const result = await this.hit(rule, subject);
    if (!result.allowed) {
      throw new AppError('rate_limited', `${message} (retry in ${result.retryAfterSeconds} s)`, {
        status: 429,
      });
    }
  }

  async reset(rule: RateRule, subject: string): Promise<void> {
    await this.deps.db
      .deleteFrom('rate_limits')
      .where('key', '=', `${rule.name}:${subject}`)
      .execute();
  }

  async purgeBefore(epochSeconds: number): Promise<void> {
    await this.deps.db.deleteFrom('rate_limits').where('window_start', '<', epochSeconds).execute();
  }
}
