import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ownerClient,
  staffClient,
  type TestApp,
  type TestClient,
} from '../../../test/support/app.js';

const upload = (client: TestClient, bytes: Buffer | Uint8Array, name: string, type: string) => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  return client.post('/api/admin/images', form);
};

/** Every file under the images folder, relative to it. */
const storedFiles = (dir: string): string[] => {
  try {
    return readdirSync(path.join(dir, 'images'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch {
    return [];
  }
};

describe('image uploads', () => {
  let dataDir: string;
  let t: TestApp;
  let owner: TestClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'pressroom-media-'));
    t = await createTestApp('sqlite', {
      env: { PRESSROOM_DATA_DIR: dataDir, PRESSROOM_IMAGE_LIMIT_MB: '1' },
    });
    owner = await ownerClient(t);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a photo at web sizes, without its metadata, and serves it for good', async () => {
    // A 2,400 × 1,600 JPEG carrying EXIF, as phone photos do.
    const photo = await sharp({
      create: { width: 2400, height: 1600, channels: 3, background: { r: 200, g: 80, b: 40 } },
    })
      .jpeg()
      .withExif({ IFD0: { Artist: 'Someone', Copyright: 'secret place' } })
      .toBuffer();
    expect((await sharp(photo).metadata()).exif).toBeDefined();

    const res = await upload(owner, photo, 'photo.jpg', 'image/jpeg');
    expect(res.status).toBe(201);
    const { image } = (await res.json()) as {
      image: {
        url: string;
        width: number;
        height: number;
        sizes: { width: number; url: string }[];
      };
    };
    expect(image.url).toMatch(/^\/content\/images\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.jpg$/);
    expect([image.width, image.height]).toEqual([2000, 1333]);
    expect(image.sizes.map((s) => s.width)).toEqual([600, 1200]);

    const served = await t.client().get(image.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('cache-control')).toContain('immutable');
    const body = Buffer.from(await served.arrayBuffer());
    const meta = await sharp(body).metadata();
    expect(meta.width).toBe(2000);
    expect(meta.exif).toBeUndefined();

    const small = await t.client().get(image.sizes[0]!.url);
    expect((await sharp(Buffer.from(await small.arrayBuffer())).metadata()).width).toBe(600);
  });

  it('keeps a small PNG at its own size', async () => {
    const png = await sharp({
      create: { width: 300, height: 200, channels: 4, background: '#00000000' },
    })
      .png()
      .toBuffer();
    const res = await upload(owner, png, 'chart.png', 'image/png');
    expect(res.status).toBe(201);
    const { image } = (await res.json()) as { image: { width: number; sizes: unknown[] } };
    expect(image.width).toBe(300);
    expect(image.sizes).toEqual([]);
  });

  it('refuses what is not an image, or too large, and stores nothing', async () => {
    const before = storedFiles(dataDir).length;
    const text = await upload(owner, Buffer.from('not an image at all'), 'notes.png', 'image/png');
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({
      error: { field: 'file', message: expect.stringContaining('not an image') as string },
    });

    const svg = await upload(
      owner,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'x.svg',
      'image/svg+xml',
    );
    expect(svg.status).toBe(400);

    // Random bytes do not compress: about 1.5 MB over the 1 MB limit.
    const big = await sharp(randomBytes(1200 * 1200), {
      raw: { width: 1200, height: 1200, channels: 1 },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const tooBig = await upload(owner, big, 'big.png', 'image/png');
    expect(tooBig.status).toBe(413);
    expect(JSON.stringify(await tooBig.json())).toMatch(/larger than/);

    const none = await owner.post('/api/admin/images', { file: 'x' });
    expect(none.status).toBe(400);
    expect(storedFiles(dataDir).length).toBe(before);
  });

  it('needs a staff session to upload, and serves only stored names', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const visitor = t.client();
    // A visitor with a valid CSRF token still has no session.
    visitor.csrf = /name="_csrf" value="([^"]+)"/.exec(
      await (await visitor.get('/admin/signin')).text(),
    )?.[1];
    expect((await upload(visitor, png, 'a.png', 'image/png')).status).toBe(401);
    const { client: contributor } = await staffClient(t, owner, 'contributor');
    expect((await upload(contributor, png, 'a.png', 'image/png')).status).toBe(201);

    for (const bad of ['/content/images/../../etc/passwd', '/content/images/2026/01/x.jpg']) {
      expect((await t.client().get(bad)).status).toBe(404);
    }
  });
});
