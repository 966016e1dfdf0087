import { pino } from 'pino';
import { createPressroom, type Pressroom } from '../../src/app.js';
import type { Clock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import type { Dialect } from '../../src/platform/db/index.js';
import type { Mailer } from '../../src/platform/mailer/index.js';
import { CaptureMailer } from './capture-mailer.js';
import { createTestDatabase } from './database.js';

export interface TestApp {
  pressroom: Pressroom;
  /** A browser-like client: keeps cookies, sends the CSRF token on writes. */
  client(): TestClient;
  close(): Promise<void>;
}

export const OWNER = {
  email: 'owner@example.com',
  name: 'Olga Owner',
  password: 'correct horse battery',
};

/** A fully wired Pressroom on a fresh database of the given engine. No network. */
export async function createTestApp(
  dialect: Dialect,
  opts: { env?: Record<string, string>; clock?: Clock; mailer?: Mailer } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(dialect);
  const config = loadConfig({
    NODE_ENV: 'test',
    PRESSROOM_URL: 'http://pressroom.test',
    PRESSROOM_DATA_DIR: '/nonexistent-test-data',
    ...opts.env,
  });
  const pressroom = await createPressroom({
    config,
    database,
    logger: pino({ level: 'silent' }),
    ...(opts.clock ? { clock: opts.clock } : {}),
    env: opts.env ?? {},
    // Mail stays in memory unless a test brings a real SMTP conversation.
    mailer: opts.mailer ?? new CaptureMailer(),
  });
  return {
    pressroom,
    client: () => new TestClient(pressroom),
    close: () => pressroom.close(100),
  };
}

export class TestClient {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  bearer: string | undefined;
  ip = '10.9.8.7';

  constructor(private readonly pressroom: Pressroom) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const h: Record<string, string> = { 'x-test-client-ip': this.ip, ...headers };
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) {
      // fetch sets the multipart content type with its boundary.
      payload = body;
    } else if (body instanceof URLSearchParams) {
      h['content-type'] = 'application/x-www-form-urlencoded';
      payload = body.toString();
    } else if (typeof body === 'string') {
      payload = body;
    } else if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (method !== 'GET' && method !== 'HEAD' && this.csrf && !h['x-csrf-token'])
      h['x-csrf-token'] = this.csrf;
    const res = await this.pressroom.app.request(`http://pressroom.test${path}`, {
      method,
      headers: h,
      body: payload,
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      const v = value.join('=');
      if (/max-age=0/i.test(cookie) || v === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), v);
    }
    return res;
  }

  get = (path: string, headers?: Record<string, string>) =>
    this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('POST', path, body, headers);
  patch = (path: string, body?: unknown) => this.request('PATCH', path, body);
  put = (path: string, body?: unknown) => this.request('PUT', path, body);
  delete = (path: string) => this.request('DELETE', path);

  async json<T = Record<string, unknown>>(res: Response | Promise<Response>): Promise<T> {
    return (await (await res).json()) as T;
  }

  /** Gets a CSRF cookie and token the way the admin app does, then signs in. */
  async signIn(email: string, password: string): Promise<Response> {
    const page = await this.get('/admin/signin');
    const html = await page.text();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? this.csrf;
    const res = await this.post('/api/admin/session', { email, password });
    if (res.status === 201)
      this.csrf = ((await res.clone().json()) as { csrf_token: string }).csrf_token;
    return res;
  }
}

/** Creates the owner through the service and returns a signed-in client. */
export async function ownerClient(t: TestApp): Promise<TestClient> {
  await t.pressroom.services.staff.createOwner(OWNER);
  const client = t.client();
  const res = await client.signIn(OWNER.email, OWNER.password);
  if (res.status !== 201)
    throw new Error(`owner sign-in failed: ${res.status} ${await res.text()}`);
  return client;
}

/** Adds a staff member with a role and returns a signed-in client for them. */
export async function staffClient(
  t: TestApp,
  owner: TestClient,
  role: string,
  email = `${role}@example.com`,
) {
  const res = await owner.post('/api/admin/staff', {
    email,
    name: `${role} person`,
    role,
    password: 'a long password 123',
  });
  if (res.status !== 201)
    throw new Error(`create ${role} failed: ${res.status} ${await res.text()}`);
  const { staff } = (await res.json()) as { staff: { id: string } };
  const client = t.client();
  client.ip = `10.0.0.${Math.floor(Math.random() * 200) + 2}`;
  const signin = await client.signIn(email, 'a long password 123');
  if (signin.status !== 201) throw new Error(`${role} sign-in failed: ${signin.status}`);
  return { client, id: staff.id };
}
