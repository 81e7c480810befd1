// Reading users' images with sharp: checking them, then decoding one to an exact bucket size.
// Every failure becomes a DataFileError that names the file.
import sharp, { type Metadata } from 'sharp';
import { stat } from 'node:fs/promises';
import type { Mask, RgbImage } from '../image.ts';
import type { Size } from '../buckets.ts';
import { DataFileError, type Where } from './errors.ts';

/** Raster formats accepted from users. SVG is refused: it is code, not pixels. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'] as const;
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic'];

export interface DecodeLimits {
  /** Files larger than this are refused before reading. Default 64 MiB. */
  maxFileBytes: number;
  /** Images with more pixels than this are refused before decoding. Default 50 megapixels. */
  maxInputPixels: number;
}

export const DEFAULT_LIMITS: DecodeLimits = { maxFileBytes: 64 * 1024 * 1024, maxInputPixels: 50_000_000 };

export interface ImageInfo {
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  format: string;
}

function sharpFor(path: string, limits: DecodeLimits) {
  // failOn 'error' rejects truncated and corrupt data instead of returning grey pixels.
  return sharp(path, { failOn: 'error', limitInputPixels: limits.maxInputPixels, autoOrient: true });
}

function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) return `image is too large (${msg})`;
  if (/unsupported image format/i.test(msg)) return 'not an image sharp can read';
  return `cannot decode image: ${msg.split('\n')[0]}`;
}

/** Checks that a file exists, is within the limits and is a raster image; `full` decodes it all. */
export async function inspectImage(where: Where, limits: DecodeLimits, full: boolean): Promise<ImageInfo> {
  let size: number;
  try {
    const st = await stat(where.file);
    if (!st.isFile()) throw new DataFileError(where, 'is not a file');
    size = st.size;
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(where, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})`);
  }
  if (size > limits.maxFileBytes) throw new DataFileError(where, `file is ${size} bytes; the limit is ${limits.maxFileBytes}`);
  if (size === 0) throw new DataFileError(where, 'file is empty');
  let meta: Metadata;
  try {
    meta = await sharpFor(where.file, limits).metadata();
  } catch (err) {
    throw new DataFileError(where, reasonOf(err));
  }
  if (!meta.format || !(IMAGE_FORMATS as readonly string[]).includes(meta.format)) {
    throw new DataFileError(where, `format ${meta.format ?? 'unknown'} is not accepted (use ${IMAGE_FORMATS.join(', ')})`);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new DataFileError(where, 'image has no size');
  if (width * height > limits.maxInputPixels) {
    throw new DataFileError(where, `image is ${width}x${height} = ${width * height} pixels; the limit is ${limits.maxInputPixels}`);
  }
  if (full) {
    try {
      // Decoding (into a small buffer) is what finds truncated or corrupt pixel data.
      await sharpFor(where.file, limits).resize(16, 16, { fit: 'fill' }).raw().toBuffer();
    } catch (err) {
      throw new DataFileError(where, reasonOf(err));
    }
  }
  return { width, height, format: meta.format };
}

/** Decodes to exactly the bucket size: scaled to cover it, centre-cropped, alpha flattened on white. */
export async function decodeToSize(where: Where, size: Size, limits: DecodeLimits): Promise<RgbImage> {
  try {
    const { data, info } = await sharpFor(where.file, limits)
      .resize(size.width, size.height, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== size.width || info.height !== size.height) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}`);
    }
    return { width: size.width, height: size.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new DataFileError(where, reasonOf(err));
  }
}

/** Decodes a mask: grey levels of 128 and above mean "may change" (255), the rest 0. */
export async function decodeMaskToSize(where: Where, size: Size, limits: DecodeLimits): Promise<Mask> {
  try {
    const { data, info } = await sharpFor(where.file, limits)
      .resize(size.width, size.height, { fit: 'cover', position: 'centre', kernel: 'nearest' })
      .flatten({ background: '#000000' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const out = new Uint8Array(size.width * size.height);
    const ch = info.channels;
    for (let p = 0; p < out.length; p++) out[p] = data[p * ch]! >= 128 ? 255 : 0;
    return { width: size.width, height: size.height, data: out };
  } catch (err) {
    throw new DataFileError(where, reasonOf(err));
  }
}
