/**
 * Web benchmark: how fast Pressroom serves a long cached post page, compared with a bare
 * node:http server sending the same bytes from memory on the same machine.
 *
 *   npm run bench:web [-- --duration=10 --connections=50 --threads=2 --warmup=2 --rounds=1
 *                          --log-level=info --cpu-prof --server=bench/web-server.ts]
 *
 * Pressroom runs as in production: NODE_ENV=production, the default log level `info`, its
 * stdout going to a file as it would to journald or docker, SQLite in a fresh temporary data
 * directory, in a child process so that its CPU time is measured apart from the load
 * generator's. Targets: ratio ≥ 0.6, p99 < 25 ms.
 *
 * Access logging, measured on the 2-core development machine: at `info` Pressroom logs the
 * requests that do work but not the answers from the page cache (those are `debug`), so this
 * benchmark's requests write no log lines. With `--log-level=debug`, one line per request,
 * throughput fell by 25–30% and CPU per request rose by as much (38 against 28–31 µs) —
 * more than 15%, which is why cached hits are not logged at info. `info` stays the default
 * here because it is production's.
 *
 * `--rounds=N` alternates the two servers N times and reports medians: on a shared machine a
 * single 10 s run can be off by a third either way. `--cpu-prof` profiles Pressroom and
 * prints its heaviest functions (profiles in test-output/cpu-profiles).
 *
 * The last line printed is machine-readable:
 *   RESULT pressroom_rps=… baseline_rps=… ratio=… p99_ms=… cpu_us_per_req=… baseline_cpu_us_per_req=…
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';

// --- options ------------------------------------------------------------------------------

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const arg = process.argv.slice(2).find((a) => a.startsWith(prefix));
  return arg === undefined ? fallback : arg.slice(prefix.length);
}

function positiveInt(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const DURATION_S = positiveInt('duration', 10);
const CONNECTIONS = positiveInt('connections', 50);
const THREADS = positiveInt('threads', 2);
const WARMUP_S = Number(option('warmup', '2'));
if (!Number.isFinite(WARMUP_S) || WARMUP_S < 0)
  throw new Error('--warmup must be 0 or more seconds');
/** Rounds of pressroom-then-baseline; with more than one, each figure is the median round's. */
const ROUNDS = positiveInt('rounds', 1);
const LOG_LEVEL = option('log-level', 'info');
const CPU_PROF = process.argv.includes('--cpu-prof');
/** For experiments: another server script that speaks web-server.ts's IPC protocol. */
const SERVER_SCRIPT = option('server', 'bench/web-server.ts');

// --- child processes ---------------------------------------------------------------------

interface CpuMessage {
  type: 'cpu';
  usage: NodeJS.CpuUsage;
}
interface ReadyMessage {
  type: 'ready';
  url: string;
  slug?: string;
}
interface ErrorMessage {
  type: 'error';
  message: string;
}
type FromChild = CpuMessage | ReadyMessage | ErrorMessage;

/** A server in a child process that reports its own CPU time over IPC. */
class ServerChild {
  readonly #proc: ChildProcess;
  readonly #exited: Promise<void>;
  #waiters: ((m: FromChild) => void)[] = [];

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    stdout: number | 'inherit',
    nodeArgs: string[] = [],
  ) {
    this.#proc = spawn(
      process.execPath,
      [...nodeArgs, '--import', 'tsx', path.resolve(ROOT, script)],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', stdout, 'inherit', 'ipc'],
      },
    );
    this.#exited = new Promise((resolve) => this.#proc.once('exit', () => resolve()));
    this.#proc.on('message', (m: FromChild) => {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w(m);
    });
  }

  #next(timeoutMs: number): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#proc.off('exit', onExit);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      const onExit = () => {
        done();
        reject(new Error(`${this.name} exited with code ${this.#proc.exitCode}`));
      };
      const waiter = (m: FromChild) => {
        done();
        resolve(m);
      };
      this.#proc.once('exit', onExit);
      this.#waiters.push(waiter);
    });
  }

  async ready(timeoutMs = 60_000): Promise<ReadyMessage> {
    const m = await this.#next(timeoutMs);
    if (m.type === 'error') throw new Error(`${this.name} failed to start:\n${m.message}`);
    if (m.type !== 'ready') throw new Error(`${this.name}: unexpected message ${m.type}`);
    return m;
  }

  /** User + system CPU time of the whole child process (all threads), in microseconds. */
  async cpuMicros(): Promise<number> {
    const answer = this.#next(5000);
    this.#proc.send({ type: 'cpu' });
    const m = await answer;
    if (m.type !== 'cpu') throw new Error(`${this.name}: unexpected message ${m.type}`);
    return m.usage.user + m.usage.system;
  }

  /** Asks the child to exit, then kills it if it has not within the grace period. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#proc.exitCode !== null || this.#proc.signalCode !== null) return;
    if (this.#proc.connected) this.#proc.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.#proc.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.#proc.exitCode === null && this.#proc.signalCode === null) this.#proc.kill('SIGKILL');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// --- load generator ------------------------------------------------------------------------

interface LoadResult {
  tool: string;
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** wrk prints latencies as e.g. `812.00us`, `4.13ms`, `1.02s`, `2.00m`. */
function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) throw new Error(`cannot read wrk latency "${value}"`);
  const n = Number(match[1]);
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return n * factor;
}

function parseWrk(output: string): LoadResult {
  const need = (re: RegExp, what: string) => {
    const m = re.exec(output);
    if (!m) throw new Error(`wrk output has no ${what}:\n${output}`);
    return m;
  };
  const totals = need(/^\s*(\d+) requests in ([\d.]+)(us|ms|s|m),/m, 'request count');
  const non2xx = /Non-2xx or 3xx responses:\s*(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    tool: 'wrk',
    requests: Number(totals[1]),
    seconds: toMs(`${totals[2]}${totals[3]}`) / 1000,
    rps: Number(need(/^Requests\/sec:\s*([\d.]+)/m, 'Requests/sec')[1]),
    p50Ms: toMs(need(/^\s*50%\s+(\S+)/m, '50th percentile')[1]!),
    p99Ms: toMs(need(/^\s*99%\s+(\S+)/m, '99th percentile (run with --latency)')[1]!),
    errors: Number(non2xx?.[1] ?? 0) + socketErrors,
  };
}

async function have(command: string): Promise<boolean> {
  try {
    await execFileAsync('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/** wrk; if it is missing, Debian's package (as root); failing that, autocannon from npm. */
async function chooseLoadTool(): Promise<'wrk' | 'autocannon'> {
  if (await have('wrk')) return 'wrk';
  if (process.getuid?.() === 0 && (await have('apt-get'))) {
    console.log('wrk is missing; installing it with apt-get');
    try {
      await execFileAsync('apt-get', ['install', '-y', '-qq', 'wrk'], { timeout: 300_000 });
      if (await have('wrk')) return 'wrk';
    } catch {
      // fall through to autocannon
    }
  }
  console.log('wrk is not available; falling back to autocannon (npx --yes autocannon)');
  return 'autocannon';
}

async function load(tool: 'wrk' | 'autocannon', url: string, seconds: number): Promise<LoadResult> {
  const timeout = (seconds + 60) * 1000;
  if (tool === 'wrk') {
    const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url];
    const { stdout } = await execFileAsync('wrk', args, { timeout, maxBuffer: 1 << 20 });
    return parseWrk(stdout);
  }
  const args = [
    '--yes',
    'autocannon',
    '--json',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    url,
  ];
  const { stdout } = await execFileAsync('npx', args, {
    timeout: timeout + 120_000,
    maxBuffer: 16 << 20,
  });
  const r = JSON.parse(stdout) as {
    duration: number;
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    tool: 'autocannon',
    requests: r.requests.total,
    seconds: r.duration,
    rps: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

interface Measured extends LoadResult {
  cpuMicros: number;
  cpuUsPerReq: number;
  /** Share of one core the server used while loaded. */
  cores: number;
}

async function measure(
  tool: 'wrk' | 'autocannon',
  child: ServerChild,
  url: string,
  warmUp: boolean,
): Promise<Measured> {
  // JIT and connection set-up, not counted.
  if (warmUp && WARMUP_S > 0) await load(tool, url, WARMUP_S);
  const before = await child.cpuMicros();
  const result = await load(tool, url, DURATION_S);
  const cpuMicros = (await child.cpuMicros()) - before;
  if (result.errors > 0)
    throw new Error(`${child.name}: ${result.errors} failed or non-2xx responses under load`);
  return {
    ...result,
    cpuMicros,
    cpuUsPerReq: cpuMicros / Math.max(1, result.requests),
    cores: cpuMicros / 1e6 / result.seconds,
  };
}

/** Each figure's median over the rounds (the mean of the middle two for an even count). */
function median(rounds: Measured[]): Measured {
  const mid = (values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    const half = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
  };
  const first = rounds[0]!;
  if (rounds.length === 1) return first;
  return {
    ...first,
    requests: mid(rounds.map((r) => r.requests)),
    seconds: mid(rounds.map((r) => r.seconds)),
    rps: mid(rounds.map((r) => r.rps)),
    p50Ms: mid(rounds.map((r) => r.p50Ms)),
    p99Ms: mid(rounds.map((r) => r.p99Ms)),
    cpuMicros: mid(rounds.map((r) => r.cpuMicros)),
    cpuUsPerReq: mid(rounds.map((r) => r.cpuUsPerReq)),
    cores: mid(rounds.map((r) => r.cores)),
  };
}

// --- profile summary -------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The main thread's profile: `CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile` (0 = main thread). */
function mainThreadProfile(dir: string): string | undefined {
  return readdirSync(dir)
    .filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/**
 * The heaviest functions of the server's main thread, by self time and by total time
 * (self plus callees), as shares of the time it was not idle.
 */
function summariseProfile(dir: string, top = 25): string {
  const file = mainThreadProfile(dir);
  if (file === undefined) return `no main-thread .cpuprofile written in ${dir}`;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const label = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url
      ? `${url.replace(`file://${ROOT}`, '').replace(/^.*node_modules\//, '~/')}:${lineNumber + 1}`
      : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    busy += dt;
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (!n || n.callFrame.functionName === '(root)') continue;
      const k = label(n);
      if (seen.has(k)) continue; // recursion counts once
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });
  const table = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
  return [
    `profile: ${file} (${(busy / 1e6).toFixed(1)} s busy)`,
    'self time:',
    ...table(self),
    'total time (self + callees):',
    ...table(inclusive),
  ].join('\n');
}

// --- main ----------------------------------------------------------------------------------

const children: ServerChild[] = [];
const tempDir = mkdtempSync(path.join(tmpdir(), 'pressroom-bench-'));
let cleanedUp = false;

/** Stops the servers (a graceful exit: buffered log lines are flushed, profiles written). */
async function stopChildren(): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
}

async function cleanUp(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  await stopChildren();
  rmSync(tempDir, { recursive: true, force: true });
}

function emergencyCleanUp(): void {
  for (const c of children) c.kill();
  if (!cleanedUp) rmSync(tempDir, { recursive: true, force: true });
  cleanedUp = true;
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

const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main(): Promise<string> {
  const tool = await chooseLoadTool();
  const port = await freePort();
  const dataDir = path.join(tempDir, 'data');
  const logFile = path.join(tempDir, 'pressroom.log');
  const profileDir = path.join(ROOT, 'test-output', 'cpu-profiles');
  const logFd = openSync(logFile, 'w');

  const pressroom = new ServerChild(
    'pressroom',
    SERVER_SCRIPT,
    {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL,
      HOST,
      PORT: String(port),
      PRESSROOM_URL: `http://${HOST}:${port}`,
      PRESSROOM_DATA_DIR: dataDir,
      DATABASE_URL: '',
    },
    logFd,
    CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  children.push(pressroom);
  closeSync(logFd);
  if (CPU_PROF) mkdirSync(profileDir, { recursive: true });
  const ready = await pressroom.ready();
  const pageUrl = `${ready.url}/p/${ready.slug}`;

  // One request to render the page into the cache; its bytes are the baseline's body.
  const first = await fetch(pageUrl, { headers: { 'accept-encoding': 'identity' } });
  const body = new Uint8Array(await first.arrayBuffer());
  const contentType = first.headers.get('content-type') ?? 'text/html; charset=utf-8';
  if (first.status !== 200) throw new Error(`GET ${pageUrl} answered ${first.status}`);
  console.log(
    `post page ${pageUrl}: ${first.status}, ${body.byteLength} bytes (${fmt(body.byteLength / 1024, 1)} KiB), ${contentType}`,
  );
  if (body.byteLength < 20_000 || body.byteLength > 30_000) {
    console.warn(
      `warning: the page is ${body.byteLength} bytes, not the ~25 KB this benchmark is meant to load`,
    );
  }

  const bodyFile = path.join(tempDir, 'body.html');
  writeFileSync(bodyFile, body);
  const baseline = new ServerChild(
    'baseline',
    'bench/baseline-server.ts',
    { ...process.env, BASELINE_BODY_FILE: bodyFile, BASELINE_CONTENT_TYPE: contentType },
    'inherit',
  );
  children.push(baseline);
  const baselineUrl = `${(await baseline.ready()).url}/p/${ready.slug}`;
  const check = new Uint8Array(await (await fetch(baselineUrl)).arrayBuffer());
  if (Buffer.compare(check, body) !== 0)
    throw new Error('the baseline does not send the same bytes');

  console.log(
    `load: ${tool}, ${THREADS} threads, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ` +
      `${ROUNDS} × ${DURATION_S} s measured per server; Pressroom LOG_LEVEL=${LOG_LEVEL}`,
  );
  // Interleaved, so that a burst of other work on the machine hits both servers alike.
  const pressroomRounds: Measured[] = [];
  const baselineRounds: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    pressroomRounds.push(await measure(tool, pressroom, pageUrl, round === 0));
    baselineRounds.push(await measure(tool, baseline, baselineUrl, round === 0));
  }
  const p = median(pressroomRounds);
  const b = median(baselineRounds);
  if (ROUNDS > 1) {
    const list = (rounds: Measured[]) => rounds.map((r) => fmt(r.rps)).join(', ');
    console.log(
      `rounds (requests/s): pressroom ${list(pressroomRounds)}; baseline ${list(baselineRounds)}`,
    );
  }

  const rows = [
    ['', 'requests/s', 'p50 ms', 'p99 ms', 'requests', 'CPU µs/req', 'cores used'],
    [
      'pressroom',
      fmt(p.rps),
      fmt(p.p50Ms, 2),
      fmt(p.p99Ms, 2),
      String(p.requests),
      fmt(p.cpuUsPerReq),
      fmt(p.cores, 2),
    ],
    [
      'baseline',
      fmt(b.rps),
      fmt(b.p50Ms, 2),
      fmt(b.p99Ms, 2),
      String(b.requests),
      fmt(b.cpuUsPerReq),
      fmt(b.cores, 2),
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log();
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  '),
    );
  const ratio = p.rps / b.rps;
  console.log();
  console.log(`ratio ${fmt(ratio, 2)} (target ≥ 0.60): ${ratio >= 0.6 ? 'ok' : 'BELOW TARGET'}`);
  console.log(
    `p99 ${fmt(p.p99Ms, 2)} ms (target < 25 ms): ${p.p99Ms < 25 ? 'ok' : 'ABOVE TARGET'}`,
  );

  // Counted once Pressroom has exited, since its log output may be buffered until then.
  await stopChildren();
  const logLines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length;
  console.log(`pressroom wrote ${logLines} log lines (${fmt(statSync(logFile).size / 1e6, 1)} MB)`);
  await cleanUp();
  if (CPU_PROF) console.log(`\n${summariseProfile(profileDir)}`);

  return (
    `RESULT pressroom_rps=${fmt(p.rps)} baseline_rps=${fmt(b.rps)} ratio=${fmt(ratio, 2)} ` +
    `p99_ms=${fmt(p.p99Ms, 2)} cpu_us_per_req=${fmt(p.cpuUsPerReq)} baseline_cpu_us_per_req=${fmt(b.cpuUsPerReq)}`
  );
}

try {
  const result = await main();
  console.log(result);
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await cleanUp().catch(() => undefined);
  process.exitCode = 1;
}
