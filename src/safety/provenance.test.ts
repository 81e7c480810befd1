import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { addC2paManifest, readC2paManifest } from './c2pa.ts';
import { ImageFilter, type ImageDetector } from './image-filter.ts';
import { loadSafetyPolicy } from './policy.ts';
import { DIGITAL_SOURCE_TYPE, encodePngWithProvenance, insertPngText, provenanceMetadata, readPngText, readProvenance } from './provenance.ts';
import { releaseImage } from './release.ts';

const image = { width: 24, height: 16, data: new Uint8Array(24 * 16 * 3).fill(120) };
const neutral: ImageDetector = { name: 'fixed', classify: async () => ({ Neutral: 1 }) };

describe('provenance', () => {
  test('PNG text chunks and XMP say AI-generated, with model and version, and read back', async () => {
    const meta = provenanceMetadata({ model: 'flowpaint-tiny', version: '0.3.1', prompt: 'a café at dusk', seed: 42, created: new Date('2026-01-02T03:04:05Z') });
    const png = encodePngWithProvenance(image, meta);
    const { record, text, xmp } = await readProvenance(png);
    assert.equal(record?.ai_generated, true);
    assert.equal(record?.model, 'flowpaint-tiny');
    assert.equal(record?.model_version, '0.3.1');
    assert.equal(record?.digital_source_type, DIGITAL_SOURCE_TYPE);
    assert.equal(record?.seed, 42);
    assert.match(String(record?.prompt_sha256), /^[0-9a-f]{64}$/);
    assert.equal(record?.prompt, undefined, 'the prompt itself is not stored unless asked');
    assert.equal(text.Software, 'flowpaint 0.1.0');
    assert.equal(text.Source, 'flowpaint-tiny 0.3.1');
    assert.ok(xmp?.includes('Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"'));
    assert.ok(xmp?.includes('flowpaint:ModelVersion="0.3.1"'));
    // The pixels are untouched.
    const raw = await sharp(png).raw().toBuffer();
    assert.deepEqual(new Uint8Array(raw), image.data);
  });

  test('non-Latin-1 text goes into iTXt and round-trips', () => {
    const meta = provenanceMetadata({ model: 'm', version: '1', prompt: 'ein Café — 喫茶店', includePrompt: true });
    const png = encodePngWithProvenance(image, meta);
    assert.equal(readPngText(png).Description, 'ein Café — 喫茶店');
    assert.throws(() => insertPngText(png, { ['k'.repeat(80)]: 'x' }), /1-79/);
    assert.throws(() => readPngText(Buffer.from('not a png')), /not a PNG/);
  });

  test('a signed C2PA manifest records trainedAlgorithmicMedia and detects tampering', async () => {
    const png = encodePngWithProvenance(image, provenanceMetadata({ model: 'flowpaint-tiny', version: '0.3.1' }));
    const signed = await addC2paManifest(png, { model: 'flowpaint-tiny', version: '0.3.1' });
    const report = await readC2paManifest(signed);
    assert.equal(report.present, true);
    assert.ok(report.codes.includes('claimSignature.validated'), report.codes.join(', '));
    assert.ok(report.codes.includes('assertion.dataHash.match'), report.codes.join(', '));
    assert.equal(report.actions[0]?.action, 'c2pa.created');
    assert.equal(report.actions[0]?.digitalSourceType, DIGITAL_SOURCE_TYPE);
    // The other provenance survives the manifest insertion.
    assert.equal((await readProvenance(signed)).record?.model, 'flowpaint-tiny');
    const tampered = Buffer.from(signed);
    tampered[tampered.length - 20]! ^= 0xff;
    assert.ok((await readC2paManifest(tampered)).codes.includes('assertion.dataHash.mismatch'));
    assert.equal((await readC2paManifest(png)).present, false);
  });

  test('releaseImage embeds all three by default', async () => {
    const policy = loadSafetyPolicy();
    const parent = encodePngWithProvenance(image, provenanceMetadata({ model: 'flowpaint-tiny', version: '0.3.1' }));
    const { png } = await releaseImage(image, policy, { filter: new ImageFilter(policy, neutral), provenance: { model: 'flowpaint-tiny', version: '0.3.1', operation: 'edit', parent: { bytes: parent, title: 'in.png' } } });
    const p = await readProvenance(png);
    assert.equal(p.record?.operation, 'edit');
    assert.match(String(p.record?.parent_sha256), /^[0-9a-f]{64}$/);
    const c = await readC2paManifest(png);
    assert.deepEqual(c.actions.map((a) => a.action), ['c2pa.opened', 'c2pa.edited']);
    assert.deepEqual(c.ingredients.map((i) => [i.relationship, i.title]), [['parentOf', 'in.png']]);
  });
});
