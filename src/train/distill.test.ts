// Step distillation on the tiny model: the targets land the student's Euler step on the teacher's
// point, a run resumes bit for bit, the exported Flash loads beside the base weights and is
// refused when the base weights change.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HostTensor, Rng, TrainStep, compileTrainStep, initialTrainState, writeSafetensors } from '../engine/index.ts';
import { FLASH_FILE, isStudentTensor, loadFlash } from '../model/flash.ts';
import { ModelRunner } from '../model/runner.ts';
import { loadModel } from '../model/store.ts';
import { randomTinyModel, tinyModelDir } from '../testing/tiny-model.ts';
import { DISTILL_PRESETS, loadDistillConfig } from './distill-config.ts';
import { buildStudentGraph, distill, exportFlash, readDistillCheckpoint, studentConfig, studentStartWeights } from './distill.ts';
import { guidanceEmbeddingShapes } from '../model/config.ts';
import { gridFor } from '../model/layout.ts';
import type { LoadedModel } from '../model/store.ts';
import { studentBatch, textTrajectories } from './distill-teacher.ts';
import { SceneStream } from '../data/stream.ts';

const tiny = { ...DISTILL_PRESETS.tiny!, threads: 1 };

async function modelCopy(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'distill-model-')), 'model');
  cpSync(await tinyModelDir(), dir, { recursive: true });
  return dir;
}

/** The loaded Flash student runs: one prediction at 64×64 is finite and the size of its input. */
async function assertStudentDraws(model: LoadedModel): Promise<void> {
  const student = await ModelRunner.create(model, { threads: 1 }, { cache: false });
  try {
    const grid = gridFor(64, 64, model.config.patchSize);
    const noisy = new Rng(8).fillNormal(new Float32Array(grid.rows * grid.cols * model.config.patchSize ** 2 * 3));
    const [x] = await student.predict({ noisy: [noisy], t: 0.5, grid, cond: await student.encode(['a blue heart']) });
    assert.ok(x!.every(Number.isFinite) && x!.length === noisy.length);
  } finally {
    await student.release();
  }
}

/**
 * Runs `config` whole in one folder, and stopped after 2 steps then resumed in another, and asserts
 * the two end on the same tensors bit for bit. Returns both folders and checkpoints.
 */
async function wholeAndResumed(model: string, config: Parameters<typeof distill>[0]['config'], prefix: string) {
  const a = mkdtempSync(join(tmpdir(), `${prefix}-whole-`));
  const b = mkdtempSync(join(tmpdir(), `${prefix}-resumed-`));
  await distill({ modelDir: model, runDir: a, config, resume: false });
  await distill({ modelDir: model, runDir: b, config, resume: false, maxSteps: 2 });
  await distill({ modelDir: model, runDir: b, config, resume: true });
  const ca = readDistillCheckpoint(a);
  const cb = readDistillCheckpoint(b);
  assert.equal(ca.tensors.size, cb.tensors.size);
  for (const [name, t] of ca.tensors) assert.deepEqual(Buffer.from(cb.tensors.get(name)!.f32().buffer), Buffer.from(t.f32().buffer), name);
  return { a, b, ca, cb };
}

describe('distill', () => {
  test('targets: one student Euler step with the target velocity lands on the teacher point at the next student time', async () => {
    const model = loadModel(await tinyModelDir());
    const runner = await ModelRunner.create(model, { threads: 1 });
    try {
      const samples = new SceneStream({ seed: 3, buckets: model.config.sizes!.buckets, batchSize: 2, editFraction: 0 }).nextBatch();
      const trs = await textTrajectories(runner, samples, new Rng(1), tiny, { guidance: 2, imageGuidance: 1 });
      assert.equal(trs.length, 2);
      assert.equal(trs[0]!.points.length, tiny.teacherSteps + 1);
      const feeds = studentBatch(runner, trs, tiny);
      const B = 2 * tiny.teacherSteps;
      assert.deepEqual(feeds.image!.shape.slice(0, 1), [B]);
      const x = feeds.image!.f32();
      const v = feeds.velocity!.f32();
      const len = trs[0]!.points[0]!.length;
      const k = tiny.teacherSteps / tiny.studentSteps;
      for (let b = 0; b < B; b++) {
        const tr = trs[Math.floor(b / tiny.teacherSteps)]!;
        const i = b % tiny.teacherSteps;
        const j = (Math.floor(i / k) + 1) * k;
        const t = tr.schedule[i]!;
        const t2 = tr.schedule[j]!;
        const dt = t2 === 0 ? Math.max(t, 0.05) : t - t2;
        let worst = 0;
        for (let e = 0; e < len; e++) worst = Math.max(worst, Math.abs(x[b * len + e]! - dt * v[b * len + e]! - tr.points[j]![e]!));
        assert.ok(worst < 1e-4, `pair ${b}: lands ${worst} from the teacher point`);
      }
      // The trajectories are the teacher's: the state moves, and differs between the two prompts.
      assert.notDeepEqual(trs[0]!.points[tiny.teacherSteps], trs[0]!.points[0]);
      assert.notDeepEqual(trs[0]!.points[tiny.teacherSteps], trs[1]!.points[tiny.teacherSteps]);

      // The student graph learns them: repeated steps on this batch lower its loss.
      const graph = buildStudentGraph(model.config, B);
      const params = graph.scope.params();
      const step = await TrainStep.create(
        compileTrainStep({ loss: graph.loss, params, optimizer: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 } }),
        initialTrainState(new Map(params.map((p) => [p.name!, model.weights.get(p.name!)!]))),
        { threads: 1 },
      );
      const losses: number[] = [];
      for (let s = 0; s < 30; s++) losses.push((await step.run(feeds, 1e-3)).loss);
      await step.release();
      assert.ok(losses[29]! < 0.7 * losses[0]!, `loss ${losses[0]} → ${losses[29]}`);
    } finally {
      await runner.release();
    }
  });

  test('N steps equal N/2 + resume + N/2 bit for bit; export writes Flash that loads; stale Flash is refused', async () => {
    const model = await modelCopy();
    const config = { ...tiny, steps: 4 };
    const { a, b, ca, cb } = await wholeAndResumed(model, config, 'distill');
    await assert.rejects(distill({ modelDir: model, runDir: b, config, resume: false }), /already holds a distillation checkpoint/);
    assert.equal(ca.meta.step, 4);
    assert.equal(cb.meta.step, 4);
    assert.deepEqual(cb.meta.data, ca.meta.data);
    // The student is the denoiser only; the text encoder stays the base model's.
    assert.ok([...ca.tensors.keys()].every((k) => isStudentTensor(k.slice(k.indexOf('/') + 1))));

    assert.equal(loadFlash(loadModel(model)).kind, 'absent');
    const { path, entry } = exportFlash(a);
    assert.equal(path, join(model, FLASH_FILE));
    assert.deepEqual([entry.steps, entry.teacherSteps, entry.training?.steps], [tiny.studentSteps, tiny.teacherSteps, 4]);
    const base = loadModel(model);
    const flash = loadFlash(base);
    assert.equal(flash.kind, 'ready');
    if (flash.kind !== 'ready') return;
    let changed = 0;
    for (const [name, t] of base.weights) {
      const s: HostTensor = flash.model.weights.get(name)!;
      if (!isStudentTensor(name)) assert.equal(s, t, `${name} is the base model's`);
      else if (Buffer.compare(Buffer.from(s.f32().buffer), Buffer.from(t.f32().buffer)) !== 0) changed++;
    }
    assert.ok(changed > 0, 'distillation changed the denoiser');
    assert.ok(statSync(path).size < statSync(join(model, 'weights.safetensors')).size, 'Flash holds only the denoiser, in float16');
    // Other fields of config.json are untouched.
    const cfg = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'));
    assert.equal(cfg.info.id, base.info.id);

    // New base weights (another teacher): the old Flash is stale, and resuming the run is refused.
    const changedText = new Map(base.weights);
    const name = [...base.weights.keys()].find((k) => !isStudentTensor(k))!;
    const t = base.weights.get(name)!;
    changedText.set(name, HostTensor.f32(t.f32().map((v) => v + 0.5), t.shape));
    writeSafetensors(join(model, 'weights.safetensors'), changedText);
    const stale = loadFlash(loadModel(model));
    assert.equal(stale.kind, 'stale');
    await assert.rejects(distill({ modelDir: model, runDir: a, config: { ...config, steps: 6 }, resume: true }), /distils other weights/);
    assert.throws(() => exportFlash(a), /not the one .* was distilled with/);
    assert.ok(existsSync(path));
  });

  test("rollouts: each student segment starts from the student's own Euler step, and the targets are the teacher's segment ends from there", async () => {
    const model = loadModel(await tinyModelDir());
    const runner = await ModelRunner.create(model, { threads: 1 });
    // A student whose weights differ from the teacher's, so its states leave the teacher's path.
    const weights = new Map(model.weights);
    for (const [name, t] of model.weights) if (isStudentTensor(name) && name.endsWith('weight')) weights.set(name, HostTensor.f32(t.f32().map((v) => v * 1.1), t.shape));
    const student = await ModelRunner.create({ ...model, weights }, { threads: 1 }, { cache: false });
    try {
      const samples = new SceneStream({ seed: 3, buckets: model.config.sizes!.buckets, batchSize: 2, editFraction: 0 }).nextBatch();
      const scales = { guidance: 2, imageGuidance: 1 };
      const plain = await textTrajectories(runner, samples, new Rng(1), tiny, scales);
      const trs = await textTrajectories(runner, samples, new Rng(1), tiny, scales, student);
      const k = tiny.teacherSteps / tiny.studentSteps;
      const tr = trs[0]!;
      assert.equal(tr.points.length, tiny.teacherSteps + 1);
      assert.equal(tr.ends?.length, tiny.studentSteps);
      // The first segment is the teacher's from the same noise; its end is not the student's state.
      assert.deepEqual(tr.points.slice(0, k), plain[0]!.points.slice(0, k));
      assert.deepEqual(tr.ends![0], plain[0]!.points[k]);
      assert.notDeepEqual(tr.points[k], tr.ends![0]);
      // The student's state at the first grid time: one Euler step of its own prediction from the noise.
      const t0 = tr.schedule[0]!;
      const t1 = tr.schedule[k]!;
      const [pred] = await student.predict({ noisy: [tr.points[0]!], t: t0, grid: tr.grid, cond: tr.cond });
      const x0 = tr.points[0]!;
      const expected = x0.map((x, e) => x + (t1 - t0) * ((x - pred![e]!) / Math.max(t0, 0.05)));
      let worst = 0;
      for (let e = 0; e < x0.length; e++) worst = Math.max(worst, Math.abs(expected[e]! - tr.points[k]![e]!));
      assert.ok(worst < 1e-4, `student state off by ${worst}`);
      // Every pair's target lands on its segment's end.
      const feeds = studentBatch(runner, trs, tiny);
      const x = feeds.image!.f32();
      const v = feeds.velocity!.f32();
      const len = x0.length;
      for (let i = 0; i < tiny.teacherSteps; i++) {
        const seg = Math.floor(i / k);
        const t = tr.schedule[i]!;
        const end = tr.schedule[(seg + 1) * k]!;
        const dt = end === 0 ? Math.max(t, 0.05) : t - end;
        let off = 0;
        for (let e = 0; e < len; e++) off = Math.max(off, Math.abs(x[i * len + e]! - dt * v[i * len + e]! - tr.ends![seg]![e]!));
        assert.ok(off < 1e-4, `pair ${i}: lands ${off} from its segment's end`);
      }
    } finally {
      await runner.release();
      await student.release();
    }
  });

  test('a run with rollouts resumes bit for bit when stopped on a refresh of the student', async () => {
    const model = await modelCopy();
    const { a, cb } = await wholeAndResumed(model, { ...tiny, steps: 4, rollout: 1, rolloutEvery: 2 }, 'distill-rollout');
    assert.equal(cb.meta.config.rollout, 1);
    const metrics = readFileSync(join(a, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(metrics.every((m) => m.rollout === true), 'every step was a rollout');
  });

  test('a student that takes the guidance scale as an input starts as exactly its teacher, at any scale', async () => {
    const teacher = loadModel(await tinyModelDir());
    const config = studentConfig({ ...tiny, guidanceRange: [1, 8] }, teacher.config);
    assert.equal(config.guidanceEmbedding, true);
    const start = studentStartWeights(buildStudentGraph(config, 1).scope, teacher, tiny.seed);
    for (const name of guidanceEmbeddingShapes(config).keys()) assert.ok(start.has(name), `${name} starts fresh`);
    const studentModel = (weights: Map<string, HostTensor>): LoadedModel => ({ ...teacher, config, weights: new Map([...teacher.weights, ...weights]) });
    const runner = await ModelRunner.create(teacher, { threads: 1 }, { cache: false });
    const student = await ModelRunner.create(studentModel(start), { threads: 1 }, { cache: false });
    // The same student with the embedding's last layer trained away from zero: the scale now matters.
    const fc2 = start.get('denoiser.guidance.fc2.weight')!;
    const moved = await ModelRunner.create(studentModel(new Map([...start, ['denoiser.guidance.fc2.weight', HostTensor.f32(fc2.f32().map((_, i) => Math.sin(i)), fc2.shape)]])), { threads: 1 }, { cache: false });
    try {
      const grid = gridFor(64, 64, teacher.config.patchSize);
      const P = teacher.config.patchSize ** 2 * 3;
      const noisy = new Rng(4).fillNormal(new Float32Array(grid.rows * grid.cols * P));
      const source = new Rng(5).fillNormal(new Float32Array(noisy.length));
      const cond = await runner.encode(['a red apple']);
      for (const edit of [{}, { source }]) {
        const input = { noisy: [noisy], t: 0.6, grid, cond, ...edit };
        const [expected] = await runner.predict(input);
        for (const guidance of [1, 4.5, 8]) assert.deepEqual((await student.predict({ ...input, guidance }))[0], expected, `guidance ${guidance}`);
        assert.notDeepEqual((await moved.predict({ ...input, guidance: 1 }))[0], (await moved.predict({ ...input, guidance: 8 }))[0]);
      }
      await assert.rejects(student.predict({ noisy: [noisy], t: 0.6, grid, cond }), /takes the guidance scale as an input; none given/);
      await assert.rejects(runner.predict({ noisy: [noisy], t: 0.6, grid, cond, guidance: 2 }), /has no guidance input/);
    } finally {
      await runner.release();
      await student.release();
      await moved.release();
    }
  });

  test('guidanceRange: each step draws a scale in the range, the student learns to depend on it, a run resumes bit for bit, and export records the range', async () => {
    const model = await modelCopy();
    const config = { ...tiny, steps: 4, guidance: 3, guidanceRange: [1, 8] as [number, number] };
    const { a, cb } = await wholeAndResumed(model, config, 'distill-guidance');
    assert.deepEqual(cb.meta.config.guidanceRange, [1, 8]);
    const scales = readFileSync(join(a, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).guidance as number);
    assert.equal(scales.length, 4);
    assert.ok(scales.every((g) => g >= 1 && g <= 8), `scales ${scales}`);
    assert.ok(new Set(scales).size > 1, 'the scale is drawn per step');

    const { entry } = exportFlash(a);
    assert.deepEqual([entry.guidance, entry.guidanceRange], [3, [1, 8]]);
    const flash = loadFlash(loadModel(model));
    assert.equal(flash.kind, 'ready');
    if (flash.kind !== 'ready') return;
    assert.equal(flash.model.config.guidanceEmbedding, true);
    const student = await ModelRunner.create(flash.model, { threads: 1 }, { cache: false });
    try {
      const grid = gridFor(64, 64, flash.model.config.patchSize);
      const noisy = new Rng(6).fillNormal(new Float32Array(grid.rows * grid.cols * flash.model.config.patchSize ** 2 * 3));
      const input = { noisy: [noisy], t: 0.5, grid, cond: await student.encode(['a blue heart']) };
      const [low] = await student.predict({ ...input, guidance: 1 });
      const [high] = await student.predict({ ...input, guidance: 8 });
      let diff = 0;
      for (let i = 0; i < low!.length; i++) diff = Math.max(diff, Math.abs(low![i]! - high![i]!));
      assert.ok(diff > 1e-4, `the distilled student's output moves with its guidance input (max difference ${diff})`);
    } finally {
      await student.release();
    }
    // The recorded default must be a scale the student was taught.
    await assert.rejects(distill({ modelDir: model, runDir: mkdtempSync(join(tmpdir(), 'distill-gc-')), config: { ...config, guidance: 9 }, resume: false }), /guidanceRange \[1, 8\] must include the teacher's guidance 9/);
  });

  test('studentBlocks: a shallower student starts from the kept teacher blocks, exports its blocks, and loads and draws with that depth', async () => {
    const model = await modelCopy();
    const teacher = loadModel(model);
    assert.ok(teacher.config.depth >= 2, 'the tiny teacher has blocks to drop');
    const keep = [teacher.config.depth - 1];
    const config = { ...tiny, steps: 2, studentBlocks: keep };
    const studentModel = studentConfig(config, teacher.config);
    assert.equal(studentModel.depth, 1);
    const start = studentStartWeights(buildStudentGraph(studentModel, 1).scope, teacher, tiny.seed, keep);
    const last = `denoiser.blocks.${keep[0]}.`;
    for (const [name, t] of teacher.weights) {
      if (name.startsWith(last)) assert.equal(start.get(name.replace(last, 'denoiser.blocks.0.')), t, `${name} seeds the student's block 0`);
    }
    assert.ok(![...start.keys()].some((n) => n.startsWith('denoiser.blocks.1.')), 'the student has one block');
    assert.throws(() => studentConfig({ ...tiny, studentBlocks: [0, teacher.config.depth] }, teacher.config), /studentBlocks: .*the base model has blocks 0 to \d+ only/);

    const run = mkdtempSync(join(tmpdir(), 'distill-blocks-'));
    await distill({ modelDir: model, runDir: run, config, resume: false });
    const { entry, path } = exportFlash(run);
    assert.deepEqual(entry.blocks, keep);
    assert.ok(statSync(path).size > 0);
    const flash = loadFlash(loadModel(model));
    assert.equal(flash.kind, 'ready');
    if (flash.kind !== 'ready') return;
    assert.equal(flash.model.config.depth, 1);
    assert.ok(![...flash.model.weights.keys()].some((n) => n.startsWith('denoiser.blocks.1.')), 'no teacher block beyond the kept one rides along');
    await assertStudentDraws(flash.model);
    // A config.json whose blocks name a block the base model lacks is an error naming the file.
    const cfgPath = join(model, 'config.json');
    const raw = JSON.parse(readFileSync(cfgPath, 'utf8'));
    raw.flash.blocks = [0, teacher.config.depth + 3];
    writeFileSync(cfgPath, JSON.stringify(raw));
    assert.throws(() => loadFlash(loadModel(model)), /config\.json: Flash blocks .* the base model has blocks 0 to/);
    raw.flash.blocks = [1, 0];
    writeFileSync(cfgPath, JSON.stringify(raw));
    assert.throws(() => loadFlash(loadModel(model)), /blocks: must be strictly increasing/);
  });

  test('a self-conditioning teacher: sampled with its estimates, it is distilled into a student without the input', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'distill-selfcond-')), 'model');
    const plain = loadModel(await tinyModelDir());
    await randomTinyModel(dir, 31, { ...plain.config, selfCondition: true });
    const run = mkdtempSync(join(tmpdir(), 'distill-selfcond-run-'));
    await distill({ modelDir: dir, runDir: run, config: { ...tiny, steps: 2 }, resume: false });
    exportFlash(run);
    const flash = loadFlash(loadModel(dir));
    assert.equal(flash.kind, 'ready');
    if (flash.kind !== 'ready') return;
    assert.equal(flash.model.config.selfCondition, false);
    assert.ok(!flash.model.weights.has('denoiser.self_cond_embed.weight'), 'the student has no estimate input');
    await assertStudentDraws(flash.model);
  });

  test('configs: presets, files that extend them, and a clear error for a student grid that does not nest', () => {
    assert.equal(loadDistillConfig('small').studentSteps, 4);
    const dir = mkdtempSync(join(tmpdir(), 'distill-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ extends: 'small', steps: 50 }));
    assert.equal(loadDistillConfig(file).steps, 50);
    writeFileSync(file, JSON.stringify({ extends: 'small', studentSteps: 3 }));
    assert.throws(() => loadDistillConfig(file), /studentSteps must divide teacherSteps/);
    assert.throws(() => loadDistillConfig('nope'), /neither a distillation preset/);
    // Guidance distillation is off unless asked for; a range must be one a request can use.
    assert.equal(loadDistillConfig('small').guidanceRange, undefined);
    writeFileSync(file, JSON.stringify({ extends: 'small', guidanceRange: [2, 10] }));
    assert.deepEqual(loadDistillConfig(file).guidanceRange, [2, 10]);
    for (const bad of [[0.5, 4], [6, 3], [4, 4], [2, 40]]) {
      writeFileSync(file, JSON.stringify({ extends: 'small', guidanceRange: bad }));
      assert.throws(() => loadDistillConfig(file), new RegExp(`guidanceRange: must be \\[lo, hi\\] with 1 ≤ lo < hi ≤ 30, got \\[${bad.join(', ')}\\]`));
    }
    writeFileSync(file, JSON.stringify({ extends: 'small', studentBlocks: [0, 2, 2] }));
    assert.throws(() => loadDistillConfig(file), /studentBlocks: must be strictly increasing teacher block indices/);
  });
});
