import type { Clock } from '../../../platform/clock.js';
import type { Db } from '../../../platform/db/index.js';
import { reservePace } from './send-pace.repository.js';

export interface SendPaceOptions {
  db: Db;
  clock: Clock;
  /** The transport's name: every process sending through it shares one pace. */
  transport: string;
  /** Messages per second, for all workers together. */
  rate: number;
  /** Waits; replaced in tests that run on a manual clock. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A rate (messages per second) honoured by every worker together. Each chunk reserves its
 * slice of time in the database before it goes out, and waits until that slice begins:
 * workers queue behind one another however many there are, with no burst beyond one chunk.
 */
export class SendPace {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SendPaceOptions) {
    if (!(options.rate > 0)) throw new Error('a send rate must be a positive number');
    this.sleep = options.sleep ?? realSleep;
  }

  /** Most messages one chunk should hold: about a second's worth. */
  chunkLimit(max: number): number {
    return Math.max(1, Math.min(max, Math.floor(this.options.rate)));
  }

  /** Resolves when `count` messages may go out. */
  async take(count: number): Promise<void> {
    const { db, clock, transport, rate } = this.options;
    const now = clock.now().getTime();
    const start = await reservePace(db, transport, now, (count * 1000) / rate);
    if (start > now) await this.sleep(start - now);
  }
}
