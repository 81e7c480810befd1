// Image files in and out, with sharp: decoding with clear errors (not an image, truncated, too
// many pixels), encoding PNG/JPEG/WebP with generation metadata (PNG text chunks, XMP), and
// atomic writes so a failed run never leaves a half-written file.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { writeFileAtomic } from '../engine/index.ts';
import { InputError } from '../errors.ts';
import type { Rgb } from '../model/layout.ts';

/** Inputs above this many pixels are refused before decoding (decompression bombs). */
export const MAX_INPUT_PIXELS = 4096 * 4096;

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface Mask {
  width: number;
  height: number;
  /** 0 or 255 per pixel. */
  data: Uint8Array;
}

export async function decodeImage(bytes: Uint8Array, what = 'image'): Promise<Rgb> {
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

export async function readImage(path: string): Promise<Rgb> {
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

export function maskFromRgb(img: Rgb): Mask {
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
  /** Key/value text: PNG text chunks, and an XMP description for JPEG/WebP. */
  metadata?: Record<string, string>;
  /** A whole XMP packet to embed (provenance); written for every format. */
  xmp?: string;
}

export async function encodeImage(img: Rgb, opts: EncodeOptions): Promise<Uint8Array> {
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  const xmp = opts.xmp ?? (opts.metadata && opts.format !== 'png' ? xmpFromMetadata(opts.metadata) : undefined);
  if (xmp) s = s.withXmp(xmp);
  if (opts.format === 'png') s = s.png({ compressionLevel: 6 });
  else if (opts.format === 'jpeg') s = s.jpeg({ quality: opts.quality ?? 92, mozjpeg: true });
  else s = s.webp({ quality: opts.quality ?? 90 });
  const buf = new Uint8Array(await s.toBuffer());
  return opts.format === 'png' && opts.metadata ? addPngText(buf, opts.metadata) : buf;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function xmpFromMetadata(meta: Record<string, string>): string {
  const fields = Object.entries(meta)
    .map(([k, v]) => `<flowpaint:${k.replace(/[^A-Za-z0-9_]/g, '_')}>${escapeXml(v)}</flowpaint:${k.replace(/[^A-Za-z0-9_]/g, '_')}>`)
    .join('');
  return `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:flowpaint="https://flowpaint.dev/ns/1.0/">${fields}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
}

/** Inserts iTXt chunks (UTF-8 text, uncompressed) after IHDR. */
export function addPngText(png: Uint8Array, meta: Record<string, string>): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const [key, value] of Object.entries(meta)) {
    if (!/^[\x20-\x7e]{1,79}$/.test(key)) throw new Error(`PNG text key '${key}' must be 1–79 printable Latin-1 characters`);
    const body = new Uint8Array([...enc.encode(key), 0, 0, 0, 0, 0, ...enc.encode(value)]);
    chunks.push(pngChunk('iTXt', body));
  }
  const ihdrEnd = 8 + 8 + 13 + 4; // signature + IHDR (length, type, 13 bytes, CRC)
  const out = new Uint8Array(png.length + chunks.reduce((a, c) => a + c.length, 0));
  out.set(png.subarray(0, ihdrEnd), 0);
  let at = ihdrEnd;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  out.set(png.subarray(ihdrEnd), at);
  return out;
}

function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  const typeBytes = new TextEncoder().encode(type);
  out.set(typeBytes, 4);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** Reads iTXt/tEXt chunks back (tests, and replaying a chain of edits from a file). */
export function readPngText(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const dec = new TextDecoder();
  let at = 8;
  while (at + 8 <= png.length) {
    const len = dv.getUint32(at);
    const type = dec.decode(png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + len);
    if (type === 'iTXt' || type === 'tEXt') {
      const z = body.indexOf(0);
      const key = dec.decode(body.subarray(0, z));
      if (type === 'tEXt') out[key] = new TextDecoder('latin1').decode(body.subarray(z + 1));
      else if (body[z + 1] === 0) {
        // compression flag 0; skip method, language tag and translated keyword (each NUL-terminated)
        let p = z + 3;
        p = body.indexOf(0, p) + 1;
        p = body.indexOf(0, p) + 1;
        out[key] = dec.decode(body.subarray(p));
      }
    }
    if (type === 'IEND') break;
    at += 12 + len;
  }
  return out;
}

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
