/**
 * Newsletter send benchmark: one long post sent to every subscriber of a newsletter through the
 * real pipeline (SendsService snapshot → batch jobs → JobWorker → SMTP transport), against a
 * bare nodemailer pooled loop sending the same number of pre-rendered messages to the same sink.
 *
 *   npm run bench:send [-- --members=20000 --null-members=1000000 --workers=4 --connections=5
 *                           --keep]
 *
 * 1. A fresh, migrated SQLite database in a temporary directory; `--members` members subscribed
 *    to one newsletter (multi-row inserts in transactions) and the post from
 *    `bench/long-post.ts` (about 20 KB of HTML once rendered as email).
 * 2. An SMTP sink on 127.0.0.1 that drains and discards each message (`bench/send-sink.ts`, a
 *    child process, so its CPU time is not spent inside the measured process).
 * 3. The send through `SendsService` + a `JobWorker` (`--workers` jobs at once) +
 *    `createSmtpTransport` (`--connections` pooled connections); messages/s from `createSend`
 *    (snapshot included) to the last recipient recorded, and peak RSS, sampled every 50 ms and
 *    read from the kernel's high-water mark (reset just before the send).
 * 4. The baseline: nodemailer's pool with the same number of connections, `--workers` loops
 *    each handing it 100 messages at a time (as the pipeline's jobs hand the transport a chunk
 *    of `maxBatch`), the same message as the pipeline's first, to as many recipients.
 * 5. The same send through `NullTransport` to `--null-members` members (a second database):
 *    the pipeline's own rate, and whether memory stays flat. Peak RSS of the send only.
 *
 * Targets: ratio ≥ 0.8, peak RSS < 300 MB in both sends. The last line is machine-readable:
 *   RESULT recipients=… msgs_per_s=… baseline_msgs_per_s=… ratio=… peak_rss_mb=…
 *          null_1m_msgs_per_s=… null_1m_peak_rss_mb=…
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import SQLite from 'better-sqlite3';
import nodemailer from 'nodemailer';
import {
  insertNewsletter,
  insertPost,
  logger,
  sendsHarness,
} from '../src/modules/email/sends/sends.fixtures.js';
import { NullTransport, registerEmailSendJobs } from '../src/modules/email/sends/index.js';
import {
  createSmtpTransport,
  type EmailTransport,
  type OutgoingBulkMessage,
} from '../src/modules/email/transport/index.js';
import { parseMarkdownPost } from '../src/modules/posts/document/index.js';
import { systemClock } from '../src/platform/clock.js';
import { migrate, migrations, openDatabase, type Db } from '../src/platform/db/index.js';
import { JobWorker } from '../src/platform/jobs/index.js';
import { longPostMarkdown } from './long-post.js';
import type { SinkCommand, SinkMessage } from './send-sink.js';
import { highWaterMark, option, resetHighWaterMark } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const MB = 1024 * 1024;

const MEMBERS = option('members', 20_000);
const NULL_MEMBERS = option('null-members', 1_000_000);
const WORKERS = option('workers', 4);
const CONNECTIONS = option('connections', 5);
const KEEP = process.argv.includes('--keep');
/** Messages the baseline hands nodemailer at once per loop: the SMTP transport's maxBatch. */
const BASELINE_CHUNK = 100;

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const mb = (bytes: number) => bytes / MB;

// --- memory ------------------------------------------------------------------------------

// A full collection before each measured part, so that garbage left by the previous part (or
// by the setup) is not counted as the next one's: `tsx` gives no way to pass --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Where the memory was at the highest RSS sample. */
type MemoryAtPeak = NodeJS.MemoryUsage;

/** Samples RSS every 50 ms from now on; `stop` returns the peak (kernel high-water included). */
function memorySampler(): { before: number; stop(): { peak: number; atPeak: MemoryAtPeak } } {
  collectGarbage();
  resetHighWaterMark();
  let atPeak = process.memoryUsage();
  const before = atPeak.rss;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss > atPeak.rss) atPeak = now;
  }, 50);
  return {
    before,
    stop() {
      clearInterval(timer);
      return { peak: Math.max(atPeak.rss, highWaterMark() ?? 0), atPeak };
    },
  };
}

const breakdown = (m: MemoryAtPeak) =>
  `heap ${fmt(mb(m.heapUsed))}/${fmt(mb(m.heapTotal))} MB, external ${fmt(mb(m.external))} MB`;

// --- clean-up ----------------------------------------------------------------------------

// The null-send child makes its directory inside the parent's, so the parent's clean-up removes
// it even if the child had to be killed.
const tempDir = mkdtempSync(
  path.join(process.env.PRESSROOM_BENCH_SEND_DIR ?? tmpdir(), 'pressroom-bench-send-'),
);
let sinkProc: ChildProcess | undefined;
let nullProc: ChildProcess | undefined;
let cleanedUp = false;

function killSink(): void {
  if (sinkProc && sinkProc.exitCode === null && sinkProc.signalCode === null)
    sinkProc.kill('SIGKILL');
}

function emergencyCleanUp(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  killSink();
  if (nullProc && nullProc.exitCode === null && nullProc.signalCode === null)
    nullProc.kill('SIGKILL');
  if (KEEP) console.error(`kept ${tempDir}`);
  else rmSync(tempDir, { recursive: true, force: true });
}

process.once('SIGINT', () => {
  emergencyCleanUp();
  process.exit(130);
});
process.once('SIGTERM', () => {
  emergencyCleanUp();
  process.exit(143);
});
process.once('exit', emergencyCleanUp);

// --- the sink ----------------------------------------------------------------------------

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

async function startSink(): Promise<{
  port: number;
  stats(): Promise<Extract<SinkMessage, { type: 'stats' }>>;
  stop(): Promise<void>;
}> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/send-sink.ts')], {
    cwd: ROOT,
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
      const timer = setTimeout(killSink, 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// --- data --------------------------------------------------------------------------------

const AT = '2026-01-01T00:00:00.000Z';
/** Rows per INSERT statement and per transaction. */
const ROWS_PER_INSERT = 500;
const ROWS_PER_TRANSACTION = 50_000;

/**
 * Members `0 … n-1`, subscribed to the newsletter: multi-row prepared inserts, committed every
 * 50,000 rows, on a connection of its own (the schema is already migrated). Ids sort in insertion
 * order, so the primary-key index is appended to, as with time-ordered ids.
 */
function insertMembers(file: string, newsletterId: string, n: number, label: string): number {
  const started = performance.now();
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  const memberSql = (k: number) =>
    `INSERT INTO members (id, email, name, status, source, confirmed_at, created_at, updated_at) VALUES ${Array.from({ length: k }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
  const linkSql = (k: number) =>
    `INSERT INTO member_newsletters (member_id, newsletter_id, created_at) VALUES ${Array.from({ length: k }, () => '(?, ?, ?)').join(', ')}`;
  const full = {
    members: raw.prepare(memberSql(ROWS_PER_INSERT)),
    links: raw.prepare(linkSql(ROWS_PER_INSERT)),
  };

  const insertRange = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += ROWS_PER_INSERT) {
      const k = Math.min(ROWS_PER_INSERT, to - i);
      const members: (string | null)[] = [];
      const links: string[] = [];
      for (let j = i; j < i + k; j++) {
        const id = `m${String(j).padStart(9, '0')}`;
        members.push(id, `reader${j}@bench.example`, `Reader ${j}`, 'free', 'import', AT, AT, AT);
        links.push(id, newsletterId, AT);
      }
      const statements =
        k === ROWS_PER_INSERT
          ? full
          : { members: raw.prepare(memberSql(k)), links: raw.prepare(linkSql(k)) };
      statements.members.run(members);
      statements.links.run(links);
    }
  });

  let lastReport = performance.now();
  for (let from = 0; from < n; from += ROWS_PER_TRANSACTION) {
    const to = Math.min(n, from + ROWS_PER_TRANSACTION);
    insertRange(from, to);
    if (performance.now() - lastReport > 2000 || to === n) {
      lastReport = performance.now();
      const s = (lastReport - started) / 1000;
      console.log(
        `  ${label}: ${to.toLocaleString('en')} / ${n.toLocaleString('en')} members (${s.toFixed(1)} s)`,
      );
    }
  }
  raw.close();
  return (performance.now() - started) / 1000;
}

async function prepareDatabase(file: string, members: number, label: string) {
  const handle = await openDatabase({ dialect: 'sqlite', file });
  const { db } = handle;
  await migrate(db as never, 'sqlite', migrations);
  const newsletter = await insertNewsletter(db, 'weekly');
  const seconds = insertMembers(file, newsletter.id, members, label);
  const { frontMatter, document } = parseMarkdownPost(longPostMarkdown('reading-the-transcript'));
  const postId = await insertPost(db, {
    title: frontMatter.title ?? 'Reading the transcript',
    body: document,
  });
  return { handle, newsletterId: newsletter.id, postId, seconds };
}

// --- the pipeline ------------------------------------------------------------------------

interface SendRun {
  seconds: number;
  snapshotSeconds: number;
  sent: number;
  failed: number;
  total: number;
  status: string;
  peak: number;
  atPeak: MemoryAtPeak;
  before: number;
}

/** Sends the post to every subscriber through SendsService and a JobWorker; waits for the end. */
async function runSend(
  db: Db,
  transport: EmailTransport,
  ids: { newsletterId: string; postId: string },
  label: string,
): Promise<SendRun> {
  const { jobs, sends } = sendsHarness(db, 'sqlite', systemClock, transport);
  const worker = new JobWorker({
    db,
    dialect: 'sqlite',
    clock: systemClock,
    logger,
    queue: jobs,
    concurrency: WORKERS,
    pollIntervalMs: 100,
    retry: { baseDelayMs: 1000, maxDelayMs: 5000 },
  });
  registerEmailSendJobs(worker, sends);

  const memory = memorySampler();
  const started = performance.now();
  worker.start();
  const { id } = await sends.createSend({
    postId: ids.postId,
    newsletterId: ids.newsletterId,
    segment: 'all',
  });
  const snapshotSeconds = (performance.now() - started) / 1000;

  let progress = await sends.progress(id);
  let lastReport = performance.now();
  while (progress.status === 'sending' || progress.status === 'scheduled') {
    await new Promise((r) => setTimeout(r, 50));
    progress = await sends.progress(id);
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      const s = (lastReport - started) / 1000;
      console.log(
        `  ${label}: ${progress.sent.toLocaleString('en')} / ${progress.total.toLocaleString('en')} sent (${s.toFixed(1)} s, RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MB)`,
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const { peak, atPeak } = memory.stop();
  await worker.stop(1000);
  return {
    seconds,
    snapshotSeconds,
    sent: progress.sent,
    failed: progress.failed,
    total: progress.total,
    status: progress.status,
    peak,
    atPeak,
    before: memory.before,
  };
}

// --- the baseline ------------------------------------------------------------------------

/** Bare nodemailer pool: `WORKERS` loops, each sending `BASELINE_CHUNK` messages at a time. */
async function runBaseline(
  port: number,
  sample: OutgoingBulkMessage,
  n: number,
): Promise<{ seconds: number; sent: number; failed: number }> {
  const transporter = nodemailer.createTransport({
    host: HOST,
    port,
    pool: true,
    maxConnections: CONNECTIONS,
  });
  let next = 0;
  let sent = 0;
  let failed = 0;
  const loop = async () => {
    while (next < n) {
      const from = next;
      const to = Math.min(n, from + BASELINE_CHUNK);
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
  const started = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, loop));
  const seconds = (performance.now() - started) / 1000;
  transporter.close();
  return { seconds, sent, failed };
}

// --- main --------------------------------------------------------------------------------

async function main(): Promise<number> {
  const problems: string[] = [];
  console.log(`temp dir ${tempDir}`);
  const sink = await startSink();
  console.log(`SMTP sink (child process) on ${HOST}:${sink.port}`);

  // 1–3: the real pipeline to the SMTP sink.
  console.log(`preparing ${MEMBERS.toLocaleString('en')} members…`);
  const smtpData = await prepareDatabase(path.join(tempDir, 'smtp.db'), MEMBERS, 'smtp db');
  const smtp = createSmtpTransport({
    connection: { host: HOST, port: sink.port },
    concurrency: CONNECTIONS,
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
  console.log('sending through the pipeline (SMTP)…');
  const sinkBefore = await sink.stats();
  const pipeline = await runSend(smtpData.handle.db, tapped, smtpData, 'smtp');
  await smtp.close();
  const sinkAfterPipeline = await sink.stats();
  await smtpData.handle.destroy();
  if (sample === undefined) throw new Error('the pipeline sent nothing');
  const pipelineReceived = sinkAfterPipeline.received - sinkBefore.received;
  const pipelineBytes = sinkAfterPipeline.bytes - sinkBefore.bytes;
  const pipelineSinkCpu =
    (sinkAfterPipeline.cpu.user +
      sinkAfterPipeline.cpu.system -
      sinkBefore.cpu.user -
      sinkBefore.cpu.system) /
    1e6;

  // 4: the baseline, same sink, same number of messages.
  console.log('sending the baseline (bare nodemailer pool)…');
  const baselineCpuBefore = process.cpuUsage();
  const baseline = await runBaseline(sink.port, sample, MEMBERS);
  const baselineCpu = process.cpuUsage(baselineCpuBefore);
  const sinkAfterBaseline = await sink.stats();
  const baselineReceived = sinkAfterBaseline.received - sinkAfterPipeline.received;
  const baselineBytes = sinkAfterBaseline.bytes - sinkAfterPipeline.bytes;
  await sink.stop();
  rmSync(path.join(tempDir, 'smtp.db'), { force: true });
  rmSync(path.join(tempDir, 'smtp.db-wal'), { force: true });
  rmSync(path.join(tempDir, 'smtp.db-shm'), { force: true });

  const smtpRate = pipeline.sent / pipeline.seconds;
  const smtpBaselineRate = baseline.sent / baseline.seconds;
  console.log(
    `SMTP part: ${fmt(smtpRate)} msgs/s, baseline ${fmt(smtpBaselineRate)} msgs/s, ratio ${fmt(smtpRate / smtpBaselineRate, 2)}, peak RSS ${fmt(mb(pipeline.peak))} MB`,
  );

  // 5: the pipeline alone, through NullTransport, to many more members, in a fresh process so
  // that the memory the SMTP part's heap still holds is not counted as this send's.
  console.log(
    `null send in a child process: ${NULL_MEMBERS.toLocaleString('en')} members (generated first)…`,
  );
  const { nullData, nullRun, accepted } = await runNullPartInChild();

  const rate = pipeline.sent / pipeline.seconds;
  const baselineRate = baseline.sent / baseline.seconds;
  const ratio = rate / baselineRate;
  const nullRate = nullRun.sent / nullRun.seconds;

  const rows: [string, string][] = [
    ['members (SMTP)', `${MEMBERS} (inserted in ${fmt(smtpData.seconds, 1)} s)`],
    [
      'pipeline',
      `${pipeline.sent} sent, ${pipeline.failed} failed, status ${pipeline.status}, sink got ${pipelineReceived} (${fmt(pipelineBytes / Math.max(1, pipelineReceived) / 1024, 1)} KB each)`,
    ],
    [
      'pipeline time',
      `${fmt(pipeline.seconds, 2)} s (createSend incl. snapshot ${fmt(pipeline.snapshotSeconds, 2)} s)`,
    ],
    ['pipeline msgs/s', fmt(rate)],
    [
      'pipeline RSS',
      `peak ${fmt(mb(pipeline.peak), 1)} MB (${fmt(mb(pipeline.before), 1)} MB before; at peak ${breakdown(pipeline.atPeak)})`,
    ],
    ['sink CPU', `${fmt(pipelineSinkCpu, 2)} s during the pipeline send`],
    [
      'baseline',
      `${baseline.sent} sent, ${baseline.failed} failed, sink got ${baselineReceived} (${fmt(baselineBytes / Math.max(1, baselineReceived) / 1024, 1)} KB each)`,
    ],
    [
      'baseline time',
      `${fmt(baseline.seconds, 2)} s (CPU ${fmt((baselineCpu.user + baselineCpu.system) / 1e6, 2)} s)`,
    ],
    ['baseline msgs/s', fmt(baselineRate)],
    ['ratio', fmt(ratio, 2)],
    ['members (null)', `${NULL_MEMBERS} (inserted in ${fmt(nullData.seconds, 1)} s)`],
    [
      'null send',
      `${nullRun.sent} sent, status ${nullRun.status}, ${fmt(nullRun.seconds, 2)} s (snapshot ${fmt(nullRun.snapshotSeconds, 2)} s)`,
    ],
    ['null msgs/s', fmt(nullRate)],
    [
      'null RSS',
      `peak ${fmt(mb(nullRun.peak), 1)} MB (${fmt(mb(nullRun.before), 1)} MB before; at peak ${breakdown(nullRun.atPeak)})`,
    ],
  ];
  console.log('');
  for (const [k, v] of rows) console.log(`${k.padEnd(18)} ${v}`);

  if (pipeline.sent !== MEMBERS) problems.push(`pipeline sent ${pipeline.sent} != ${MEMBERS}`);
  if (pipelineReceived !== MEMBERS)
    problems.push(`sink got ${pipelineReceived} from the pipeline, not ${MEMBERS}`);
  if (baseline.sent !== MEMBERS) problems.push(`baseline sent ${baseline.sent} != ${MEMBERS}`);
  if (nullRun.sent !== NULL_MEMBERS)
    problems.push(`null send sent ${nullRun.sent} != ${NULL_MEMBERS}`);
  if (accepted < NULL_MEMBERS)
    problems.push(`NullTransport accepted ${accepted} < ${NULL_MEMBERS}`);
  if (ratio < 0.8) problems.push(`ratio ${fmt(ratio, 2)} below the 0.8 target`);
  if (pipeline.peak >= 300 * MB) problems.push('SMTP send used more than the 300 MB target');
  if (nullRun.peak >= 300 * MB) problems.push('null send used more than the 300 MB target');
  for (const p of problems) console.log(`PROBLEM ${p}`);

  console.log(
    `RESULT recipients=${MEMBERS} msgs_per_s=${fmt(rate)} baseline_msgs_per_s=${fmt(baselineRate)} ratio=${fmt(ratio, 2)} peak_rss_mb=${fmt(mb(pipeline.peak))} null_1m_msgs_per_s=${fmt(nullRate)} null_1m_peak_rss_mb=${fmt(mb(nullRun.peak))}`,
  );
  return problems.length > 0 ? 1 : 0;
}

interface NullPart {
  nullData: { seconds: number };
  nullRun: SendRun;
  accepted: number;
}

/** `--part=null`: only the NullTransport send; its result as one `NULLPART {json}` line. */
async function nullPart(): Promise<NullPart> {
  console.log(`preparing ${NULL_MEMBERS.toLocaleString('en')} members for the null send…`);
  const data = await prepareDatabase(path.join(tempDir, 'null.db'), NULL_MEMBERS, 'null db');
  const transport = new NullTransport();
  console.log('sending through the pipeline (NullTransport)…');
  const nullRun = await runSend(data.handle.db, transport, data, 'null');
  await data.handle.destroy();
  return { nullData: { seconds: data.seconds }, nullRun, accepted: transport.accepted };
}

function runNullPartInChild(): Promise<NullPart> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--part=null',
        `--null-members=${NULL_MEMBERS}`,
        `--workers=${WORKERS}`,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, PRESSROOM_BENCH_SEND_DIR: tempDir },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    nullProc = proc;
    let result: NullPart | undefined;
    let buffered = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('NULLPART ')) result = JSON.parse(line.slice(9)) as NullPart;
        else console.log(`  ${line}`);
      }
    });
    proc.once('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`the null-send child exited with ${code} and no result`));
    });
  });
}

let code = 1;
try {
  if (process.argv.includes('--part=null')) {
    console.log(`NULLPART ${JSON.stringify(await nullPart())}`);
    code = 0;
  } else code = await main();
} catch (error) {
  console.error(error);
} finally {
  emergencyCleanUp();
}
// Bounded: nothing left open (pool sockets, timers) may keep the benchmark alive.
process.exit(code);
