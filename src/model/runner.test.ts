// The model runner on the tiny test model: prompt limits, and the fused attention kernel used
// for inference against the differentiable one used for training, and the quantized runners
// (measured max relative error vs float32 on this tiny model: int8 ~0.018 with 7-bit weights, int4 ~0.16).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HostTensor, Rng, Session, ops as o, serializeGraph } from '../engine/index.ts';
import { Scope } from '../nn/index.ts';
import { relErr } from '../testing/rel-err.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { MAX_PROMPT_TOKENS } from './config.ts';
import { denoise, denoiserInputs } from './denoiser.ts';
import { layoutFeeds } from './layout.ts';
import { ModelRunner } from './runner.ts';
import { type LoadedModel, loadModel, saveModel } from './store.ts';

let model: LoadedModel;
let runner: ModelRunner;
const scratch = mkdtempSync(join(tmpdir(), 'flowpaint-runner-'));
before(async () => {
  model = loadModel(await tinyModelDir());
  runner = await ModelRunner.create(model, { threads: 1 });
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A prompt of exactly n tokens (after <bos>), built from a word that is one token. */
function promptOf(n: number): string {
  const word = ' a';
  assert.equal(runner.tokenize(`a${word}`).length - 1, 2);
  return `a${word.repeat(n - 1)}`;
}

test('a 32,768-token prompt encodes; 32,769 is refused with the limit in the message', async () => {
  const longest = promptOf(MAX_PROMPT_TOKENS);
  assert.equal(runner.tokenize(longest).length - 1, MAX_PROMPT_TOKENS);
  const cond = await runner.encode([longest]);
  assert.equal(cond.tokens.length, model.config.text.resamplerTokens * model.config.text.width);
  assert.ok(cond.tokens.every(Number.isFinite));
  assert.throws(() => runner.tokenize(promptOf(MAX_PROMPT_TOKENS + 1)), /prompt is 32,769 tokens; the limit is 32,768/);
});

test('a word at the end of a long prompt still changes the conditioning', async () => {
  const base = promptOf(2000);
  const a = await runner.encode([`${base} red`]);
  const b = await runner.encode([`${base} blue`]);
  assert.notDeepEqual(a.tokens, b.tokens, 'the conditioning sees every token, not only the first window');
});

test('grouped conditioning: each token is one span of the prompt; spans of padding are one shared null token', async () => {
  const { window, resamplerTokens: K, width, conditioning } = model.config.text;
  assert.equal(conditioning, 'grouped');
  const span = window / K;
  // bos + one word fills part of the first span only; the other spans of the window are padding.
  const cond = await runner.encode(['a']);
  const tokenAt = (k: number) => cond.tokens.slice(k * width, (k + 1) * width);
  for (let k = 2; k < K; k++) assert.deepEqual(tokenAt(k), tokenAt(1), `span ${k} (padding) differs from span 1 (padding)`);
  assert.notDeepEqual(tokenAt(0), tokenAt(1), 'the span holding the prompt equals the padding token');
  // A prompt reaching into the second span changes it.
  const longer = await runner.encode([promptOf(span + 1)]);
  assert.notDeepEqual(longer.tokens.slice(width, 2 * width), tokenAt(1));
});

test('fused inference attention equals the training graph’s attention', async () => {
  const c = model.config;
  const build = (fused: boolean) => {
    const s = Scope.root();
    const inp = denoiserInputs(c, 'B', 'N');
    const tokens = o.input('cond_tokens', ['B', c.text.resamplerTokens, c.text.width]);
    const pooled = o.input('cond_pooled', ['B', c.text.width]);
    const y = denoise(s.child('denoiser'), c, inp, { tokens, pooled }, { fusedAttention: fused });
    return serializeGraph({ outputs: { y }, paramMode: 'initializers', weights: (n) => model.weights.get(n)!.data });
  };
  const rng = new Rng(9);
  const grid = { rows: 4, cols: 8 };
  const N = 32;
  const P = c.patchSize * c.patchSize * 3;
  const K = c.text.resamplerTokens;
  const feeds = {
    image: HostTensor.f32(rng.fillNormal(new Float32Array(2 * N * P)), [2, N, P]),
    mask: HostTensor.zeros([2, N, c.patchSize * c.patchSize]),
    ...layoutFeeds(c, [{ grid, segment: 0 }]),
    t: HostTensor.f32([0.3, 0.8], [2]),
    cond_tokens: HostTensor.f32(rng.fillNormal(new Float32Array(2 * K * c.text.width)), [2, K, c.text.width]),
    cond_pooled: HostTensor.f32(rng.fillNormal(new Float32Array(2 * c.text.width)), [2, c.text.width]),
  };
  const plain = (await (await Session.create(build(false), { threads: 1 })).run(feeds)).y!.f32();
  const fused = (await (await Session.create(build(true), { threads: 1 })).run(feeds)).y!.f32();
  let worst = 0;
  for (let i = 0; i < plain.length; i++) worst = Math.max(worst, Math.abs(plain[i]! - fused[i]!));
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
});

test('quantized runners (int8, int4) stay close to float32 on the same inputs', async () => {
  const c = model.config;
  const grid = { rows: 4, cols: 4 };
  const P = c.patchSize * c.patchSize * 3;
  const noisy = [new Rng(5).fillNormal(new Float32Array(16 * P))];
  const predict = async (r: ModelRunner) => {
    const cond = await r.encode(['a red apple']);
    return { cond: cond.tokens, pred: (await r.predict({ noisy, t: 0.7, grid, cond }))[0]! };
  };
  const ref = await predict(runner);
  for (const [mode, bound] of [['int8', 0.1], ['int4', 0.4]] as const) {
    const q = await ModelRunner.create(model, { threads: 1, quantize: mode });
    try {
      assert.equal(q.quantize, mode);
      const got = await predict(q);
      const errs = [relErr(got.cond, ref.cond), relErr(got.pred, ref.pred)];
      console.log(`${mode}: max rel error text ${errs[0]!.toFixed(4)}, denoiser ${errs[1]!.toFixed(4)}`);
      assert.ok(errs.every((e) => e < bound && e > 0), `${mode}: ${errs}`);
    } finally {
      await q.release();
    }
  }
});

test('compiled graphs are cached per weights file: new weights or a corrupted cache file are rebuilt, never used', async () => {
  const dir = join(scratch, 'model');
  const root = join(scratch, 'cache');
  cpSync(await tinyModelDir(), dir, { recursive: true });
  const encode = async (cache: string | false) => {
    const r = await ModelRunner.create(loadModel(dir), { threads: 1 }, { lazy: true, cache });
    try {
      return (await r.encode(['a red apple on a blue background'])).tokens;
    } finally {
      await r.release();
    }
  };
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const first = await encode(root);
  // lazy: the text encoder alone was compiled (and cached, with ONNX Runtime's optimised copy).
  const entries = readdirSync(join(root, 'graphs')).sort();
  assert.deepEqual(entries.map((f) => f.replace(/^runner-[0-9a-f]+-/, '')), ['text-none.onnx', 'text-none.optimized.onnx']);
  assert.deepEqual(await encode(root), first, 'the cached graph computes what the built one did, bit for bit');

  // Retrained weights written over the same directory: the cache must not serve the old graph.
  const m = loadModel(dir);
  const weights = new Map([...m.weights].map(([k, t]) => [k, k.startsWith('text.') ? new HostTensor('float32', t.shape, t.f32().map((v) => v * 1.5)) : t]));
  saveModel(dir, { ...m, weights }, 'float32');
  const retrained = await encode(root);
  assert.ok(maxDiff(retrained, first) > 1e-3, 'new weights give new conditioning');
  assert.ok(maxDiff(retrained, await encode(false)) < 1e-6, 'and the same as without the cache');

  // Corrupted cache files (the graph and its optimised copy) are detected by their checksums and rebuilt.
  const corrupted = entries.map((f) => {
    const path = join(root, 'graphs', f);
    const bytes = readFileSync(path);
    bytes[bytes.length - 100]! ^= 0x55;
    writeFileSync(path, bytes);
    return { path, bytes };
  });
  assert.ok(maxDiff(await encode(root), retrained) < 1e-6);
  for (const { path, bytes } of corrupted) assert.notDeepEqual(readFileSync(path), bytes, `${path}: the broken file was replaced`);
});
