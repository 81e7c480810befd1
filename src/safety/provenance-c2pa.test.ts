// The C2PA manifests flowpaint writes, held to the reference implementation: c2pa-rs, run from
// @contentauth/c2pa-wasm (installed from the npm registry, no download, no network).
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import sharp from 'sharp';
import { encodeImage } from '../pipeline/image-io.ts';
import { c2paSignerFromPem, readC2paManifest } from './c2pa.ts';
import { type ReferenceReport, unexpectedFailures, validateWithReference } from './c2pa-reference.ts';
import { DIGITAL_SOURCE_TYPE } from './provenance.ts';

const W = 48;
const H = 32;
const image = (() => {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set([x * 5, y * 7, (x * y) & 255], (y * W + x) * 3);
  return { width: W, height: H, data };
})();
const FORMATS = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;
type Format = keyof typeof FORMATS;
const MODEL = { model: 'flowpaint-tiny', version: '0.3.1' };

function actionsOf(r: ReferenceReport): Array<Record<string, unknown>> {
  const a = r.manifest?.assertions?.find((x) => x.label === 'c2pa.actions.v2');
  return (a?.data.actions as Array<Record<string, unknown>> | undefined) ?? [];
}

function assertValid(r: ReferenceReport, what: string): void {
  assert.deepEqual(unexpectedFailures(r), [], `${what}: ${JSON.stringify(r.failures)}`);
  assert.equal(r.state, 'Valid', what);
  for (const code of ['claimSignature.validated', 'assertion.dataHash.match']) assert.ok(r.successes.includes(code), `${what}: no ${code} in ${r.successes.join(', ')}`);
}

// ---------------------------------------------------------------- tampering helpers

interface Chunk {
  type: string;
  start: number;
  end: number;
}

function pngChunks(buf: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let off = 8; off + 12 <= buf.length; ) {
    const end = off + 12 + buf.readUInt32BE(off);
    out.push({ type: buf.toString('latin1', off + 4, off + 8), start: off, end });
    off = end;
  }
  return out;
}

/** The signed PNG with one pixel changed, re-encoded the way a careful forger would: valid chunks and CRCs, every other chunk (the manifest too) kept. */
async function changeOnePngPixel(signed: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(signed).raw().toBuffer({ resolveWithObject: true });
  data[0] = data[0]! ^ 0x01;
  const forged = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).png({ compressionLevel: 6 }).toBuffer();
  const idat = pngChunks(forged).filter((c) => c.type === 'IDAT').map((c) => forged.subarray(c.start, c.end));
  const parts: Buffer[] = [signed.subarray(0, 8)];
  let placed = false;
  for (const c of pngChunks(signed)) {
    if (c.type !== 'IDAT') parts.push(signed.subarray(c.start, c.end));
    else if (!placed) {
      parts.push(...idat);
      placed = true;
    }
  }
  return Buffer.concat(parts);
}

/** Flips one bit in the compressed image data (JPEG scan data, WebP VP8 bitstream). */
function flipImageDataBit(signed: Buffer, format: 'jpeg' | 'webp'): Buffer {
  const out = Buffer.from(signed);
  let at: number;
  if (format === 'jpeg') {
    const sos = out.indexOf(Buffer.from([0xff, 0xda]));
    at = sos + 2 + out.readUInt16BE(sos + 2) + 16;
    while (out[at] === 0xff || out[at] === 0xfe || out[at - 1] === 0xff) at++; // never make or break a marker
  } else {
    at = out.indexOf(Buffer.from('VP8 ', 'latin1')) + 8 + 20;
  }
  out[at] = out[at]! ^ 0x01;
  return out;
}

// ---------------------------------------------------------------- tests

describe('C2PA manifests validate with the reference implementation (c2pa-rs)', () => {
  for (const format of Object.keys(FORMATS) as Format[]) {
    test(`a generated ${format}: valid, hard-bound to its bytes, trainedAlgorithmicMedia`, async () => {
      const bytes = await encodeImage(image, { format, provenance: { ...MODEL, operation: 'generate' } });
      const r = await validateWithReference(bytes, FORMATS[format]);
      assertValid(r, format);
      assert.equal(r.failures.length, 1, 'the only failure: the self-signed certificate is on no trust list');
      assert.equal(r.failures[0]!.code, 'signingCredential.untrusted');
      assert.ok(r.successes.includes('assertion.hashedURI.match'));
      assert.equal(r.manifest?.signature_info?.alg, 'Es256');
      assert.equal(r.manifest?.claim_version, 2);
      const actions = actionsOf(r);
      assert.equal(actions.length, 1);
      assert.equal(actions[0]!.action, 'c2pa.created');
      assert.equal(actions[0]!.digitalSourceType, DIGITAL_SOURCE_TYPE);
      assert.deepEqual(r.manifest?.ingredients ?? [], []);
      // The file is still the same picture (lossless PNG: the same pixels).
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([meta.width, meta.height, meta.format], [W, H, format]);
      if (format === 'png') assert.deepEqual(new Uint8Array(await sharp(bytes).raw().toBuffer()), image.data);
      // c2pa-ts reads the same manifest back.
      const own = await readC2paManifest(bytes);
      assert.ok(own.codes.includes('claimSignature.validated') && own.codes.includes('assertion.dataHash.match'), own.codes.join(', '));
    });
  }

  test('an edit names its parent as a parentOf ingredient, opened then edited (PNG → PNG, JPEG, WebP)', async () => {
    const parent = await encodeImage(image, { format: 'png', provenance: { ...MODEL, operation: 'generate' } });
    const parentReport = await validateWithReference(parent, 'image/png');
    for (const format of Object.keys(FORMATS) as Format[]) {
      const edited = await encodeImage(image, { format, provenance: { ...MODEL, operation: 'edit', prompt: 'make the tree red', parent: { bytes: parent, title: 'stars-1.png' } } });
      const r = await validateWithReference(edited, FORMATS[format]);
      assertValid(r, `edit → ${format}`);
      const ingredients = r.manifest?.ingredients ?? [];
      assert.equal(ingredients.length, 1);
      assert.equal(ingredients[0]!.relationship, 'parentOf');
      assert.equal(ingredients[0]!.title, 'stars-1.png');
      assert.equal(ingredients[0]!.format, 'image/png');
      // The parent's own C2PA instance ID, so the two manifests can be matched up.
      assert.equal(ingredients[0]!.instance_id, parentReport.manifest?.instance_id);
      assert.ok(r.successes.some((s) => s === 'assertion.hashedURI.match'));
      const actions = actionsOf(r);
      assert.deepEqual(actions.map((a) => a.action), ['c2pa.opened', 'c2pa.edited']);
      const opened = actions[0]!.parameters as { ingredients: Array<{ url: string }> };
      assert.match(opened.ingredients[0]!.url, /c2pa\.assertions\/c2pa\.ingredient\.v3$/);
      assert.equal(actions[1]!.digitalSourceType, DIGITAL_SOURCE_TYPE);
      const own = await readC2paManifest(edited);
      assert.equal(own.ingredients[0]?.relationship, 'parentOf');
    }
  });

  test('an inpaint of a plain JPEG (no manifest) names it too, by a hash-based instance ID', async () => {
    const plain = await sharp(image.data, { raw: { width: W, height: H, channels: 3 } }).jpeg().toBuffer();
    const edited = await encodeImage(image, { format: 'webp', provenance: { ...MODEL, operation: 'inpaint', parent: { bytes: plain, title: 'photo.jpg' } } });
    const r = await validateWithReference(edited, 'image/webp');
    assertValid(r, 'inpaint');
    const ing = r.manifest?.ingredients?.[0];
    assert.equal(ing?.format, 'image/jpeg');
    assert.match(String(ing?.instance_id), /^xmp:iid:sha256:[0-9a-f]{64}$/);
  });

  test('WebP: the C2PA chunk validates with an odd and with an even length (RIFF pad byte)', async () => {
    const { WebP } = await import('./webp-asset.ts');
    const parities = new Set<number>();
    const parent = await encodeImage(image, { format: 'png', provenance: MODEL });
    for (const title of ['a.png', 'ab.png']) {
      const bytes = await encodeImage(image, { format: 'webp', provenance: { ...MODEL, operation: 'edit', parent: { bytes: parent, title } } });
      parities.add(new WebP(bytes).getManifestJUMBF()!.length & 1);
      assertValid(await validateWithReference(bytes, 'image/webp'), `webp, parent ${title}`);
      assert.equal((await sharp(bytes).metadata()).format, 'webp');
    }
    assert.equal(parities.size, 2, 'both parities were exercised');
  });

  test('changing one pixel of a PNG makes validation fail', async () => {
    const signed = Buffer.from(await encodeImage(image, { format: 'png', provenance: MODEL }));
    const forged = await changeOnePngPixel(signed);
    // Exactly one pixel differs, and the manifest chunk is untouched.
    const [a, b] = [await sharp(signed).raw().toBuffer(), await sharp(forged).raw().toBuffer()];
    assert.equal(a.filter((v, i) => v !== b[i]).length, 1);
    const caBX = (buf: Buffer) => pngChunks(buf).find((c) => c.type === 'caBX')!;
    assert.deepEqual(forged.subarray(caBX(forged).start, caBX(forged).end), signed.subarray(caBX(signed).start, caBX(signed).end));
    const r = await validateWithReference(forged, 'image/png');
    assert.equal(r.state, 'Invalid');
    assert.ok(r.failures.some((f) => f.code === 'assertion.dataHash.mismatch'), JSON.stringify(r.failures));
    assert.ok((await readC2paManifest(forged)).codes.includes('assertion.dataHash.mismatch'));
  });

  for (const format of ['jpeg', 'webp'] as const) {
    test(`changing the image data of a ${format} makes validation fail`, async () => {
      const signed = Buffer.from(await encodeImage(image, { format, provenance: MODEL }));
      const r = await validateWithReference(flipImageDataBit(signed, format), FORMATS[format]);
      assert.equal(r.state, 'Invalid');
      assert.ok(r.failures.some((f) => f.code === 'assertion.dataHash.mismatch'), JSON.stringify(r.failures));
    });
  }

  test("a deployment's own certificate (ECDSA P-384, from PEM) signs ES384 and validates", async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=flowpaint test deployment',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      signingAlgorithm: alg,
      keys,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.4']),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
    const signer = c2paSignerFromPem(cert.toString('pem'), keyPem);
    assert.equal(signer.selfSigned, false);
    const { addC2paManifest } = await import('./c2pa.ts');
    const png = await sharp(image.data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
    const r = await validateWithReference(await addC2paManifest(png, MODEL, signer), 'image/png');
    assertValid(r, 'ES384');
    assert.equal(r.manifest?.signature_info?.alg, 'Es384');
    assert.equal(r.manifest?.signature_info?.common_name, 'flowpaint test deployment');
    assert.throws(() => c2paSignerFromPem('not a certificate', keyPem));
  });
});
