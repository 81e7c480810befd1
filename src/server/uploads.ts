// Getting image bytes out of a request: multipart files, base64 strings and data: URLs. Anything
// that is not an image is refused here with 415 by its first bytes, before a worker decodes it.
// Image URLs other than data: are refused: fetching them would let clients aim the server at
// addresses of the caller's choosing.
import { badRequest, unsupportedMedia } from './errors.ts';

const SIGNATURES: Array<[string, (b: Uint8Array) => boolean]> = [
  ['png', (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47],
  ['jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['gif', (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38],
  ['webp', (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP'],
  ['tiff', (b) => (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)],
  ['avif', (b) => ascii(b, 4, 8) === 'ftyp' && /^(avif|avis|heic|heix|mif1)$/.test(ascii(b, 8, 12))],
];

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

/** The image format the bytes start like, or undefined. */
export function sniffImage(bytes: Uint8Array): string | undefined {
  if (bytes.length < 12) return undefined;
  return SIGNATURES.find(([, test]) => test(bytes))?.[0];
}

export function requireImage(bytes: Uint8Array, param: string): Uint8Array {
  if (bytes.length === 0) throw badRequest(`${param} is empty`, param);
  if (!sniffImage(bytes)) throw unsupportedMedia(`${param} is not an image (PNG, JPEG, WebP, GIF, AVIF or TIFF)`, param);
  return bytes;
}

/** A base64 string or a data: URL → image bytes. */
export function bytesFromString(value: string, param: string): Uint8Array {
  const text = value.trim();
  if (/^https?:\/\//i.test(text)) {
    throw badRequest(`${param}: image URLs are not fetched by this server; send the image as a data: URL, base64, or a multipart file`, param);
  }
  let payload = text;
  const dataUrl = /^data:([^;,]*)(;[^,]*)?,/i.exec(text);
  if (dataUrl) {
    const media = dataUrl[1]!.toLowerCase();
    if (media && !media.startsWith('image/')) throw unsupportedMedia(`${param} is a data: URL of ${media}, not an image`, param);
    if (!/;base64/i.test(dataUrl[2] ?? '')) throw badRequest(`${param}: data: URLs must be base64-encoded`, param);
    payload = text.slice(dataUrl[0].length);
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload.replace(/\s+/g, ''))) throw badRequest(`${param} is neither base64 nor a data: URL`, param);
  return requireImage(new Uint8Array(Buffer.from(payload, 'base64')), param);
}

export async function bytesFromFile(file: File, param: string): Promise<Uint8Array> {
  return requireImage(new Uint8Array(await file.arrayBuffer()), param);
}
