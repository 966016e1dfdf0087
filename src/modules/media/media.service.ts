import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { Clock } from '../../platform/clock.js';
import { AppError, badRequest, notFound } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';

/** Widths an uploaded image is stored at, besides its own (capped at the largest). */
export const IMAGE_WIDTHS = [600, 1200, 2000] as const;
const MAX_WIDTH = IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1]!;
/** Formats browsers show everywhere; anything else (SVG, TIFF, HEIC, PDF…) is refused. */
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'avif']);
const OUTPUT: Record<string, 'jpeg' | 'png' | 'webp' | 'gif' | 'avif'> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'avif',
};
const EXTENSION: Record<string, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'avif',
};
const CONTENT_TYPE: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};
// What `store` names files: year/month/uuid[-wN].ext; nothing else is ever served.
const STORED_PATH = /^\d{4}\/\d{2}\/[0-9a-f-]{36}(-w\d{2,4})?\.(jpg|png|webp|gif|avif)$/;

export interface StoredImage {
  /** Path on this site, e.g. /content/images/2026/11/….jpg: the full-size copy. */
  url: string;
  width: number;
  height: number;
  /** The smaller copies, for srcset. */
  sizes: { width: number; url: string }[];
}

export interface MediaServiceDeps {
  /** Images live under `<dataDir>/images`. */
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /** Largest upload accepted, in bytes. */
  maxBytes: number;
}

/**
 * Images uploaded from the editor: checked by decoding them (not by name or declared type),
 * stripped of metadata such as GPS positions, resized to web sizes and stored under the data
 * folder, where backups already look.
 */
export class MediaService {
  private readonly root: string;

  constructor(private readonly deps: MediaServiceDeps) {
    this.root = path.join(deps.dataDir, 'images');
  }

  get maxBytes(): number {
    return this.deps.maxBytes;
  }

  async store(bytes: Buffer): Promise<StoredImage> {
    if (bytes.length === 0) throw badRequest('The file is empty', 'file');
    if (bytes.length > this.deps.maxBytes) throw tooLarge(this.deps.maxBytes);
    let meta: Metadata;
    try {
      meta = await sharp(bytes, { animated: true }).metadata();
    } catch {
      throw notAnImage();
    }
    const format = meta.format;
    if (!format || !ACCEPTED.has(format) || !meta.width || !meta.height) throw notAnImage();
    const out = OUTPUT[format]!;
    const ext = EXTENSION[format]!;
    const now = this.deps.clock.now();
    const dir = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const id = randomUUID();
    await mkdir(path.join(this.root, dir), { recursive: true });

    // EXIF orientation applied, then all metadata dropped (sharp keeps none unless asked).
    const pipeline = (width: number) =>
      sharp(bytes, { animated: format === 'gif' || format === 'webp' })
        .rotate()
        .resize({ width, withoutEnlargement: true })
        .toFormat(out, out === 'jpeg' ? { quality: 82, mozjpeg: true } : {});
    const written: string[] = [];
    const write = async (name: string, data: Buffer) => {
      // Written whole under a temporary name first: a reader never sees half a file.
      const file = path.join(this.root, dir, name);
      await writeFile(`${file}.tmp`, data);
      await rename(`${file}.tmp`, file);
      written.push(name);
    };
    const full = await pipeline(MAX_WIDTH).toBuffer({ resolveWithObject: true });
    await write(`${id}.${ext}`, full.data);
    const sizes: StoredImage['sizes'] = [];
    for (const width of IMAGE_WIDTHS) {
      if (width >= full.info.width) break;
      const smaller = await pipeline(width).toBuffer();
      await write(`${id}-w${width}.${ext}`, smaller);
      sizes.push({ width, url: `/content/images/${dir}/${id}-w${width}.${ext}` });
    }
    this.deps.logger.info({ image: `${dir}/${id}.${ext}`, copies: written.length }, 'image stored');
    return {
      url: `/content/images/${dir}/${id}.${ext}`,
      width: full.info.width,
      height: full.info.height,
      sizes,
    };
  }

  /** A stored image by its path under /content/images/, or a 404. */
  async read(relative: string): Promise<{ body: Buffer; type: string }> {
    if (!STORED_PATH.test(relative)) throw notFound('Image');
    try {
      const body = await readFile(path.join(this.root, relative));
      return { body, type: CONTENT_TYPE[relative.slice(relative.lastIndexOf('.') + 1)]! };
    } catch {
      throw notFound('Image');
    }
  }
}

const notAnImage = () =>
  badRequest(
    'The file is not an image Pressroom can use: upload a JPEG, PNG, GIF, WebP or AVIF file',
    'file',
  );

const tooLarge = (max: number) =>
  new AppError(
    'payload_too_large',
    `The image is larger than ${Math.round(max / (1024 * 1024))} MB; make it smaller and try again`,
    { status: 413, field: 'file' },
  );
