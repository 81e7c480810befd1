// loadFlash: the student of a model directory, checked against the base model when loaded, with
// its float32 weights (and the base model's) made only when first read: a `generate --fast` whose
// graphs come from the cache never reads them (issue #15, cold start).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { HostTensor, asFloat32, readSafetensors, writeSafetensors } from '../engine/index.ts';
import { fileDigest } from '../engine/graph-cache.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { guidanceEmbeddingShapes } from './config.ts';
import { FLASH_FILE, type FlashEntry, fingerprintText, isStudentTensor, loadFlash, saveFlash } from './flash.ts';
import { type LoadedModel, loadModel } from './store.ts';

/** A copy of the tiny model with a Flash whose denoiser is the base's plus 0.25. */
function modelWithFlash(tiny: string): { dir: string; student: Map<string, HostTensor> } {
  const dir = join(mkdtempSync(join(tmpdir(), 'flash-load-')), 'model');
  cpSync(tiny, dir, { recursive: true });
  const base = loadModel(dir);
  const student = new Map<string, HostTensor>();
  for (const [name, t] of base.weights) if (isStudentTensor(name)) student.set(name, HostTensor.f32(t.f32().map((v) => v + 0.25), t.shape));
  const entry: FlashEntry = {
    file: FLASH_FILE,
    steps: 4,
    teacherSteps: 20,
    guidance: 7,
    imageGuidance: 1.5,
    textFingerprint: fingerprintText(base.weights),
    teacher: { id: base.info.id, version: base.info.version },
  };
  saveFlash(dir, student, entry);
  return { dir, student };
}

/** Counts the reads of `model.weights` (loadModel's getter, which makes every tensor float32). */
function countWeightReads(model: LoadedModel): { reads: number } {
  const counter = { reads: 0 };
  const get = Object.getOwnPropertyDescriptor(model, 'weights')!.get!;
  Object.defineProperty(model, 'weights', {
    get() {
      counter.reads++;
      return get.call(model);
    },
    configurable: true,
  });
  return counter;
}

describe('loadFlash', () => {
  let tiny: string;
  before(async () => {
    tiny = await tinyModelDir();
  });

  test("reads neither model's float32 weights until the student's are read; then they are the base's text encoder and the student's denoiser", () => {
    const { dir, student } = modelWithFlash(tiny);
    const base = loadModel(dir);
    const baseReads = countWeightReads(base);
    const flash = loadFlash(base);
    assert.equal(flash.kind, 'ready');
    if (flash.kind !== 'ready') return;
    assert.equal(baseReads.reads, 0, 'loading Flash made the base model float32');
    assert.equal(flash.model.info.version, `${base.info.version}+flash`);
    // The student's graphs are cached under both files' bytes, as before.
    const expected = createHash('sha256').update(`${base.weightsFile!.digest}+${fileDigest(join(dir, FLASH_FILE))}`).digest('hex');
    assert.deepEqual(flash.model.weightsFile, { path: join(dir, FLASH_FILE), digest: expected });

    const weights = flash.model.weights;
    assert.equal(flash.model.weights, weights, 'made once');
    const stored = readSafetensors(join(dir, FLASH_FILE)).tensors;
    assert.equal(weights.size, base.weights.size);
    for (const [name, t] of base.weights) {
      const s = weights.get(name)!;
      if (!isStudentTensor(name)) {
        assert.equal(s, t, `${name} is the base model's`);
        continue;
      }
      assert.equal(s.dtype, 'float32', name);
      assert.deepEqual(s.shape, t.shape, name);
      assert.deepEqual(s.f32(), asFloat32(stored.get(name)!).f32(), `${name} is the student's, as stored (float16)`);
      assert.ok(Math.abs(s.f32()[0]! - student.get(name)!.f32()[0]!) < 1e-2, name);
    }
  });

  test('a Flash distilled from other text-encoder weights is stale', () => {
    const { dir } = modelWithFlash(tiny);
    const weights = loadModel(dir).weights;
    const name = [...weights.keys()].find((k) => !isStudentTensor(k))!;
    const t = weights.get(name)!;
    const changed = new Map(weights);
    changed.set(name, HostTensor.f32(t.f32().map((v) => v + 0.5), t.shape));
    writeSafetensors(join(dir, 'weights.safetensors'), changed);
    const status = loadFlash(loadModel(dir));
    assert.equal(status.kind, 'stale');
    if (status.kind === 'stale') assert.match(status.reason, /was distilled from other base weights/);
  });

  test("a Flash file that does not match the base model's denoiser is an error naming the tensor", () => {
    const { dir, student } = modelWithFlash(tiny);
    const path = join(dir, FLASH_FILE);
    const [first, t] = [...student][0]!;
    const rewrite = (edit: (m: Map<string, HostTensor>) => void) => {
      const m = new Map(student);
      edit(m);
      writeSafetensors(path, m);
    };
    rewrite((m) => m.delete(first));
    assert.throws(() => loadFlash(loadModel(dir)), { name: 'InputError', message: `${path}: no tensor '${first}' (the base model has it)` });
    rewrite((m) => m.set(first, HostTensor.f32(new Float32Array(t.size + 1), [t.size + 1])));
    assert.throws(() => loadFlash(loadModel(dir)), { name: 'InputError', message: `${path}: tensor '${first}' is [${t.size + 1}] but the base model's is [${t.shape}]` });
    rewrite((m) => m.set('denoiser.extra', HostTensor.f32([1], [1])));
    assert.throws(() => loadFlash(loadModel(dir)), { name: 'InputError', message: `${path}: tensor 'denoiser.extra' is not in the base model (config and Flash weights disagree)` });
    rewrite(() => {});
    assert.equal(loadFlash(loadModel(dir)).kind, 'ready');
  });

  test('a Flash with a guidance range is a student with the guidance input and its tensors; an entry whose default is outside its range is an error', () => {
    const { dir, student } = modelWithFlash(tiny);
    const base = loadModel(dir);
    const configPath = join(dir, 'config.json');
    const entry = (JSON.parse(readFileSync(configPath, 'utf8')) as { flash: FlashEntry }).flash;
    const added = guidanceEmbeddingShapes(base.config);
    const withEmbedding = new Map(student);
    for (const [name, shape] of added) withEmbedding.set(name, HostTensor.f32(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape));
    // Without the range in its entry, the embedding's tensors are foreign to the student.
    saveFlash(dir, withEmbedding, entry);
    assert.throws(() => loadFlash(loadModel(dir)), /tensor 'denoiser\.guidance\.fc1\.\w+' is not in the base model/);
    saveFlash(dir, withEmbedding, { ...entry, guidanceRange: [2, 9] });
    const status = loadFlash(loadModel(dir));
    assert.equal(status.kind, 'ready');
    if (status.kind !== 'ready') return;
    assert.equal(status.model.config.guidanceEmbedding, true);
    assert.equal(base.config.guidanceEmbedding, false);
    assert.ok([...added.keys()].every((name) => status.model.weights.has(name)));
    // With the range, the embedding is required.
    saveFlash(dir, student, { ...entry, guidanceRange: [2, 9] });
    assert.throws(() => loadFlash(loadModel(dir)), /no tensor 'denoiser\.guidance\.fc1\.weight' \(its guidance embedding has it\)/);
    assert.throws(() => saveFlash(dir, withEmbedding, { ...entry, guidanceRange: [1, 5] }), /default scale 7 is outside guidanceRange \[1, 5\]/);
  });
});
