// PNG encoding of RGB images with node:zlib, for every PNG flowpaint writes, and the chunk-level
// reading and insertion that provenance and EXIF use on those files.
//
// sharp (libvips) encoded them before, and importing sharp cost a `flowpaint generate` at the
// model's native size ~0.3 s of CPU on the 2-core VM under load (libvips, and the ~50 modules of
// semver that sharp's version check loads), for an image it then only had to deflate (issue #15,
// BENCHMARKS.md "Cold start"). The file has the layout sharp gave it: IHDR; pHYs at 1,000 pixels
// per metre (libvips' default); the XMP packet in a zTXt chunk `XML:com.adobe.xmp`, where libvips
// writes it and where sharp and exiftool read it; unfiltered rows deflated at zlib level 6 in IDAT
// chunks of at most 8 KiB; IEND. The compressed bytes differ from libvips' (another zlib build);
// the pixels and every chunk's content do not.
import { crc32, deflateSync } from 'node:zlib';
import type { RgbImage } from './types.ts';

/** The eight bytes every PNG file starts with. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IDAT_BYTES = 8192;
/** pHYs: 1,000 pixels per metre on both axes (unit byte 1 = metre), as libvips writes by default. */
const PIXELS_PER_METRE = 1000;
const XMP_KEYWORD = 'XML:com.adobe.xmp';

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG of the image, with `xmp` (a complete XMP packet) embedded when given. */
export function encodePng(image: RgbImage, xmp?: string): Buffer {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new Error(`PNG: bad image size ${width}x${height}`);
  }
  if (data.length !== width * height * 3) throw new Error(`PNG: ${data.length} bytes for a ${width}x${height} RGB image (expected ${width * height * 3})`);

  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
  const phys = Buffer.alloc(9);
  phys.writeUInt32BE(PIXELS_PER_METRE, 0);
  phys.writeUInt32BE(PIXELS_PER_METRE, 4);
  phys[8] = 1;

  // Each row: filter type 0 (none), then its pixels.
  const stride = width * 3;
  const rows = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) rows.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const deflated = deflateSync(rows, { level: 6 });

  const parts = [PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('pHYs', phys)];
  if (xmp !== undefined) {
    // zTXt: keyword, NUL, compression method 0 (deflate), the compressed text.
    parts.push(pngChunk('zTXt', Buffer.concat([Buffer.from(XMP_KEYWORD, 'latin1'), Buffer.from([0, 0]), deflateSync(Buffer.from(xmp, 'utf8'), { level: 6 })])));
  }
  for (let at = 0; at < deflated.length; at += IDAT_BYTES) parts.push(pngChunk('IDAT', deflated.subarray(at, at + IDAT_BYTES)));
  parts.push(pngChunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

/** A chunk of a PNG file: its type, its data, and where it starts and ends in the file. */
export interface PngChunk {
  type: string;
  data: Buffer;
  start: number;
  end: number;
}

/** The chunks of a PNG file in order, up to IEND; throws on a file that is not a PNG or is cut short. */
export function* pngChunks(png: Buffer): Generator<PngChunk> {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  let off = 8;
  while (off + 12 <= png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const end = off + 12 + len;
    if (end > png.length) throw new Error(`PNG chunk ${type} runs past the end of the file`);
    yield { type, data: png.subarray(off + 8, off + 8 + len), start: off, end };
    off = end;
    if (type === 'IEND') return;
  }
}

/** Inserts whole chunks (from pngChunk) right after IHDR: before the image data, where readers look first and eXIf must be. */
export function insertAfterIhdr(png: Buffer, added: Buffer[]): Buffer {
  const first = pngChunks(png).next();
  if (first.done || first.value.type !== 'IHDR') throw new Error('PNG does not start with IHDR');
  return Buffer.concat([png.subarray(0, first.value.end), ...added, png.subarray(first.value.end)]);
}
