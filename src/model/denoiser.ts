// The denoiser: an MMDiT-style transformer. Text and image tokens keep separate weights (two
// streams) but attend jointly; adaLN-Zero modulation from the timestep and pooled text (and the guidance scale
// for a Flash student that takes it); QK-norm;
// rotary positions over [segment, row, column] so any aspect ratio works. For editing, the source
// image's tokens join the image stream with segment 1 (target tokens have segment 0) and the
// inpainting mask enters as an extra per-patch input.
import { type Tensor, ops as o } from '../engine/index.ts';
import {
  attend,
  attendFused,
  layerNorm,
  linear,
  mergeHeads,
  mlp,
  modulate,
  blockModulation,
  modulation,
  type BlockModulation,
  normal,
  qkNorm,
  type Scope,
  splitHeads,
  timestepEmbedding,
  zeros,
} from '../nn/index.ts';
import { type ModelConfig, POSITION_FEATURES, headDim } from './config.ts';
import type { TextEncoding } from './text-encoder.ts';

export interface DenoiserInputs {
  /** [B, N, P] patches: noisy target tokens, then clean source tokens (edits). P = patch²·3. */
  image: Tensor;
  /** [B, N, patch²] inpainting mask per patch (1 = repaint), zeros when there is none. */
  mask: Tensor;
  /** [N] 0 for target tokens, 1 for source tokens. */
  segment: Tensor;
  /** [B] flow time in [0, 1]. */
  t: Tensor;
  /** [K+N, Dh] rotary tables for text tokens then image tokens. */
  ropeCos: Tensor;
  ropeSin: Tensor;
  /** [N, POSITION_FEATURES] Fourier features of each image token's place ('fourier' positions only). */
  positions?: Tensor;
  /** [B] classifier-free guidance scale the model is asked to draw at (ModelConfig.guidanceEmbedding only). */
  guidance?: Tensor;
  /** [B, N, P] the model's previous clean estimate of the target tokens, zeros elsewhere (ModelConfig.selfCondition only). */
  selfCond?: Tensor;
}

export function denoiserInputs(c: ModelConfig, batch: number | string = 'B', tokens: number | string = 'N'): DenoiserInputs {
  const p = c.patchSize;
  const k = c.text.resamplerTokens;
  const joint = typeof tokens === 'number' ? k + tokens : `${k}+${tokens}`;
  return {
    image: o.input('image', [batch, tokens, p * p * 3]),
    mask: o.input('mask', [batch, tokens, p * p]),
    segment: o.input('segment', [tokens], 'int64'),
    t: o.input('t', [batch]),
    ropeCos: o.input('rope_cos', [joint, headDim(c)]),
    ropeSin: o.input('rope_sin', [joint, headDim(c)]),
    ...(c.positionEmbedding && c.positionFeatures === 'fourier' ? { positions: o.input('pos_features', [tokens, POSITION_FEATURES]) } : {}),
    ...(c.guidanceEmbedding ? { guidance: o.input('guidance', [batch]) } : {}),
    ...(c.selfCondition ? { selfCond: o.input('self_cond', [batch, tokens, p * p * 3]) } : {}),
  };
}

/** [1, N, 1]: 1 on target tokens (segment 0), 0 on an edit's source tokens (segment 1). */
export function targetTokens(segment: Tensor): Tensor {
  return o.unsqueeze(o.unsqueeze(o.gather(o.constant([1, 0], [2]), segment), 0), 2);
}

interface Stream {
  x: Tensor;
  mod: BlockModulation;
}

function streamQkv(s: Scope, st: Stream, heads: number): [Tensor, Tensor, Tensor] {
  const d = st.x.shape[2] as number;
  const a = modulate(layerNorm(s.child('ln1'), st.x, { affine: false }), st.mod.attn.shift, st.mod.attn.scale);
  const q = qkNorm(s.child('q_norm'), splitHeads(linear(s.child('q'), a, d), heads));
  const k = qkNorm(s.child('k_norm'), splitHeads(linear(s.child('k'), a, d), heads));
  const v = splitHeads(linear(s.child('v'), a, d), heads);
  return [q, k, v];
}

function streamFinish(s: Scope, st: Stream, attnOut: Tensor, hidden: number): Tensor {
  const d = st.x.shape[2] as number;
  let x = o.add(st.x, o.mul(st.mod.attn.gate, linear(s.child('out'), attnOut, d)));
  const m = modulate(layerNorm(s.child('ln2'), x, { affine: false }), st.mod.mlp.shift, st.mod.mlp.scale);
  x = o.add(x, o.mul(st.mod.mlp.gate, mlp(s.child('mlp'), m, hidden)));
  return x;
}

/**
 * One MMDiT double-stream block: image and text tokens keep their own weights and modulation
 * and attend jointly over [text; image]. Parameters: blocks.<i>.{img,txt}_mod and .{img,txt}.
 */
function doubleStreamBlock(
  blk: Scope,
  c: ModelConfig,
  streams: { img: Tensor; txt: Tensor },
  cond: Tensor,
  inp: DenoiserInputs,
  opts: DenoiseOptions,
): { img: Tensor; txt: Tensor } {
  const d = c.width;
  const hidden = Math.round(d * c.mlpRatio);
  const k = c.text.resamplerTokens;
  const imgS: Stream = { x: streams.img, mod: blockModulation(blk.child('img_mod'), cond, d) };
  const txtS: Stream = { x: streams.txt, mod: blockModulation(blk.child('txt_mod'), cond, d) };
  const [qi, ki, vi] = streamQkv(blk.child('img'), imgS, c.heads);
  const [qt, kt, vt] = streamQkv(blk.child('txt'), txtS, c.heads);
  // Joint attention over [text; image] along the sequence axis (axis 2 of [B, H, T, Dh]).
  const q = o.rotaryEmbedding(o.concat([qt, qi], 2), inp.ropeCos, inp.ropeSin);
  const kk = o.rotaryEmbedding(o.concat([kt, ki], 2), inp.ropeCos, inp.ropeSin);
  const v = o.concat([vt, vi], 2);
  const att = opts.fusedAttention ? attendFused(q, kk, v) : mergeHeads(attend(q, kk, v)); // [B, K+N, D]
  return {
    img: streamFinish(blk.child('img'), imgS, o.slice(att, 1, k), hidden),
    txt: streamFinish(blk.child('txt'), txtS, o.slice(att, 1, 0, k), hidden),
  };
}

export interface DenoiseOptions {
  /** Use ONNX Runtime's fused attention kernel (inference graphs; it has no gradient). */
  fusedAttention?: boolean;
  /** Called with the image tokens [B, N, D] after each block (training's layout head reads one). */
  onBlock?: (index: number, img: Tensor) => void;
}

/** Predicts (per config) clean patches or velocity for every image token: [B, N, P]. */
export function denoise(s: Scope, c: ModelConfig, inp: DenoiserInputs, text: TextEncoding, opts: DenoiseOptions = {}): Tensor {
  const d = c.width;
  const k = c.text.resamplerTokens;

  const tEmb = timestepEmbedding(inp.t, c.timeFeatures);
  let tVec = linear(s.child('time').child('fc2'), o.silu(linear(s.child('time').child('fc1'), tEmb, d)), d);
  if (inp.guidance) {
    // FLUX.1-dev's guidance embedding: the scale gets the timestep's sinusoidal features and an MLP
    // of its own. The last layer starts at zero so a student that gains it starts as its teacher.
    const g = s.child('guidance');
    const gEmb = timestepEmbedding(inp.guidance, c.timeFeatures);
    tVec = o.add(tVec, linear(g.child('fc2'), o.silu(linear(g.child('fc1'), gEmb, d)), d, { init: zeros }));
  }
  // With pooling 'none' the prompt reaches the blocks only through the joint attention (see TextEncoderConfig.pooling).
  const cond = c.text.pooling === 'none' ? tVec : o.add(tVec, linear(s.child('pooled'), text.pooled, d)); // [B, D]

  let img = linear(s.child('patch_embed'), inp.image, d);
  if (c.inputGate) {
    // At t = 1 the noisy patch carries nothing; gated off, it cannot scramble the token's
    // attention. Only target tokens: an edit's source tokens are clean at every t.
    const t = o.reshape(inp.t, [inp.image.shape[0]!, 1, 1]);
    img = o.mul(img, o.sub(1, o.mul(t, targetTokens(inp.segment))));
  }
  img = o.add(img, linear(s.child('mask_embed'), inp.mask, d, { bias: false, init: zeros }));
  // Not gated by t: the previous estimate is a picture at every t, unlike the noisy patch.
  if (inp.selfCond) img = o.add(img, linear(s.child('self_cond_embed'), inp.selfCond, d, { bias: false, init: zeros }));
  img = o.add(img, o.gather(s.param('segment_embed', [2, d], normal(0.02)), inp.segment));
  if (inp.positions) {
    // Normal init (not zero): at t = 1 the position is all a gated token has (ModelConfig.positionFeatures).
    img = o.add(img, linear(s.child('pos_fourier'), inp.positions, d, { init: normal(1 / Math.sqrt(POSITION_FEATURES)) }));
  } else if (c.positionEmbedding) {
    // The image tokens' rows of the rotary tables are sin/cos features of their (segment, row,
    // column); a linear map of them is a Fourier position embedding at the same normalised scale.
    const features = o.concat([o.slice(inp.ropeCos, 0, k), o.slice(inp.ropeSin, 0, k)], 1); // [N, 2·Dh]
    img = o.add(img, linear(s.child('pos_embed'), features, d, { init: zeros }));
  }
  let txt = linear(s.child('text_in'), text.tokens, d);

  for (let i = 0; i < c.depth; i++) {
    ({ img, txt } = doubleStreamBlock(s.child('blocks').child(i), c, { img, txt }, cond, inp, opts));
    opts.onBlock?.(i, img);
  }
  const [shift, scale] = modulation(s.child('final_mod'), cond, d, 2) as [Tensor, Tensor];
  const out = modulate(layerNorm(s.child('final_ln'), img, { affine: false }), shift, scale);
  const P = c.patchSize * c.patchSize * 3;
  const y = linear(s.child('head'), out, P, { init: zeros });
  let pred = y;
  if (c.pixelHead) {
    // Zero-initialised output: a model that grows a pixel head starts out predicting exactly as before.
    const ph = s.child('pixel_head');
    const h = o.gelu(linear(ph.child('fc1'), o.concat([out, inp.image], 2), c.pixelHead));
    pred = o.add(pred, linear(ph.child('fc2'), h, P, { init: zeros }));
  }
  return c.detailHead ? o.add(pred, detailHead(s.child('detail_head'), c, out, inp.image, pred)) : pred;
}

/**
 * ModelConfig.detailHead: 3×3 convolutions within each patch, over its noisy pixels, the
 * prediction so far and the token's features broadcast to every pixel; returns the residual
 * [B, N, P]. Patches are laid out (y, x, channel), so a patch vector reshapes to [p, p, 3] and
 * is turned channels-first for ONNX Conv, whose gradient the engine runs as convolutions too.
 */
function detailHead(s: Scope, c: ModelConfig, tokens: Tensor, noisy: Tensor, pred: Tensor): Tensor {
  const { channels, layers } = c.detailHead!;
  const p = c.patchSize;
  const pixels = (x: Tensor) => o.transpose(o.reshape(x, [-1, p, p, 3]), [0, 3, 1, 2]); // [B·N, 3, p, p]
  const features = o.reshape(linear(s.child('token'), tokens, channels), [-1, channels, 1, 1]);
  const broadcast = o.add(features, o.constant(new Float32Array(channels * p * p), [1, channels, p, p]));
  let x = o.concat([pixels(noisy), pixels(pred), broadcast], 1);
  for (let i = 0; i < layers; i++) {
    const last = i === layers - 1;
    const cin = x.shape[1] as number;
    const cout = last ? 3 : channels;
    const conv = s.child(`conv${i}`);
    const weight = conv.param('weight', [cout, cin, 3, 3], last ? zeros : normal(Math.sqrt(2 / (9 * cin))));
    x = o.conv2d(x, weight, conv.param('bias', [cout], zeros), { padding: 1 });
    if (!last) x = o.gelu(x);
  }
  return o.reshapeLike(o.transpose(x, [0, 2, 3, 1]), pred);
}
