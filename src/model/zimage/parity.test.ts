// Parity with the reference implementations (diffusers 0.42.1, transformers 5.23.0, torch 2.15.0,
// float32), on a tiny random Z-Image folder made by scripts/parity/make_zimage_fixtures.py with
// save_pretrained (bf16 transformer, f16 Qwen3Model text encoder, f32 VAE). Every comparison states
// its bound as max |a − b| / max |b|; the figures are reported in the test diagnostics.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Session, serializeGraph } from '../../engine/index.ts';
import { buildVae } from '../diffusers/kl-vae.ts';
import { assertClose, f32, fixture, postprocess } from '../diffusers/parity-support.ts';
import { parseSchedulerConfig } from '../diffusers/flow-match.ts';
import { zimageSchedule } from './scheduler.ts';
import { fromEncoderLatents } from './vae.ts';
import { ZImageModel } from './zimage.ts';

const DATA = join(import.meta.dirname, 'testdata');
const MODEL = join(DATA, 'zimage-tiny');
const fx = (name: string) => fixture(DATA, name);

let model: ZImageModel;
before(() => {
  // Compiled through the cache (ONNX external data), the path real checkpoints take.
  model = ZImageModel.open(MODEL, { threads: 1, maxSequenceLength: 24, cache: mkdtempSync(join(tmpdir(), 'zimage-parity-')) });
});
after(async () => {
  await model.release();
});

test('tokenizer: chat template (thinking on) text, padded ids and mask equal transformers (exact)', () => {
  const data = JSON.parse(readFileSync(join(DATA, 'tokenizer.json'), 'utf8')) as {
    max_length: number;
    cases: Array<{ prompt: string; chat_text: string; input_ids: number[]; attention_mask: number[] }>;
  };
  const tok = model.folder.tokenizer;
  for (const c of data.cases) {
    assert.equal(tok.chatText(c.prompt), c.chat_text, `chat text of ${JSON.stringify(c.prompt)}`);
    const enc = tok.encodePrompt(c.prompt, data.max_length);
    assert.deepEqual(enc.ids, c.input_ids, `padded ids of ${JSON.stringify(c.prompt)}`);
    assert.deepEqual(enc.mask, c.attention_mask);
  }
});

test('scheduler: sigmas and timesteps, fixed shift and dynamic shifting (max relative error ≤ 1e-6)', (t) => {
  const data = JSON.parse(readFileSync(join(DATA, 'scheduler.json'), 'utf8')) as {
    configs: Record<string, Record<string, unknown>>;
    cases: Array<{ scheduler: string; steps: number; image_seq_len: number; mu: number; sigmas: number[]; timesteps: number[] }>;
  };
  let worst = 0;
  for (const c of data.cases) {
    const cfg = parseSchedulerConfig(data.configs[c.scheduler]!, `scheduler.json ${c.scheduler}`);
    const s = zimageSchedule(cfg, c.steps, c.image_seq_len);
    assert.ok(Math.abs(s.mu - c.mu) <= 1e-12 * Math.abs(c.mu), `mu for ${c.steps} steps, ${c.image_seq_len} tokens`);
    const what = `${c.scheduler} (${c.steps} steps, ${c.image_seq_len} tokens)`;
    worst = Math.max(worst, assertClose(`sigmas ${what}`, s.sigmas, c.sigmas, 1e-6), assertClose(`timesteps ${what}`, s.timesteps, c.timesteps, 1e-6));
  }
  // The folder's own scheduler is Turbo's: a fixed shift of 3.
  assert.equal(model.folder.scheduler.useDynamicShifting, false);
  assert.equal(model.folder.scheduler.shift, 3);
  t.diagnostic(`scheduler: max relative error ${worst.toExponential(2)}`);
});

test('text encoder: hidden_states[-2] of the real tokens of each prompt (f16 weights read as f32; max relative error ≤ 1e-4)', async (t) => {
  const data = fx('text_encoder.safetensors');
  const lengths = Array.from(data.get('lengths')!.data as BigInt64Array, Number);
  const embeds = await model.encodePrompts(['a red apple left of a cat on a blue background', 'Make the sky ORANGE, keep the 3 birds.']);
  assert.deepEqual(embeds.map((e) => e.length / model.folder.textEncoder.hidden), lengths, 'real-token counts');
  assert.equal(model.folder.textEncoderPrefix, '', 'a Qwen3Model checkpoint keeps its weights without "model."');
  const all = new Float32Array(embeds.reduce((n, e) => n + e.length, 0));
  let at = 0;
  for (const e of embeds) {
    all.set(e, at);
    at += e.length;
  }
  t.diagnostic(`text encoder: max relative error ${assertClose('prompt_embeds', all, f32(data.get('prompt_embeds')), 1e-4).toExponential(2)}`);
});

test('transformer: output for fixed latents, timestep and caption, image and caption both padded to 32 tokens (max relative error ≤ 1e-4)', async (t) => {
  const data = fx('transformer.safetensors');
  const latents = data.get('latents')!;
  const [, H, W] = latents.shape as [number, number, number];
  const out = await model.transformerOutput(f32(latents), H, W, f32(data.get('cap_feats')), f32(data.get('t'))[0]!);
  t.diagnostic(`transformer: max relative error ${assertClose('output', out, f32(data.get('output')), 1e-4).toExponential(2)}`);
});

test('VAE: encode (posterior mode) and decode of latents / scaling_factor + shift_factor (max relative error ≤ 1e-4)', async (t) => {
  const data = fx('vae.safetensors');
  const v = model.folder.vae;
  assert.deepEqual([v.scalingFactor, v.shiftFactor, v.latentChannels], [0.3611, 0.1159, 4]);
  const g = buildVae(v);
  const enc = await Session.create(serializeGraph({ outputs: { mode: g.encode.mode }, inputs: [g.encode.image], paramMode: 'initializers', weights: g.encoderParams.weights(model.folder.checkpoints.vae) }), { threads: 1 });
  let encErr: number;
  try {
    const out = await enc.run({ image: data.get('image')! });
    encErr = assertClose('latent mode', out.mode!.f32(), f32(data.get('latent_mode')), 1e-4);
  } finally {
    await enc.release();
  }
  // The model's path: pixels → the pipeline's latents, (mode − shift) · scaling.
  const image = data.get('image')!;
  const [, , ih, iw] = image.shape as number[];
  const lat = await model.encodeImage(f32(image), iw!, ih!);
  assertClose('encodeImage', lat, fromEncoderLatents(f32(data.get('latent_mode')), v), 1e-4);
  const z = data.get('latents')!;
  const [, , zh, zw] = z.shape as number[];
  const decoded = await model.decodeLatents(f32(z), zh!, zw!);
  const decErr = assertClose('decoded', decoded, f32(data.get('decoded')), 1e-4);
  t.diagnostic(`VAE: encode ${encErr.toExponential(2)}, decode ${decErr.toExponential(2)}`);
});

test('pipeline: two sampling steps at guidance 0 (Turbo) and with classifier-free guidance equal ZImagePipeline (max relative error ≤ 1e-4)', async (t) => {
  const data = fx('pipeline.safetensors');
  const meta = JSON.parse(readFileSync(join(DATA, 'pipeline.json'), 'utf8')) as { prompt: string; negative_prompt: string; guidance: number; height: number; width: number; steps: number };
  const noise = f32(data.get('noise'));
  const base = { prompt: meta.prompt, width: meta.width, height: meta.height, steps: meta.steps, noise };
  const t2i = await model.generate({ ...base, guidance: 0 });
  const e1 = assertClose('t2i image', postprocess(t2i), f32(data.get('t2i_image')), 1e-4);
  const cfg = await model.generate({ ...base, guidance: meta.guidance, negativePrompt: meta.negative_prompt });
  const e2 = assertClose('cfg image', postprocess(cfg), f32(data.get('cfg_image')), 1e-4);
  t.diagnostic(`pipeline: guidance 0 ${e1.toExponential(2)}, guidance ${meta.guidance} ${e2.toExponential(2)}`);
  // Not a coincidence of flat images: guidance changes the picture.
  assert.ok(postprocess(t2i).some((v, i) => Math.abs(v - postprocess(cfg)[i]!) > 1e-3));
});
