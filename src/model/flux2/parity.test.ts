// Parity with the reference implementations (diffusers 0.42.1, transformers 5.23.0, torch 2.15.0,
// float32), on a tiny random FLUX.2 [klein] folder made by scripts/parity/make_fixtures.py with
// save_pretrained. Every comparison states its bound: max |a − b| / max |b| ≤ 1e-4 unless noted.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HostTensor, Session, serializeGraph } from '../../engine/index.ts';
import { assertClose as assertCloseWithin, f32, fixture as fixtureIn, postprocess } from '../diffusers/parity-support.ts';
import { gridIds, KleinModel } from './klein.ts';
import { KLEIN_HIDDEN_LAYERS } from './folder.ts';
import { buildQwen3, qwen3Inputs } from '../diffusers/qwen3.ts';
import { fromRgb8 } from '../diffusers/pixels.ts';
import { eulerStep } from '../diffusers/flow-match.ts';
import { kleinSchedule } from './scheduler.ts';
import { buildTransformer, ropeTables4 } from './transformer.ts';
import { buildVae, packTokens, patchifyNormalize, vaeScale } from './vae.ts';

const DATA = join(import.meta.dirname, 'testdata');
const MODEL = join(DATA, 'klein-tiny');
const TOL = 1e-4;

const fixture = (name: string) => fixtureIn(DATA, name);
const assertClose = (name: string, a: Float32Array, b: Float32Array, tol = TOL) => void assertCloseWithin(name, a, b, tol);

let model: KleinModel;
before(() => {
  // Compiled through the cache (ONNX external data), the path real checkpoints take.
  model = KleinModel.open(MODEL, { threads: 1, maxSequenceLength: 24, cache: mkdtempSync(join(tmpdir(), 'flux2-parity-')) });
});
after(async () => {
  await model.release();
});

test('tokenizer: chat template text and ids equal transformers (exact)', () => {
  const fx = JSON.parse(readFileSync(join(DATA, 'tokenizer.json'), 'utf8')) as {
    max_length: number;
    cases: Array<{ prompt: string; chat_text: string; raw_ids: number[]; input_ids: number[]; attention_mask: number[] }>;
  };
  const tok = model.folder.tokenizer;
  for (const c of fx.cases) {
    assert.equal(tok.chatText(c.prompt), c.chat_text, `chat text of ${JSON.stringify(c.prompt)}`);
    assert.deepEqual(tok.ids(c.prompt), c.raw_ids, `ids of ${JSON.stringify(c.prompt)}`);
    const enc = tok.encodePrompt(c.prompt, fx.max_length);
    assert.deepEqual(enc.ids, c.input_ids, `padded ids of ${JSON.stringify(c.prompt)}`);
    assert.deepEqual(enc.mask, c.attention_mask);
  }
});

test('scheduler: sigmas and timesteps equal the klein pipeline\'s (max relative error ≤ 1e-6)', () => {
  const fx = JSON.parse(readFileSync(join(DATA, 'scheduler.json'), 'utf8')) as {
    cases: Array<{ steps: number; image_seq_len: number; mu: number; sigmas: number[]; timesteps: number[] }>;
  };
  for (const c of fx.cases) {
    const s = kleinSchedule(model.folder.scheduler, c.steps, c.image_seq_len);
    assert.ok(Math.abs(s.mu - c.mu) <= 1e-12 * Math.abs(c.mu), `mu for ${c.steps} steps, ${c.image_seq_len} tokens`);
    assertClose(`sigmas (${c.steps}, ${c.image_seq_len})`, s.sigmas, Float32Array.from(c.sigmas), 1e-6);
    assertClose(`timesteps (${c.steps}, ${c.image_seq_len})`, s.timesteps, Float32Array.from(c.timesteps), 1e-6);
  }
});

test('text encoder: stacked Qwen3 hidden states 9/18/27 (bf16 weights read as f32; max relative error ≤ 1e-4)', async () => {
  const fx = fixture('text_encoder.safetensors');
  const ids = fx.get('input_ids')!;
  const [B, L] = ids.shape as [number, number];
  const cfg = model.folder.textEncoder;
  const g = buildQwen3(cfg, { batch: B, length: L }, KLEIN_HIDDEN_LAYERS);
  const session = await Session.create(
    serializeGraph({ outputs: { out: g.output }, inputs: [g.inputs.ids, g.inputs.bias, g.inputs.cos, g.inputs.sin], paramMode: 'initializers', weights: g.params.weights(model.folder.checkpoints.textEncoder) }),
    { threads: 1 },
  );
  try {
    const { bias, cos, sin } = qwen3Inputs(Array.from(ids.data as BigInt64Array, Number).map((_, i) => Number((fx.get('attention_mask')!.data as BigInt64Array)[i])), B, L, cfg);
    const out = await session.run({
      input_ids: ids,
      attention_bias: HostTensor.f32(bias, [B, 1, L, L]),
      rope_cos: HostTensor.f32(cos, [L, cfg.headDim]),
      rope_sin: HostTensor.f32(sin, [L, cfg.headDim]),
    });
    assertClose('prompt_embeds', out.out!.f32(), f32(fx.get('prompt_embeds')));
  } finally {
    await session.release();
  }
  // The same through the model's prompt path (tokenizer + chat template + encoder).
  const embeds = await model.encodePrompts(['a red apple left of a cat on a blue background', 'Make the sky ORANGE, keep the 3 birds.']);
  assertClose('encodePrompts', embeds.f32(), f32(fx.get('prompt_embeds')));
});

test('transformer: velocity for fixed latents, timestep and text states, with and without reference tokens (max relative error ≤ 1e-4)', async () => {
  const fx = fixture('transformer.safetensors');
  const hidden = f32(fx.get('hidden_states'));
  const ref = f32(fx.get('ref_hidden_states'));
  const text = f32(fx.get('encoder_hidden_states'));
  const imgIds = Int32Array.from(fx.get('img_ids')!.data as BigInt64Array, Number);
  const refIds = Int32Array.from(fx.get('ref_ids')!.data as BigInt64Array, Number);
  const txtIds = Int32Array.from(fx.get('txt_ids')!.data as BigInt64Array, Number);
  const t = f32(fx.get('timestep'))[0]!;
  const cfg = model.folder.transformer;
  const L = text.length / cfg.jointAttentionDim;
  // The fixture's text ids are (0, 0, 0, l), what velocity() lays out itself.
  for (let l = 0; l < L; l++) assert.deepEqual([...txtIds.subarray(l * 4, l * 4 + 4)], [0, 0, 0, l]);
  assert.deepEqual([...imgIds], [...gridIds(3, 4, 0)]);
  assert.deepEqual([...refIds], [...gridIds(2, 2, 10)]);
  const n = hidden.length / cfg.inChannels;
  const v = await model.velocity(hidden, imgIds, n, text, t);
  assertClose('output', v, f32(fx.get('output')));
  const both = new Float32Array(hidden.length + ref.length);
  both.set(hidden);
  both.set(ref, hidden.length);
  const ids = new Int32Array(imgIds.length + refIds.length);
  ids.set(imgIds);
  ids.set(refIds, imgIds.length);
  const vr = await model.velocity(both, ids, n + ref.length / cfg.inChannels, text, t);
  assertClose('output_with_ref', vr, f32(fx.get('output_with_ref')));
  // 4-axis rotary tables: the graph's inputs are what Flux2PosEmbed computes (checked through the
  // outputs above); a table row for a text token rotates only the last axis.
  const { cos } = ropeTables4(txtIds.subarray(0, 8), 2, cfg.axesDimsRope, cfg.ropeTheta);
  assert.deepEqual([...cos.subarray(0, 6)], [1, 1, 1, 1, 1, 1]);
});

test('VAE: encode (posterior mode, patchified, batch-normed) and decode (max relative error ≤ 1e-4)', async () => {
  const fx = fixture('vae.safetensors');
  const v = model.folder.vae;
  const g = buildVae(v);
  const image = fx.get('image')!;
  const [, , H, W] = image.shape as number[];
  const enc = await Session.create(serializeGraph({ outputs: { mode: g.encode.mode }, inputs: [g.encode.image], paramMode: 'initializers', weights: g.encoderParams.weights(model.folder.checkpoints.vae) }), { threads: 1 });
  try {
    const out = await enc.run({ image });
    assertClose('latent mode', out.mode!.f32(), f32(fx.get('latent_mode')));
    const mean = f32(fx.get('bn_mean'));
    const variance = f32(fx.get('bn_var'));
    const z = patchifyNormalize(out.mode!.f32(), v.latentChannels, H! / vaeScale(v), W! / vaeScale(v), mean, variance, v.batchNormEps);
    assertClose('image_latents', z, f32(fx.get('image_latents')));
  } finally {
    await enc.release();
  }
  // The model's path: pixels → packed tokens equals the fixture's latents packed the same way.
  const tokens = await model.encodeImage(f32(image), W!, H!);
  assertClose('encodeImage', tokens, packTokens(f32(fx.get('image_latents')), 4 * v.latentChannels, H! / (2 * vaeScale(v)), W! / (2 * vaeScale(v))));

  const dec = await Session.create(serializeGraph({ outputs: { image: g.decode.image }, inputs: [g.decode.latents], paramMode: 'initializers', weights: g.decoderParams.weights(model.folder.checkpoints.vae) }), { threads: 1 });
  try {
    const out = await dec.run({ latents: fx.get('latents')! });
    assertClose('decoded', out.image!.f32(), f32(fx.get('decoded')));
  } finally {
    await dec.release();
  }
});

test('pipeline: two sampling steps, text-to-image and an edit with a reference image, equal Flux2KleinPipeline (max relative error ≤ 1e-4)', async () => {
  const fx = fixture('pipeline.safetensors');
  const meta = JSON.parse(readFileSync(join(DATA, 'pipeline.json'), 'utf8')) as { t2i_prompt: string; edit_prompt: string; height: number; width: number; steps: number; ref_width: number; ref_height: number };
  const noise = f32(fx.get('noise'));
  const t2i = await model.generate({ prompt: meta.t2i_prompt, width: meta.width, height: meta.height, steps: meta.steps, noise });
  assertClose('t2i image', postprocess(t2i), f32(fx.get('t2i_image')));
  const ref = fx.get('ref_pixels')!;
  const pixels = fromRgb8(ref.data as Uint8Array, meta.ref_width, meta.ref_height);
  const edit = await model.generate({ prompt: meta.edit_prompt, width: meta.width, height: meta.height, steps: meta.steps, noise, reference: { pixels, width: meta.ref_width, height: meta.ref_height } });
  assertClose('edit image', postprocess(edit), f32(fx.get('edit_image')));
});

test('Euler step: x + (σ_next − σ)·v', () => {
  const x = Float32Array.of(1, 2);
  eulerStep(x, Float32Array.of(10, -10), 0.75, 0.25);
  assert.deepEqual([...x], [-4, 7]);
});
