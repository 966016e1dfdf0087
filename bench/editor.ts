/**
 * Editor benchmark: how fast the admin's editor answers typing in a long post, and how much
 * JavaScript the browser loads to open it.
 *
 *   npm run bench:editor [-- --keys=200 --profile]
 *
 * Pressroom runs in this process (production settings, SQLite in a fresh temporary data
 * directory, no worker, no demo post), with Debian's Chromium driven by playwright-core. An
 * owner signs in through the sign-in form and pastes a 5,000-word press-conference
 * transcript (turns of **Question:** and **Sergey Lavrov:**, as Word puts them on the
 * clipboard) into an empty draft: a real paste event, through the editor's own paste
 * handling, saved by autosave. The server's word count must then be 5,000.
 *
 * Then the post is opened afresh, in a new browser context (an empty cache, the session
 * carried over), at /admin/posts/<id>, and the caret placed by a click in the middle of the
 * middle paragraph. 200 characters, letters and spaces, are typed one key at a time; each
 * key waits for the previous one to be measured and for the page to have run the work that
 * key queued, so keys never pile up.
 *
 * Latency per key is measured in the page: from the keydown event's timestamp (when the
 * browser received the key, so time spent queued behind other work counts) to the first
 * task after the frame that follows the key's `input` event (a requestAnimationFrame
 * callback, then a MessageChannel message), i.e. until the new text has been painted.
 * `ms_per_key` is the mean; p50/p95/max are printed too. The same keys go, in turns of ten,
 * into a plain <textarea> holding the same text in another page, measured the same way: the
 * baseline, since on a shared machine a run's figures move with whatever else is running,
 * and in turns both pages get the same share of that. Keydown-to-paint includes waiting for
 * the next frame, up to 16.7 ms at 60 Hz, so even the textarea takes several milliseconds.
 * The main thread's busy time per key (Chrome's TaskDuration, which also counts work that
 * runs after the frame, and the benchmark's own calls into the page) is printed too.
 *
 * `admin_js_gzip_kb` is every script the browser requested to open the editor (the entry
 * chunk, the lazily loaded editor chunk, anything else), taken from the network responses
 * and each compressed with zlib's gzip at level 9, in kB of 1,000 bytes as Vite reports
 * them. CSS is measured the same way and printed on its own line. If dist/admin holds a
 * development build (Vite makes one when NODE_ENV is `test`, as under vitest), it is rebuilt
 * for production first: React's development build is twice the size and slower.
 *
 * After typing, the 200 characters must be in the editor, autosave must say "Saved", and the
 * server's copy of the post must hold them. `--profile` prints the heaviest functions of a
 * CPU profile of the page taken while typing. Targets: under 16 ms per key, under 400 kB of
 * JavaScript. The last line printed is machine-readable:
 *   RESULT words=… ms_per_key=… admin_js_gzip_kb=…
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { launchChromium, NAV_TIMEOUT, watchForProblems } from '../e2e/support/browser.js';
import { freePort } from '../e2e/support/net.js';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { loadConfig } from '../src/platform/config.js';
import { option } from './support.js';

const KEYS = option('keys', 200);
const PROFILE = process.argv.includes('--profile');
const WORDS = 5000;
const OWNER = {
  name: 'Bench Owner',
  email: 'bench@example.com',
  password: 'a long bench password',
};
const TARGET_MS_PER_KEY = 16;
const TARGET_JS_KB = 400;
const VIEWPORT = { width: 1280, height: 900 };
/** Keys typed into one page before the other's turn. */
const TURN = 10;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// --- the admin build -----------------------------------------------------------------------

/**
 * A warning only React's development build carries. Vite builds one when NODE_ENV is
 * `test` or `development` in its environment, as it is under vitest: a third more
 * JavaScript, and slower typing, so figures from it say nothing about production.
 */
const REACT_DEVELOPMENT = 'unique "key" prop';

function adminIsDevelopmentBuild(): boolean {
  const dir = path.join(ROOT, 'dist/admin');
  const entry = /src="\/admin\/assets\/([^"]+\.js)"/.exec(
    readFileSync(path.join(dir, 'index.html'), 'utf8'),
  );
  if (!entry) throw new Error('dist/admin/index.html names no entry script');
  return readFileSync(path.join(dir, 'assets', entry[1]!), 'utf8').includes(REACT_DEVELOPMENT);
}

function ensureProductionBuild(): void {
  if (!adminIsDevelopmentBuild()) return;
  console.log('dist/admin is a development build; building it for production');
  execFileSync(process.execPath, ['scripts/build-admin.mjs'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  if (adminIsDevelopmentBuild()) throw new Error('dist/admin is still a development build');
}

// --- the transcript ------------------------------------------------------------------------

const VOCABULARY = (
  'the minister said that our position on grain exports has not changed and we expect ' +
  'partners to honour the agreements signed in Istanbul while sanctions continue to block ' +
  'payments insurance and access to ports for ships carrying food and fertiliser to Africa ' +
  'we have raised this with the secretary general more than once and the answer is always ' +
  'that work is under way but nothing happens on the ground question about security ' +
  'guarantees in Europe negotiations dialogue sovereignty the United Nations charter border ' +
  'referendum delegation consultations bilateral relations cooperation energy supplies'
).split(' ');

/** Deterministic, so every run pastes the same text. */
function* wordStream(): Generator<string> {
  let seed = 20_240_611;
  for (;;) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    yield VOCABULARY[(seed >>> 16) % VOCABULARY.length]!;
  }
}

/**
 * Paragraphs of a press conference, exactly `words` words as the server counts them
 * (speaker labels included), and the same text as Word puts it on the clipboard.
 */
function transcript(words: number): { html: string; text: string } {
  const stream = wordStream();
  const take = (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      let w = stream.next().value as string;
      if (i === 0 || (i % 11 === 0 && i + 1 < n)) w = w[0]!.toUpperCase() + w.slice(1);
      if (i % 11 === 10 || i === n - 1) w += '.';
      else if (i % 7 === 3) w += ',';
      out.push(w);
    }
    return out.join(' ');
  };
  const intro = 'Good afternoon. Let me begin with a few remarks.';
  const paragraphs = [{ speaker: '', text: intro }];
  let left = words - 9;
  for (let turn = 0; left > 0; turn++) {
    const speaker = turn % 2 === 0 ? 'Question' : 'Sergey Lavrov';
    const labelWords = speaker.split(' ').length;
    const length = turn % 2 === 0 ? 25 + ((turn * 7) % 30) : 60 + ((turn * 13) % 90);
    const n = Math.min(length, left - labelWords);
    if (n < 1) {
      paragraphs.push({ speaker: '', text: take(left) });
      break;
    }
    paragraphs.push({ speaker, text: take(n) });
    left -= labelWords + n;
  }
  const html = paragraphs
    .map(
      (p) =>
        `<p class="MsoNormal">${p.speaker ? `<b>${p.speaker}:</b> ` : ''}${p.text}<o:p></o:p></p>`,
    )
    .join('');
  const text = paragraphs.map((p) => (p.speaker ? `${p.speaker}: ${p.text}` : p.text)).join('\n\n');
  return {
    html: `<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]--><div class="WordSection1">${html}</div>`,
    text,
  };
}

/** What is typed: lower-case words and single spaces, `length` characters. */
function typedText(length: number): string {
  const stream = wordStream();
  let text = ' and';
  while (text.length < length) text += ` ${(stream.next().value as string).toLowerCase()}`;
  return text.slice(0, length);
}

// --- measuring in the page -------------------------------------------------------------------

/**
 * Installed in the page (as a string: the root tsconfig has no DOM types). Each keydown
 * starts a measurement at the event's timestamp; the key's input event waits for the next
 * frame, then for the first task after it, which is when the frame has been painted.
 */
const INSTALL_PROBE = `(() => {
  const probe = { samples: [], inputs: 0, last: Promise.resolve(), start: undefined };
  window.__editorBench = probe;
  window.addEventListener('keydown', (event) => {
    const now = performance.now();
    const stamp = event.timeStamp;
    probe.start = { event: stamp > 0 && stamp <= now ? stamp : now, handler: now };
  }, { capture: true });
  window.addEventListener('input', () => {
    const start = probe.start;
    probe.inputs++;
    if (!start) return;
    probe.start = undefined;
    probe.last = new Promise((resolve) => {
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          const end = performance.now();
          probe.samples.push({ event: end - start.event, handler: end - start.handler });
          channel.port1.close();
          resolve();
        };
        channel.port2.postMessage(null);
      });
    });
  }, { capture: true });
})()`;

/** Resolves once the last key is measured and what it queued (a React render, say) has run. */
const SETTLE = `window.__editorBench.last.then(
  () => new Promise((resolve) => setTimeout(resolve, 0)),
)`;

interface Sample {
  event: number;
  handler: number;
}

interface Typing {
  samples: Sample[];
  inputs: number;
  /** Main-thread time per key, from Chrome's performance metrics, by kind. */
  busyMs: Record<'task' | 'script' | 'layout' | 'style', number>;
  profile?: CpuProfile;
}

async function metrics(cdp: Cdp): Promise<Map<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return new Map(list.map((m) => [m.name, m.value]));
}

type Cdp = Awaited<ReturnType<BrowserContext['newCDPSession']>>;

/** Measures the keys typed into whatever has focus in a page. */
class KeyProbe {
  #keys = 0;

  private constructor(
    readonly page: Page,
    readonly cdp: Cdp,
    readonly before: Map<string, number>,
    readonly profiling: boolean,
  ) {}

  static async install(page: Page, options: { profile?: boolean } = {}): Promise<KeyProbe> {
    await page.evaluate(INSTALL_PROBE);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    if (options.profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    return new KeyProbe(page, cdp, await metrics(cdp), options.profile ?? false);
  }

  /** One key at a time, each once the previous one has been painted and settled. */
  async type(text: string): Promise<void> {
    for (const ch of text) {
      await this.page.keyboard.press(ch === ' ' ? 'Space' : ch);
      await this.page.evaluate(SETTLE);
      this.#keys++;
    }
  }

  async finish(): Promise<Typing> {
    const after = await metrics(this.cdp);
    const profile = this.profiling
      ? ((await this.cdp.send('Profiler.stop')) as { profile: CpuProfile }).profile
      : undefined;
    await this.cdp.detach();
    const probe = (await this.page.evaluate(
      '({ samples: window.__editorBench.samples, inputs: window.__editorBench.inputs })',
    )) as { samples: Sample[]; inputs: number };
    const perKey = (name: string) =>
      (((after.get(name) ?? 0) - (this.before.get(name) ?? 0)) * 1000) / this.#keys;
    return {
      ...probe,
      busyMs: {
        task: perKey('TaskDuration'),
        script: perKey('ScriptDuration'),
        layout: perKey('LayoutDuration'),
        style: perKey('RecalcStyleDuration'),
      },
      ...(profile ? { profile } : {}),
    };
  }
}

interface Summary {
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

function summarise(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1]!,
  };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const line = (s: Summary) =>
  `mean ${fmt(s.mean)} ms, p50 ${fmt(s.p50)}, p95 ${fmt(s.p95)}, max ${fmt(s.max)}`;

function report(label: string, typing: Typing, keys: number): Summary {
  if (typing.samples.length !== keys || typing.inputs !== keys) {
    throw new Error(
      `${label}: ${keys} keys typed, but ${typing.inputs} input events and ` +
        `${typing.samples.length} measurements`,
    );
  }
  const fromEvent = summarise(typing.samples.map((s) => s.event));
  const fromHandler = summarise(typing.samples.map((s) => s.handler));
  const b = typing.busyMs;
  console.log(`${label}: keydown to painted frame: ${line(fromEvent)}`);
  console.log(`${label}: from the keydown handler instead: ${line(fromHandler)}`);
  console.log(
    `${label}: main thread busy ${fmt(b.task)} ms per key ` +
      `(script ${fmt(b.script)}, layout ${fmt(b.layout)}, style ${fmt(b.style)})`,
  );
  return fromEvent;
}

// --- CPU profile summary -------------------------------------------------------------------

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The page's heaviest functions, by self time and by total time (self plus callees), as
 * shares of the time it was not idle. Minified names are short, but method names survive.
 */
function heaviest(profile: CpuProfile, top = 15): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const label = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? ` ${url.replace(/^.*\//, '')}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'}${where}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const name = byId.get(id)?.callFrame.functionName;
    if (name === undefined || name === '(idle)' || name === '(program)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    busy += dt;
    self.set(label(id), (self.get(label(id)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = label(at);
      if (key === '(root)' || seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + dt);
    }
  });
  const table = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => `${fmt((100 * us) / busy).padStart(5)}%  ${key}`);
  return [
    `CPU profile of the page while typing: ${fmt(busy / 1000)} ms busy`,
    'self time:',
    ...table(self),
    'total time (self + callees):',
    ...table(total),
  ].join('\n');
}

// --- the run ---------------------------------------------------------------------------------

const normalise = (s: string) => s.replace(/\u00a0/g, ' ');

async function signIn(page: Page): Promise<void> {
  await page.goto('/admin/signin');
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Posts' }).waitFor();
  // The list's own requests would be cut off by the next navigation and count as failures.
  await page.waitForLoadState('networkidle');
}

async function saved(page: Page): Promise<void> {
  const state = page.locator('.pr-save-state');
  const deadline = Date.now() + 30_000;
  while ((await state.textContent()) !== 'Saved') {
    if (Date.now() > deadline)
      throw new Error(`autosave did not finish: "${await state.textContent()}"`);
    await page.waitForTimeout(100);
  }
}

async function main(server: RunningServer, browser: Browser, problems: string[]) {
  const { staff, posts } = server.pressroom.services;
  const owner = await staff.createOwner(OWNER);
  const draft = await posts.create(owner, { title: 'Press conference: the full transcript' });
  const editorPath = `/admin/posts/${draft.id}`;
  const { html, text } = transcript(WORDS);

  // Set-up: sign in, paste the transcript, let autosave store it.
  const setup = await browser.newContext({ baseURL: server.url, viewport: VIEWPORT });
  setup.setDefaultTimeout(NAV_TIMEOUT);
  const setupPage = await setup.newPage();
  watchForProblems(setupPage, problems);
  await signIn(setupPage);
  await setupPage.goto(editorPath);
  await setupPage.locator('.ProseMirror').click();
  await setupPage.evaluate(`(() => {
    const data = new DataTransfer();
    data.setData('text/html', ${JSON.stringify(html)});
    data.setData('text/plain', ${JSON.stringify(text)});
    document.querySelector('.ProseMirror').dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    );
  })()`);
  await setupPage.locator('.pr-editor-foot', { hasText: /^5,\d{3} words/ }).waitFor();
  await saved(setupPage);
  const pasted = await posts.get(draft.id);
  if (Math.abs(pasted.word_count - WORDS) > 5)
    throw new Error(`the pasted post has ${pasted.word_count} words, not ${WORDS}`);
  const session = await setup.storageState();
  await setup.close();

  // Baseline: a plain textarea holding the same text, typed into in its middle.
  const plain = await browser.newContext({ viewport: VIEWPORT });
  const plainPage = await plain.newPage();
  await plainPage.setContent(
    '<!doctype html><title>baseline</title><textarea style="width:100%;height:95vh"></textarea>',
  );
  await plainPage.evaluate(`(() => {
    const area = document.querySelector('textarea');
    area.value = ${JSON.stringify(text)};
    area.focus();
    area.setSelectionRange(area.value.length >> 1, area.value.length >> 1);
  })()`);
  const typed = typedText(KEYS);

  // The measured visit: a cold cache, as when opening a link to the post.
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: VIEWPORT,
    storageState: session,
  });
  context.setDefaultTimeout(NAV_TIMEOUT);
  const page = await context.newPage();
  watchForProblems(page, problems);
  const loaded: Promise<{
    url: string;
    kind: 'js' | 'css';
    raw: number;
    gzip: number;
    development: boolean;
  }>[] = [];
  page.on('response', (response: Response) => {
    const type = response.request().resourceType();
    const url = new URL(response.url());
    const kind =
      type === 'script' || /\.m?js$/.test(url.pathname)
        ? 'js'
        : type === 'stylesheet' || url.pathname.endsWith('.css')
          ? 'css'
          : undefined;
    if (!kind) return;
    loaded.push(
      response.body().then((body) => ({
        url: url.pathname,
        kind,
        raw: body.byteLength,
        gzip: gzipSync(body, { level: 9 }).byteLength,
        development: kind === 'js' && body.includes(REACT_DEVELOPMENT),
      })),
    );
  });
  await page.goto(editorPath);
  const body = page.locator('.ProseMirror');
  await body.locator('p').nth(50).waitFor();
  await page.waitForLoadState('networkidle');
  const files = await Promise.all(loaded);
  // Rebuilt under this run by someone else's test run, say.
  if (files.some((f) => f.development))
    throw new Error('the browser was served a development build of the admin');
  for (const f of files)
    console.log(`loaded ${f.url}: ${fmt(f.raw / 1000)} kB, ${fmt(f.gzip / 1000)} kB gzip`);
  const total = (kind: 'js' | 'css') =>
    files.filter((f) => f.kind === kind).reduce((sum, f) => sum + f.gzip, 0) / 1000;
  const jsKb = total('js');
  if (files.filter((f) => f.kind === 'js').length < 2)
    throw new Error('expected the entry chunk and the editor chunk among the scripts loaded');
  console.log(`admin CSS: ${fmt(total('css'))} kB gzip`);

  const paragraphs = body.locator('p');
  const count = await paragraphs.count();
  const middle = paragraphs.nth(count >> 1);
  await middle.click();

  // In turns, so that a burst of other work on the machine falls on both alike.
  const plainProbe = await KeyProbe.install(plainPage);
  const editorProbe = await KeyProbe.install(page, { profile: PROFILE });
  for (let at = 0; at < typed.length; at += TURN) {
    await plainProbe.type(typed.slice(at, at + TURN));
    await editorProbe.type(typed.slice(at, at + TURN));
  }
  const baseline = report('baseline textarea', await plainProbe.finish(), KEYS);
  const typing = await editorProbe.finish();
  const editor = report('editor', typing, KEYS);
  if (typing.profile) console.log(heaviest(typing.profile));

  const inArea = normalise(
    (await plainPage.evaluate('document.querySelector("textarea").value')) as string,
  );
  if (!inArea.includes(typed)) throw new Error('the baseline textarea did not get the typed text');
  await plain.close();

  if (!normalise((await body.innerText()).replace(/\n+/g, ' ')).includes(typed))
    throw new Error('the typed text is not in the editor');
  await saved(page);
  const stored = normalise(JSON.stringify((await posts.get(draft.id)).body));
  if (!stored.includes(typed)) throw new Error('the typed text did not reach the server');
  const words = (await posts.get(draft.id)).word_count;
  await page.waitForLoadState('networkidle');
  if (problems.length > 0) throw new Error(`the page had problems:\n${problems.join('\n')}`);
  await context.close();

  console.log(
    `${KEYS} keys into paragraph ${(count >> 1) + 1} of ${count}; the post now has ${words} words`,
  );
  console.log(
    `editor ÷ baseline: ${fmt(editor.mean / baseline.mean, 2)}; ` +
      `ms per key ${fmt(editor.mean)} (target < ${TARGET_MS_PER_KEY}): ` +
      `${editor.mean < TARGET_MS_PER_KEY ? 'ok' : 'ABOVE TARGET'}; ` +
      `JavaScript ${fmt(jsKb)} kB gzip (target < ${TARGET_JS_KB}): ` +
      `${jsKb < TARGET_JS_KB ? 'ok' : 'ABOVE TARGET'}`,
  );
  console.log(`baseline_ms_per_key=${fmt(baseline.mean)}`);
  return `RESULT words=${pasted.word_count} ms_per_key=${fmt(editor.mean)} admin_js_gzip_kb=${fmt(jsKb)}`;
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'pressroom-bench-editor-'));
let server: RunningServer | undefined;
let browser: Browser | undefined;
try {
  ensureProductionBuild();
  const port = await freePort();
  server = await startServer(
    loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PRESSROOM_URL: `http://127.0.0.1:${port}`,
      PRESSROOM_DATA_DIR: dataDir,
      PRESSROOM_DEMO_CONTENT: 'false',
      LOG_LEVEL: 'silent',
    }),
    { worker: false },
  );
  browser = await launchChromium();
  const result = await main(server, browser, []);
  console.log(result);
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => undefined);
  await server?.shutdown(1000).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}
