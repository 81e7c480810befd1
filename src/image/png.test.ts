// encodePng: lossless, readable by sharp (libvips) with its XMP, and laid out as the PNG sharp
// wrote before it: same chunks in the same order with the same contents, only the deflate
// stream's bytes may differ.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { encodePng } from './png.ts';

function image(width: number, height: number, seed: number) {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    // Smooth gradients with some noise, so the data neither compresses to nothing nor not at all.
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = ((i % (width * 3)) * 3 + Math.floor(i / (width * 3)) * 5 + (s >>> 28)) & 255;
  }
  return { width, height, data };
}

interface Chunk {
  type: string;
  data: Buffer;
}

function chunks(png: Buffer): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

/** Chunk types in order, runs of IDAT as one; zTXt with its text inflated; IDAT as the inflated rows. */
function layout(png: Buffer) {
  const cs = chunks(png);
  const types = cs.map((c) => c.type).filter((t, i, all) => t !== 'IDAT' || all[i - 1] !== 'IDAT');
  const contents = cs
    .filter((c) => c.type !== 'IDAT')
    .map((c) => {
      if (c.type !== 'zTXt') return [c.type, c.data.toString('hex')];
      const nul = c.data.indexOf(0);
      return [c.type, c.data.toString('latin1', 0, nul), c.data[nul + 1], inflateSync(c.data.subarray(nul + 2)).toString('utf8')];
    });
  const rows = inflateSync(Buffer.concat(cs.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  return { types, contents, rows, idatSizes: cs.filter((c) => c.type === 'IDAT').map((c) => c.data.length) };
}

const XMP = '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">ö</x:xmpmeta>\n<?xpacket end="w"?>';

describe('encodePng', () => {
  for (const [w, h] of [[1, 1], [17, 5], [128, 128], [64, 256], [300, 90]] as const) {
    test(`${w}x${h}: sharp decodes the same pixels and the same XMP`, async () => {
      const img = image(w, h, w * 31 + h);
      const png = encodePng(img, XMP);
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height, info.channels], [w, h, 3]);
      assert.deepEqual(new Uint8Array(data), img.data);
      assert.equal((await sharp(png).metadata()).xmp?.toString('utf8'), XMP);
    });
  }

  test("the layout sharp's PNG had: IHDR, pHYs, zTXt XMP, IDAT of at most 8 KiB, IEND, each with sharp's content", async () => {
    const img = image(128, 128, 7);
    const ours = layout(encodePng(img, XMP));
    const theirs = layout(await sharp(img.data, { raw: { width: 128, height: 128, channels: 3 } }).png({ compressionLevel: 6 }).withXmp(XMP).toBuffer());
    assert.deepEqual(ours.types, ['IHDR', 'pHYs', 'zTXt', 'IDAT', 'IEND']);
    assert.deepEqual(ours.types, theirs.types);
    assert.deepEqual(ours.contents, theirs.contents);
    // The same filtered rows (unfiltered, as libvips writes them) inside the deflate stream.
    assert.ok(ours.rows.equals(theirs.rows));
    assert.ok(ours.idatSizes.length > 1 && ours.idatSizes.every((n) => n <= 8192), ours.idatSizes.join(','));
  });

  test('without XMP there is no zTXt chunk', () => {
    assert.deepEqual(layout(encodePng(image(8, 8, 1))).types, ['IHDR', 'pHYs', 'IDAT', 'IEND']);
  });

  test('a wrong size or byte count is refused with what was wrong', () => {
    assert.throws(() => encodePng({ width: 0, height: 4, data: new Uint8Array(0) }), /bad image size 0x4/);
    assert.throws(() => encodePng({ width: 2.5, height: 4, data: new Uint8Array(30) }), /bad image size 2\.5x4/);
    assert.throws(() => encodePng({ width: 4, height: 4, data: new Uint8Array(47) }), /47 bytes for a 4x4 RGB image \(expected 48\)/);
  });
});
