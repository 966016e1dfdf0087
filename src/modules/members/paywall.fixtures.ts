import { createServer, request, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../../../test/support/app.js';
import { CaptureMailer } from '../../../test/support/capture-mailer.js';
import {
  createPost,
  doc,
  ManualClock,
  paragraph,
  paywall,
} from '../../../test/support/fixtures.js';
import type { Dialect } from '../../platform/db/index.js';
import type { AccessLevel, Visibility } from './index.js';
import { followLink, form, uniqueEmail } from './members.test-app.js';

// --- the posts ----------------------------------------------------------------------------

export type PostKey = 'public' | 'members' | 'paid' | 'paidUncut';

export interface PaywallPost {
  key: PostKey;
  title: string;
  visibility: Visibility;
  /** The text before the cut; null when the post has none. */
  preview: string | null;
  /** The text after the cut (the whole body when there is none). */
  rest: string;
  /** A word found only in `rest`: what must never show up where the reader may not read. */
  marker: string;
}

/**
 * Four posts, each with words found nowhere else, so "does this response carry the rest of
 * that post?" is a substring check however the channel escapes its markup.
 */
export const POSTS: readonly PaywallPost[] = [
  {
    key: 'public',
    title: 'Open Ledger Notes',
    visibility: 'public',
    preview: 'Everyone reads the Larkspur opening.',
    rest: 'The Quillfeather tail is public too.',
    marker: 'Quillfeather',
  },
  {
    key: 'members',
    title: 'Members Briefing Memo',
    visibility: 'members',
    preview: 'The Marigold preview is for anyone.',
    rest: 'The Brackenfjord clause is for members only.',
    marker: 'Brackenfjord',
  },
  {
    key: 'paid',
    title: 'Paid Dispatch Figures',
    visibility: 'paid',
    preview: 'The Nettlewood preview is for anyone.',
    rest: 'The Duskwhistle figure is for paying readers only.',
    marker: 'Duskwhistle',
  },
  {
    key: 'paidUncut',
    title: 'Paid Uncut Column',
    visibility: 'paid',
    preview: null,
    rest: 'The Emberlain column has no preview at all.',
    marker: 'Emberlain',
  },
];

export const postByKey = (key: PostKey): PaywallPost => POSTS.find((p) => p.key === key)!;

export const TAG = { name: 'Paywall Desk', slug: 'paywall-desk' } as const;

function bodyOf(post: PaywallPost): Parameters<typeof doc> {
  return post.preview === null
    ? [paragraph(post.rest), paragraph('Emberlain second paragraph.')]
    : [paragraph(post.preview), paywall, paragraph(post.rest)];
}

/**
 * What each level may read in full, written out rather than computed with the code under
 * test: a mistake in `access.ts` must show up here as a failure, not be copied.
 */
export const MAY_READ: Record<AccessLevel, Record<Visibility, boolean>> = {
  anonymous: { public: true, members: false, paid: false },
  member: { public: true, members: true, paid: false },
  paid: { public: true, members: true, paid: true },
};

export const PUBLIC_PAGE_CACHE_CONTROL = 'public, max-age=0, must-revalidate';
export const PRIVATE_CACHE_CONTROL = 'private, no-cache';
export const FEED_CACHE_CONTROL = 'public, max-age=300';

// --- the app ------------------------------------------------------------------------------

export interface Reader {
  client: TestClient;
  /** The `pr_member` cookie value, for requests over a real socket; none for anonymous. */
  cookie: string | undefined;
  memberId: string | undefined;
}

export interface PaywallApp {
  t: TestApp;
  clock: ManualClock;
  mailer: CaptureMailer;
  owner: TestClient;
  /** slug and id of each post, by key */
  posts: Record<PostKey, { id: string; slug: string }>;
  authorSlug: string;
  /** A browser with no cookies at all. */
  anonymous(): Reader;
  /** Signs up through /subscribe and the emailed link: a browser holding a real member cookie. */
  signUp(label?: string): Promise<Reader & { memberId: string; cookie: string }>;
  close(): Promise<void>;
}

/**
 * The whole app (the members test app's setup, but keeping hold of `pressroom` for its
 * `requestListener` and page cache), with the four posts published through the admin API.
 */
export async function createPaywallApp(dialect: Dialect): Promise<PaywallApp> {
  const clock = new ManualClock();
  const mailer = new CaptureMailer();
  const t = await createTestApp(dialect, { clock, mailer });
  const { services } = t.pressroom;

  let ip = 0;
  const client = () => {
    const c = t.client();
    ip++;
    c.ip = `10.77.${(ip >> 8) & 255}.${ip & 255}`;
    return c;
  };

  const ownerStaff = await services.staff.createOwner({
    email: 'owner@example.com',
    name: 'Olga Owner',
    password: 'correct horse battery',
  });
  const { token } = await services.staff.createApiToken({
    name: 'paywall test',
    staffId: ownerStaff.id,
  });
  const owner = client();
  owner.bearer = token;

  const posts = {} as PaywallApp['posts'];
  let authorSlug = '';
  for (const post of POSTS) {
    const created = await createPost(owner, {
      title: post.title,
      visibility: post.visibility,
      status: 'published',
      body: doc(...bodyOf(post)),
      tags: [TAG.name],
    });
    posts[post.key] = { id: created.id, slug: created.slug };
    authorSlug = created.authors[0]!.slug;
  }

  return {
    t,
    clock,
    mailer,
    owner,
    posts,
    authorSlug,
    anonymous: () => ({ client: client(), cookie: undefined, memberId: undefined }),
    async signUp(label = 'reader') {
      const email = uniqueEmail(`paywall-${label.replace(/[^a-z]+/gi, '-')}`);
      const browser = client();
      const res = await browser.post('/subscribe', form({ email }));
      expect(res.status, `signup of ${email}`).toBe(200);
      await services.members.settled();
      const text = mailer.to(email).at(-1)?.text ?? '';
      const link = /https?:\/\/[^\s<>"]+(\/members\/confirm\?token=[\w-]+)/.exec(text)?.[1];
      if (!link) throw new Error(`no confirmation link mailed to ${email}: ${text}`);
      expect((await followLink(browser, link)).status).toBe(303);
      const cookie = browser.cookies.get('pr_member');
      if (!cookie) throw new Error(`confirming ${email} set no member cookie`);
      const row = await t.pressroom.db
        .selectFrom('members')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      return { client: browser, cookie, memberId: row.id };
    },
    close: () => t.close(),
  };
}

// --- a real socket ------------------------------------------------------------------------

export interface NodeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Node's HTTP server around a request listener on loopback, and a client for it that
 * sends exactly the headers given (no Accept-Encoding unless asked: bodies stay readable).
 */
export async function startNodeServer(listener: RequestListener) {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    get(path: string, headers: Record<string, string> = {}): Promise<NodeResponse> {
      return new Promise((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path, headers: { host: 'pressroom.test', ...headers } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      });
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      );
    },
  };
}
