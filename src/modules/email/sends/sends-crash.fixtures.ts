import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

/** What the sink knows of one delivered message (one envelope recipient). */
export interface SinkDelivery {
  to: string;
  /** The SMTP user the message came in as: the worker process's label. */
  worker: string;
  /** Recipients received so far, this one included. */
  received: number;
}

/**
 * A real SMTP server on loopback that only counts: 20,000 messages parsed with mailparser
 * would cost more than the send under test. Each worker process logs in as its own user, so
 * every delivery says which process made it.
 *
 * `holdWhen` freezes the sink at a chosen delivery: from the first one that matches, no DATA
 * is answered until `release`. Whatever the frozen worker has in flight then stays in flight,
 * which is where a kill has to land to test anything; and a message whose DATA arrived but
 * was never answered is, for the sender, one that may or may not have gone.
 */
export async function startCountingSink() {
  const counts = new Map<string, number>();
  let received = 0;
  let trigger:
    { match: (d: SinkDelivery) => boolean; resolve: (d: SinkDelivery) => void } | undefined;
  let held: (() => void)[] | undefined;

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    closeTimeout: 1000,
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      // A killed client leaves its message unfinished: that one did not arrive.
      stream.on('error', () => undefined);
      stream.resume();
      stream.on('end', () => {
        const worker = typeof session.user === 'string' ? session.user : '';
        for (const rcpt of session.envelope.rcptTo) {
          received++;
          counts.set(rcpt.address, (counts.get(rcpt.address) ?? 0) + 1);
          const delivery = { to: rcpt.address, worker, received };
          if (trigger?.match(delivery)) {
            held ??= [];
            trigger.resolve(delivery);
            trigger = undefined;
          }
        }
        if (held) held.push(() => callback());
        else callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    /** The SMTP_URL for a worker process with this label. */
    urlFor: (worker: string) => `smtp://${worker}:secret@127.0.0.1:${port}`,
    get received() {
      return received;
    },
    counts: counts as ReadonlyMap<string, number>,
    /** Resolves at the first delivery that matches, with the sink frozen from then on. */
    holdWhen(match: (d: SinkDelivery) => boolean): Promise<SinkDelivery> {
      if (trigger || held) throw new Error('the sink is already waiting or holding');
      return new Promise((resolve) => {
        trigger = { match, resolve };
      });
    },
    /** Answers every DATA held back, and answers the next ones at once. */
    release(): void {
      const callbacks = held ?? [];
      held = undefined;
      trigger = undefined;
      for (const answer of callbacks) answer();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type CountingSink = Awaited<ReturnType<typeof startCountingSink>>;

const ROOT = path.resolve(import.meta.dirname, '../../../..');

/**
 * Loaded before the CLI in each worker: a worker outlives a test runner killed without its
 * hooks running (it only stops on a signal), so it dies when its parent's IPC channel goes.
 * The unref keeps the channel from holding a worker that shuts down on SIGTERM.
 */
const DIE_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  "process.channel?.unref(); process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));",
)}`;

export interface WorkerProcess {
  readonly label: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the test asked it to stop (an exit without that is a failure). */
  stopping: boolean;
  alive(): boolean;
  output(): string;
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * The `pressroom worker` processes of one test, each a real CLI run (`src/main.ts worker`).
 * Tracks every one it started so that none outlives the test, and turns a worker that dies
 * on its own into a failure rather than a wait until the deadline.
 */
export class WorkerFleet {
  readonly all: WorkerProcess[] = [];
  private failure: ((error: Error) => void) | undefined;
  /** Rejects as soon as a worker exits without having been told to. */
  readonly failed = new Promise<never>((_resolve, reject) => {
    this.failure = reject;
  });

  constructor(
    private readonly env: Record<string, string>,
    private readonly sink: CountingSink,
  ) {
    // Nobody may be awaiting it when a worker dies; the next wait sees the rejection.
    this.failed.catch(() => undefined);
  }

  spawn(label: string, concurrency: number): WorkerProcess {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', DIE_WITH_PARENT, 'src/main.ts', 'worker'],
      {
        cwd: ROOT,
        env: {
          ...this.env,
          SMTP_URL: this.sink.urlFor(label),
          PRESSROOM_WORKER_CONCURRENCY: String(concurrency),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    if (child.pid === undefined) throw new Error(`worker ${label} could not be started`);
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const worker: WorkerProcess = {
      label,
      pid: child.pid,
      concurrency,
      child,
      stopping: false,
      exited: new Promise((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      ),
      alive: () => child.exitCode === null && child.signalCode === null,
      output: () => output,
    };
    void worker.exited.then(({ code, signal }) => {
      if (!worker.stopping) {
        this.failure?.(
          new Error(
            `worker ${label} exited by itself (code ${code}, signal ${signal}):\n${output}`,
          ),
        );
      }
    });
    this.all.push(worker);
    return worker;
  }

  async kill(worker: WorkerProcess): Promise<void> {
    worker.stopping = true;
    if (worker.alive()) worker.child.kill('SIGKILL');
    await worker.exited;
  }

  /** SIGTERM, so each worker finishes or hands back its jobs; SIGKILL after `graceMs`. */
  async stopAll(graceMs = 15_000): Promise<void> {
    await Promise.all(
      this.all
        .filter((w) => w.alive())
        .map(async (w) => {
          w.stopping = true;
          w.child.kill('SIGTERM');
          const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
          await w.exited;
          clearTimeout(timer);
        }),
    );
  }

  async killAll(): Promise<void> {
    await Promise.all(this.all.map((w) => this.kill(w)));
  }

  /** Every worker's output, for failure messages. */
  logs(): string {
    return this.all
      .map((w) => `--- worker ${w.label} (pid ${w.pid}) ---\n${w.output() || '(no output)'}`)
      .join('\n');
  }

  /**
   * `promise`, unless a worker dies first or the sink receives nothing for `stallMs`. A stall,
   * not a deadline: how long a send takes depends on the machine, a stuck one does not.
   */
  async within<T>(promise: Promise<T>, what: string, stallMs = 45_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_resolve, reject) => {
      let seen = this.sink.received;
      let since = Date.now();
      timer = setInterval(() => {
        if (this.sink.received !== seen) {
          seen = this.sink.received;
          since = Date.now();
        } else if (Date.now() - since > stallMs) {
          reject(new Error(`${what}: nothing received for ${stallMs / 1000} s (${seen} so far)`));
        }
      }, 1000);
    });
    try {
      return await Promise.race([promise, stalled, this.failed]);
    } finally {
      clearInterval(timer);
    }
  }
}
