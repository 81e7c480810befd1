// Image files in and out: decoding with clear errors (not an image, truncated, too many pixels),
// encoding PNG/JPEG/WebP with generation metadata (PNG text chunks, XMP), and atomic writes so a
// failed run never leaves a half-written file. sharp does all of it but PNG encoding (image/png.ts),
// and is imported on first use: a `generate` that writes a PNG at the model's size never loads it.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../engine/index.ts';
import { InputError } from '../errors.ts';
import type { Mask, RgbImage } from '../image/index.ts';
// From the modules themselves, not safety/index.ts (see pipeline.ts).
import { addC2paManifest } from '../safety/c2pa.ts';
import { type ProvenanceInput, insertPngText, provenanceMetadata, readPngText } from '../safety/provenance.ts';
import { encodePng, insertAfterIhdr, pngChunk } from '../image/png.ts';
import { loadSharp } from '../image/sharp.ts';

/** Inputs above this many pixels are refused before decoding (decompression bombs). */
export const MAX_INPUT_PIXELS = 4096 * 4096;

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export type { Mask };

export async function decodeImage(bytes: Uint8Array, what = 'image'): Promise<RgbImage> {
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    const msg = (err as Error).message;
    if (/pixel limit/i.test(msg)) throw new InputError(`${what} has more than ${MAX_INPUT_PIXELS.toLocaleString('en-US')} pixels (the input limit)`);
    if (/unsupported image format|bad seek|Input buffer contains unsupported/i.test(msg)) throw new InputError(`${what} is not an image (PNG, JPEG, WebP, GIF, AVIF or TIFF)`);
    if (/truncated|premature end|corrupt|invalid/i.test(msg)) throw new InputError(`${what} is truncated or corrupt (${msg.split('\n')[0]})`);
    throw new InputError(`${what} could not be decoded: ${msg.split('\n')[0]}`);
  }
}

export async function readImage(path: string): Promise<RgbImage> {
  return decodeImage(readInput(path), path);
}

/** A mask file → 0/255 per pixel (white or opaque = change), checked against the image size. */
export async function readMask(path: string, width: number, height: number): Promise<Mask> {
  const bytes = readInput(path);
  const img = await decodeImage(bytes, path);
  if (img.width !== width || img.height !== height) {
    throw new InputError(`mask ${path} is ${img.width}×${img.height} but the image is ${width}×${height}; they must match`);
  }
  return maskFromRgb(img);
}

export function maskFromRgb(img: RgbImage): Mask {
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) {
    const v = (img.data[i * 3]! + img.data[i * 3 + 1]! + img.data[i * 3 + 2]!) / 3;
    data[i] = v >= 128 ? 255 : 0;
  }
  return { width: img.width, height: img.height, data };
}

function readInput(path: string): Uint8Array {
  if (!existsSync(path)) throw new InputError(`${path} does not exist`);
  if (statSync(path).isDirectory()) throw new InputError(`${path} is a directory, not an image`);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(`${path} cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
}

export interface EncodeOptions {
  format: ImageFormat;
  /** JPEG/WebP quality 1–100 (OpenAI's output_compression); ignored for PNG. */
  quality?: number;
  /** Generation parameters, as PNG text chunks (JPEG/WebP: write a sidecar). */
  metadata?: Record<string, string>;
  /**
   * Marks the file as AI-generated with model and version: an XMP packet (every format), PNG
   * text chunks, and a signed C2PA manifest (PNG, JPEG and WebP; for edits it names
   * `provenance.parent` as the parent ingredient). Every image flowpaint makes carries it.
   */
  provenance?: ProvenanceInput;
  /** PNG only: EXIF as TIFF bytes (no "Exif" header), written as an eXIf chunk before the manifest. */
  exif?: Uint8Array;
}

export async function encodeImage(img: RgbImage, opts: EncodeOptions): Promise<Uint8Array> {
  const prov = opts.provenance ? provenanceMetadata(opts.provenance) : undefined;
  let buf: Buffer;
  if (opts.format === 'png') {
    buf = encodePng(img, prov?.xmp);
    const text = { ...(prov?.text ?? {}), ...(opts.metadata ?? {}) };
    if (Object.keys(text).length) buf = insertPngText(buf, text);
    if (opts.exif) buf = insertAfterIhdr(buf, [pngChunk('eXIf', opts.exif)]);
  } else {
    const sharp = await loadSharp();
    let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
    if (prov) s = s.withXmp(prov.xmp);
    s = opts.format === 'jpeg' ? s.jpeg({ quality: opts.quality ?? 92, mozjpeg: true }) : s.webp({ quality: opts.quality ?? 90 });
    buf = await s.toBuffer();
  }
  // Last, so the manifest's hard binding covers every other byte of the file.
  if (opts.provenance) buf = await addC2paManifest(buf, opts.provenance);
  return new Uint8Array(buf);
}

export { readPngText };

/** Fails before any work if the output cannot be written (missing folder, no permission). */
export function checkWritable(path: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new InputError(`cannot write ${path}: folder ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(`cannot write ${path}: folder ${dir} is not writable`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`cannot write ${path}: it is a directory`);
}

/** Writes through a temp file and a rename, so readers never see a partial image. */
export function writeFileAtomically(path: string, bytes: Uint8Array): void {
  try {
    writeFileAtomic(path, bytes);
  } catch (err) {
    throw new InputError(`cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function formatFromPath(path: string): ImageFormat | undefined {
  const ext = path.toLowerCase().split('.').pop();
  if (ext === 'png') return 'png';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'webp') return 'webp';
  return undefined;
}

/** Resizes an RGB image (bilinear-ish, sharp's default kernel); returns the input if the size matches. */
export async function resizeImage(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (img.width === width && img.height === height) return img;
  const sharp = await loadSharp();
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Resizes a mask with nearest-neighbour sampling, so it stays strictly 0/255. */
export async function resizeMask(mask: Mask, width: number, height: number): Promise<Mask> {
  if (mask.width === width && mask.height === height) return mask;
  const sharp = await loadSharp();
  const data = await sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'nearest' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
