/**
 * Child process of bench/send.ts, run as compiled JavaScript under plain `node`, so that the
 * memory measured is the pipeline's and not a TypeScript loader's. One measured part on a
 * database the parent seeded:
 *
 * - `--part=smtp`: starts the SMTP sink (`send-sink.ts`, a process of its own), sends the post
 *   through SendsService + JobWorker + `createSmtpTransport`, then the bare nodemailer baseline
 *   to the same sink: `--workers` loops handing the pool `maxBatch` messages at a time, as the
 *   pipeline's jobs hand the transport one chunk each.
 * - `--part=null`: the same send through `NullTransport` (answering on the next turn of the
 *   event loop, as a transport that waits for a network would), `--max-batch` messages a call
 *   if given.
 *
 * Progress goes to stdout; the result is the last line, `PART {json}`.
 *
 *   node --expose-gc send-part.js --part=smtp|null --db=<file> --newsletter=<id> --post=<id>
 *        --members=N --workers=N --connections=N [--max-batch=N]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { NullTransport, registerEmailSendJobs } from '../src/modules/email/sends/index.js';
import { logger, sendsHarness } from '../src/modules/email/sends/sends.fixtures.js';
import {
  createSmtpTransport,
  type EmailTransport,
  type OutgoingBulkMessage,
  type SendResult,
} from '../src/modules/email/transport/index.js';
import { systemClock } from '../src/platform/clock.js';
import { openDatabase, type Db } from '../src/platform/db/index.js';
import { JobWorker } from '../src/platform/jobs/index.js';
import type { SinkCommand, SinkMessage } from './send-sink.js';
import { highWaterMark, option, resetHighWaterMark } from './support.js';

const HOST = '127.0.0.1';
const MB = 1024 * 1024;

export interface SendRun {
  seconds: number;
  snapshotSeconds: number;
  sent: number;
  failed: number;
  total: number;
  status: string;
  /** CPU time of this process (all threads) during the send. */
  cpuSeconds: number;
  /** Highest RSS from the send's start to its end: the kernel's high-water mark. */
  peak: number;
  /** `process.memoryUsage()` at the highest 50 ms sample. */
  atPeak: NodeJS.MemoryUsage;
  /** RSS just before the send, after a full collection. */
  before: number;
  /** Heap in use after a full collection once the send is over: what the send left behind. */
  heapAfter: number;
  /** RSS every 5 s, MB: whether memory stays flat. */
  rssTrail: number[];
}

export interface SmtpPartResult {
  part: 'smtp';
  pipeline: SendRun;
  maxBatch: number;
  sinkReceived: number;
  sinkBytes: number;
  sinkCpuSeconds: number;
  baseline: { seconds: number; sent: number; failed: number; cpuSeconds: number };
  baselineReceived: number;
  baselineBytes: number;
}

export interface NullPartResult {
  part: 'null';
  pipeline: SendRun;
  accepted: number;
}

export type PartResult = SmtpPartResult | NullPartResult;

function text(name: string): string {
  const prefix = `--${name}=`;
  const arg = process.argv.slice(2).find((a) => a.startsWith(prefix));
  if (arg === undefined) throw new Error(`--${name} is required`);
  return arg.slice(prefix.length);
}

// Started with --expose-gc by the parent: a full collection before each measurement, so that
// garbage left by the set-up is not counted as the send's.
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** RSS sampled every 50 ms from now on; `stop` gives the peak (kernel high-water included). */
function memorySampler() {
  collectGarbage();
  resetHighWaterMark();
  // The cheap RSS read on every sample; the full breakdown only at a new high.
  let peak = process.memoryUsage.rss();
  let atPeak = process.memoryUsage();
  const before = peak;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) {
      peak = rss;
      atPeak = process.memoryUsage();
    }
  }, 50);
  return {
    before,
    stop() {
      clearInterval(timer);
      return { peak: Math.max(peak, highWaterMark() ?? 0), atPeak };
    },
  };
}

/** Sends the post to every subscriber through SendsService and a JobWorker; waits for the end. */
async function runSend(db: Db, transport: EmailTransport, label: string): Promise<SendRun> {
  const { jobs, sends } = sendsHarness(db, 'sqlite', systemClock, transport);
  const worker = new JobWorker({
    db,
    dialect: 'sqlite',
    clock: systemClock,
    logger,
    queue: jobs,
    concurrency: option('workers', 4),
    pollIntervalMs: 100,
    retry: { baseDelayMs: 1000, maxDelayMs: 5000 },
  });
  registerEmailSendJobs(worker, sends);

  const memory = memorySampler();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  worker.start();
  const { id } = await sends.createSend({
    postId: text('post'),
    newsletterId: text('newsletter'),
    segment: 'all',
  });
  const snapshotSeconds = (performance.now() - started) / 1000;

  // Only the counters: `progress()` reads the whole row, frozen email included, and at 20
  // reads a second that would be the benchmark's garbage, not the pipeline's.
  const counters = () =>
    db
      .selectFrom('email_sends')
      .select(['status', 'sent', 'failed', 'total'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  let progress = await counters();
  const rssTrail: number[] = [];
  let lastReport = performance.now();
  while (progress.status === 'sending' || progress.status === 'scheduled') {
    await new Promise((r) => setTimeout(r, 50));
    progress = await counters();
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      const rss = process.memoryUsage.rss() / MB;
      rssTrail.push(Math.round(rss));
      const s = (lastReport - started) / 1000;
      console.log(
        `${label}: ${progress.sent.toLocaleString('en')} / ${progress.total.toLocaleString('en')} sent (${s.toFixed(1)} s, RSS ${rss.toFixed(0)} MB)`,
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const { peak, atPeak } = memory.stop();
  await worker.stop(1000);
  collectGarbage();
  return {
    seconds,
    snapshotSeconds,
    sent: progress.sent,
    failed: progress.failed,
    total: progress.total,
    status: progress.status,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peak,
    atPeak,
    before: memory.before,
    heapAfter: process.memoryUsage().heapUsed,
    rssTrail,
  };
}

// --- the sink ----------------------------------------------------------------------------

let sinkProc: ChildProcess | undefined;

function nextSinkMessage<T extends SinkMessage['type']>(
  proc: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<SinkMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: SinkMessage) => {
      if (m.type !== type) return;
      done();
      resolve(m as Extract<SinkMessage, { type: T }>);
    };
    const onExit = () => {
      done();
      reject(new Error('the SMTP sink exited'));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${type} from the SMTP sink within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
    };
    proc.on('message', onMessage);
    proc.once('exit', onExit);
  });
}

/** The sink, compiled beside this file, in a process of its own. */
async function startSink() {
  const proc = fork(fileURLToPath(new URL('./send-sink.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  sinkProc = proc;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const { port } = await nextSinkMessage(proc, 'ready', 30_000);
  const command = (c: SinkCommand) => proc.send(c);
  return {
    port,
    stats() {
      const reply = nextSinkMessage(proc, 'stats', 5000);
      command({ type: 'stats' });
      return reply;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) command({ type: 'shutdown' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// --- the baseline ------------------------------------------------------------------------

/** Bare nodemailer pool: `workers` loops, each sending `chunk` messages at a time. */
async function runBaseline(
  port: number,
  sample: OutgoingBulkMessage,
  n: number,
  chunk: number,
): Promise<SmtpPartResult['baseline']> {
  const transporter = nodemailer.createTransport({
    host: HOST,
    port,
    pool: true,
    maxConnections: option('connections', 5),
  });
  let next = 0;
  let sent = 0;
  let failed = 0;
  const loop = async () => {
    while (next < n) {
      const from = next;
      const to = Math.min(n, from + chunk);
      next = to;
      const settled = await Promise.allSettled(
        Array.from({ length: to - from }, (_, k) => {
          const address = `baseline${from + k}@bench.example`;
          return transporter.sendMail({
            from: sample.from,
            to: address,
            subject: sample.subject,
            html: sample.html,
            text: sample.text,
            headers: sample.headers,
            messageId: `<baseline.${from + k}@bench.example>`,
            envelope: { from: sample.envelopeFrom, to: [address] },
          });
        }),
      );
      for (const s of settled) {
        if (s.status === 'fulfilled') sent++;
        else failed++;
      }
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: option('workers', 4) }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  transporter.close();
  return { seconds, sent, failed, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

// --- the parts ---------------------------------------------------------------------------

/** `--max-batch=N`, when given: the transport's own default otherwise. */
const maxBatchOption = (): number | undefined =>
  process.argv.some((a) => a.startsWith('--max-batch=')) ? option('max-batch', 1) : undefined;

async function smtpPart(db: Db): Promise<SmtpPartResult> {
  const sink = await startSink();
  console.log(`SMTP sink (child process) on ${HOST}:${sink.port}`);
  const smtp = createSmtpTransport({
    connection: { host: HOST, port: sink.port },
    concurrency: option('connections', 5),
    maxBatch: maxBatchOption(),
  });
  let sample: OutgoingBulkMessage | undefined;
  const tapped: EmailTransport = {
    name: smtp.name,
    maxBatch: smtp.maxBatch,
    concurrency: smtp.concurrency,
    send(messages) {
      sample ??= messages[0];
      return smtp.send(messages);
    },
    close: () => smtp.close(),
  };
  console.log(`sending through the pipeline (SMTP, maxBatch ${smtp.maxBatch})…`);
  const s0 = await sink.stats();
  const pipeline = await runSend(db, tapped, 'smtp');
  await smtp.close();
  const s1 = await sink.stats();
  if (sample === undefined) throw new Error('the pipeline sent nothing');

  console.log('sending the baseline (bare nodemailer pool)…');
  const baseline = await runBaseline(sink.port, sample, option('members', 20_000), smtp.maxBatch);
  const s2 = await sink.stats();
  await sink.stop();
  return {
    part: 'smtp',
    pipeline,
    maxBatch: smtp.maxBatch,
    sinkReceived: s1.received - s0.received,
    sinkBytes: s1.bytes - s0.bytes,
    sinkCpuSeconds: (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1e6,
    baseline,
    baselineReceived: s2.received - s1.received,
    baselineBytes: s2.bytes - s1.bytes,
  };
}

/**
 * NullTransport answers at once and SQLite synchronously, so batch jobs would run back to back
 * without ever giving timers a turn: no memory samples, no progress until the end. A real
 * transport waits for the network; this one waits for the next turn of the event loop.
 */
class YieldingNullTransport extends NullTransport {
  override async send(messages: OutgoingBulkMessage[]): Promise<SendResult[]> {
    await new Promise((resolve) => setImmediate(resolve));
    return super.send(messages);
  }
}

async function nullPart(db: Db): Promise<NullPartResult> {
  const transport = new YieldingNullTransport(maxBatchOption());
  console.log('sending through the pipeline (NullTransport)…');
  const pipeline = await runSend(db, transport, 'null');
  return { part: 'null', pipeline, accepted: transport.accepted };
}

let code = 1;
try {
  const handle = await openDatabase({ dialect: 'sqlite', file: text('db') });
  const result = text('part') === 'smtp' ? await smtpPart(handle.db) : await nullPart(handle.db);
  await handle.destroy();
  console.log(`PART ${JSON.stringify(result)}`);
  code = 0;
} catch (error) {
  console.error(error);
} finally {
  if (sinkProc && sinkProc.exitCode === null && sinkProc.signalCode === null) {
    sinkProc.kill('SIGKILL');
  }
}
// Bounded: nothing left open (pool sockets, timers) may keep the benchmark alive.
process.exit(code);
