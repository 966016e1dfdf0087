import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  engines,
  type TestDatabase,
} from '../../../../test/support/database.js';
import { doc, ManualClock, paragraph } from '../../../../test/support/fixtures.js';
import { systemClock } from '../../../platform/clock.js';
import type { OutgoingBulkMessage, SendResult } from '../transport/index.js';
import { SendPace } from './send-pace.js';
import { insertMembers, insertNewsletter, insertPost, sendsHarness } from './sends.fixtures.js';
import { NullTransport } from './index.js';

describe.each(engines)('the send rate on %s', (dialect) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('queues workers behind one another in the database, a second per `rate` messages', async () => {
    const clock = new ManualClock('2026-03-02T10:00:00.000Z');
    const waits: string[] = [];
    const pace = (name: string, transport = 'smtp') =>
      new SendPace({
        db: t.db,
        clock,
        transport,
        rate: 10,
        sleep: async (ms) => {
          waits.push(`${name}:${ms}`);
        },
      });
    // Two workers' paces: separate objects, one row between them.
    const a = pace('a');
    const b = pace('b');
    await a.take(10); // 0–1 s: goes now
    await b.take(10); // 1–2 s
    await a.take(5); // 2–2.5 s
    expect(waits).toEqual(['b:1000', 'a:2000']);

    // Another transport has its own pace.
    await pace('c', 'postmark').take(10);
    expect(waits).toHaveLength(2);

    // Time that passed unused is not saved up for a burst later.
    clock.advance(60_000);
    await b.take(10);
    await a.take(10);
    expect(waits).toEqual(['b:1000', 'a:2000', 'a:1000']);
  });

  it('holds a send shared by two workers to the rate in real time', async () => {
    const calls: number[] = [];
    class TimedTransport extends NullTransport {
      override send(messages: OutgoingBulkMessage[]): Promise<SendResult[]> {
        calls.push(Date.now());
        return super.send(messages);
      }
    }
    // Each worker process has its own transport and service; the database is shared.
    const firstTransport = new TimedTransport(500);
    const first = sendsHarness(t.db, dialect, systemClock, firstTransport, {
      rate: 100,
      batchSize: 100,
    });
    const second = sendsHarness(t.db, dialect, systemClock, new TimedTransport(500), {
      rate: 100,
      batchSize: 100,
    });
    const newsletter = await insertNewsletter(t.db);
    await insertMembers(
      t.db,
      Array.from({ length: 300 }, (_, i) => ({
        email: `r${i}@example.com`,
        newsletters: [newsletter.id],
      })),
    );
    const postId = await insertPost(t.db, { title: 'Paced', body: doc(paragraph('Hello.')) });

    const started = Date.now();
    const send = await first.sends.createSend({
      postId,
      newsletterId: newsletter.id,
      segment: 'all',
    });
    const workers = [first.worker(), second.worker({ sends: second.sends })];
    await Promise.all(workers.map(async (w) => w.drain()));
    await Promise.all(workers.map(async (w) => w.drain()));
    const elapsed = Date.now() - started;

    expect((await first.sends.progress(send.id)).sent).toBe(300);
    // Three chunks of 100 at 100 a second: the last cannot start before two seconds in.
    // (The gaps between calls are looser than a second: each chunk's database writes come
    // between its reserved start and the call, and take longer for some than others.)
    expect(calls).toHaveLength(3);
    const sorted = [...calls].sort((x, y) => x - y);
    expect(sorted[1]! - sorted[0]!).toBeGreaterThanOrEqual(700);
    expect(sorted[2]! - sorted[1]!).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeGreaterThanOrEqual(2000);
  });
});
