// The FLUX.2 transformer (diffusers' Flux2Transformer2DModel, as in FLUX.2 [klein]) as an engine graph
// with the checkpoint's own parameter names. Facts from the reference implementation:
// - a timestep embedding (sinusoidal, cos first, of t·1000; two bias-free linears with SiLU between)
//   drives *shared* modulation: one linear for every double block's image stream, one for every
//   double block's text stream, one for every single block (not one per block, as in FLUX.1);
// - double-stream blocks: separate weights for text and image tokens, joint attention over
//   [text, image] with per-head RMS QK-norm, SwiGLU feed-forward (fused gate|up projection);
// - single-stream blocks: one fused projection to q, k, v and the SwiGLU input, one fused output
//   projection from [attention, MLP];
// - rotary positions over 4 axes (T, H, W, L) with interleaved pairs, theta 2000 for klein;
// - every linear is bias-free; LayerNorms have no affine weights (eps from config).
import { type Dim, Tensor, ops as o } from '../../engine/index.ts';
import { attendFused, splitHeads } from '../../nn/attention.ts';
import { DiffusersFormatError } from '../diffusers/errors.ts';
import { configFields } from '../diffusers/config-fields.ts';
import { ParamTable } from '../diffusers/params.ts';
import { applyRopeInterleaved, ropeTablesInterleaved } from '../diffusers/rope.ts';

export interface TransformerConfig {
  patchSize: number;
  inChannels: number;
  outChannels: number;
  numLayers: number;
  numSingleLayers: number;
  headDim: number;
  heads: number;
  jointAttentionDim: number;
  timestepChannels: number;
  mlpRatio: number;
  axesDimsRope: number[];
  ropeTheta: number;
  eps: number;
  guidanceEmbeds: boolean;
}

/** transformer/config.json → config, with every field checked (the file's name in each message). */
export function parseTransformerConfig(json: Record<string, unknown>, file: string): TransformerConfig {
  if (json._class_name !== undefined && json._class_name !== 'Flux2Transformer2DModel') {
    throw new DiffusersFormatError(`${file}: _class_name is '${String(json._class_name)}', expected Flux2Transformer2DModel`);
  }
  const { int, positive: num } = configFields(json, file);
  const inChannels = int('in_channels', 128);
  const axes = json.axes_dims_rope ?? [32, 32, 32, 32];
  if (!Array.isArray(axes) || axes.some((a) => typeof a !== 'number' || a % 2 !== 0)) {
    throw new DiffusersFormatError(`${file}: axes_dims_rope must be a list of even numbers, got ${JSON.stringify(axes)}`);
  }
  const cfg: TransformerConfig = {
    patchSize: int('patch_size', 1),
    inChannels,
    outChannels: json.out_channels == null ? inChannels : int('out_channels'),
    numLayers: int('num_layers', 8),
    numSingleLayers: int('num_single_layers', 48),
    headDim: int('attention_head_dim', 128),
    heads: int('num_attention_heads', 48),
    jointAttentionDim: int('joint_attention_dim', 15360),
    timestepChannels: int('timestep_guidance_channels', 256),
    mlpRatio: num('mlp_ratio', 3),
    axesDimsRope: axes as number[],
    ropeTheta: num('rope_theta', 2000),
    eps: num('eps', 1e-6),
    guidanceEmbeds: json.guidance_embeds !== false,
  };
  if (cfg.patchSize !== 1) throw new DiffusersFormatError(`${file}: patch_size ${cfg.patchSize} is not supported (FLUX.2 packs 2×2 in the VAE latent; expected 1)`);
  if (cfg.axesDimsRope.reduce((a, b) => a + b, 0) !== cfg.headDim) {
    throw new DiffusersFormatError(`${file}: axes_dims_rope [${cfg.axesDimsRope}] must sum to attention_head_dim ${cfg.headDim}`);
  }
  if (cfg.timestepChannels % 2 !== 0) throw new DiffusersFormatError(`${file}: timestep_guidance_channels must be even`);
  return cfg;
}

export interface TransformerGraph {
  params: ParamTable;
  /** Inputs: hidden [B, N, inChannels], text [B, L, jointAttentionDim], timestep [B] (sigma in 0..1), rope cos/sin [L+N, headDim]. */
  inputs: { hidden: Tensor; text: Tensor; timestep: Tensor; ropeCos: Tensor; ropeSin: Tensor };
  /** [B, N, outChannels]: the velocity for every image token (reference tokens included; callers drop them). */
  output: Tensor;
}

const ln = (x: Tensor, eps: number) => o.layerNorm(x, undefined, undefined, eps);
/** (1 + scale)·x + shift, with modulation vectors [B, 1, D]. */
const modulate = (x: Tensor, shift: Tensor, scale: Tensor) => o.add(o.mul(x, o.add(scale, 1)), shift);

/** [B, D·k] → k chunks [B, 1, D]. */
function chunks(mod: Tensor, k: number): Tensor[] {
  return o.split(o.unsqueeze(mod, 1), -1, k);
}

function rmsHead(p: ParamTable, key: string, x: Tensor, dh: number, eps: number): Tensor {
  return o.rmsNorm(x, p.tensor(key, [dh]), eps);
}

function swiglu(x: Tensor): Tensor {
  const d = x.shape[x.rank - 1] as number;
  const [gate, up] = o.split(x, -1, [d / 2, d / 2]) as [Tensor, Tensor];
  return o.mul(o.silu(gate), up);
}

/** [B, H, T, Dh] ×3 → attention → [B, T, H·Dh] (ONNX Runtime's fused kernel; scale 1/√Dh as SDPA). */
function attention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  return attendFused(q, k, v);
}

/** Sinusoidal embedding of t·1000 (cos half first), as diffusers' Timesteps(flip_sin_to_cos=True, shift 0). */
function timestepEmbedding(t: Tensor, channels: number): Tensor {
  const half = channels / 2;
  const freqs = new Float32Array(half);
  for (let i = 0; i < half; i++) freqs[i] = Math.exp((-Math.log(10000) * i) / half);
  const args = o.mul(o.unsqueeze(o.mul(t, 1000), 1), o.constant(freqs, [1, half]));
  return o.concat([o.cos(args), o.sin(args)], -1);
}

export function buildTransformer(cfg: TransformerConfig): TransformerGraph {
  const p = new ParamTable();
  const D = cfg.heads * cfg.headDim;
  const H = cfg.heads;
  const dh = cfg.headDim;
  const eps = cfg.eps;
  const mlpHidden = Math.floor(D * cfg.mlpRatio);

  const hidden = o.input('hidden_states', ['B', 'N', cfg.inChannels]);
  const text = o.input('encoder_hidden_states', ['B', 'L', cfg.jointAttentionDim]);
  const timestep = o.input('timestep', ['B']);
  const ropeCos = o.input('rope_cos', ['L+N', dh]);
  const ropeSin = o.input('rope_sin', ['L+N', dh]);

  // Timestep embedding → shared modulation vectors.
  const tProj = timestepEmbedding(timestep, cfg.timestepChannels);
  const temb = p.linear('time_guidance_embed.timestep_embedder.linear_2', o.silu(p.linear('time_guidance_embed.timestep_embedder.linear_1', tProj, D)), D);
  // (Guidance embedding: distilled klein has none; a folder with guidance_embeds is refused by the loader.)
  const act = o.silu(temb);
  const modImg = chunks(p.linear('double_stream_modulation_img.linear', act, 6 * D), 6);
  const modTxt = chunks(p.linear('double_stream_modulation_txt.linear', act, 6 * D), 6);
  const modSingle = chunks(p.linear('single_stream_modulation.linear', act, 3 * D), 3);

  let img = p.linear('x_embedder', hidden, D);
  let txt = p.linear('context_embedder', text, D);

  for (let i = 0; i < cfg.numLayers; i++) {
    const k = `transformer_blocks.${i}`;
    const [shA, scA, gA, shM, scM, gM] = modImg as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const [cShA, cScA, cGA, cShM, cScM, cGM] = modTxt as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const nImg = modulate(ln(img, eps), shA, scA);
    const nTxt = modulate(ln(txt, eps), cShA, cScA);
    const q = o.concat([
      rmsHead(p, `${k}.attn.norm_added_q.weight`, splitHeads(p.linear(`${k}.attn.add_q_proj`, nTxt, D), H), dh, eps),
      rmsHead(p, `${k}.attn.norm_q.weight`, splitHeads(p.linear(`${k}.attn.to_q`, nImg, D), H), dh, eps),
    ], 2);
    const kk = o.concat([
      rmsHead(p, `${k}.attn.norm_added_k.weight`, splitHeads(p.linear(`${k}.attn.add_k_proj`, nTxt, D), H), dh, eps),
      rmsHead(p, `${k}.attn.norm_k.weight`, splitHeads(p.linear(`${k}.attn.to_k`, nImg, D), H), dh, eps),
    ], 2);
    const v = o.concat([splitHeads(p.linear(`${k}.attn.add_v_proj`, nTxt, D), H), splitHeads(p.linear(`${k}.attn.to_v`, nImg, D), H)], 2);
    const joint = attention(applyRopeInterleaved(q, ropeCos, ropeSin), applyRopeInterleaved(kk, ropeCos, ropeSin), v);
    const txtLen = txt.shape[1]!;
    const attnTxt = sliceTokens(joint, 0, txtLen, text);
    const attnImg = sliceTokensFrom(joint, txtLen, text);
    img = o.add(img, o.mul(gA, p.linear(`${k}.attn.to_out.0`, attnImg, D)));
    img = o.add(img, o.mul(gM, p.linear(`${k}.ff.linear_out`, swiglu(p.linear(`${k}.ff.linear_in`, modulate(ln(img, eps), shM, scM), 2 * mlpHidden)), D)));
    txt = o.add(txt, o.mul(cGA, p.linear(`${k}.attn.to_add_out`, attnTxt, D)));
    txt = o.add(txt, o.mul(cGM, p.linear(`${k}.ff_context.linear_out`, swiglu(p.linear(`${k}.ff_context.linear_in`, modulate(ln(txt, eps), cShM, cScM), 2 * mlpHidden)), D)));
  }

  let x = o.concat([txt, img], 1);
  const [sSh, sSc, sG] = modSingle as [Tensor, Tensor, Tensor];
  for (let i = 0; i < cfg.numSingleLayers; i++) {
    const k = `single_transformer_blocks.${i}`;
    const n = modulate(ln(x, eps), sSh, sSc);
    const proj = p.linear(`${k}.attn.to_qkv_mlp_proj`, n, 3 * D + 2 * mlpHidden);
    const [q, kk, v, mlp] = o.split(proj, -1, [D, D, D, 2 * mlpHidden]) as [Tensor, Tensor, Tensor, Tensor];
    const qh = applyRopeInterleaved(rmsHead(p, `${k}.attn.norm_q.weight`, splitHeads(q, H), dh, eps), ropeCos, ropeSin);
    const kh = applyRopeInterleaved(rmsHead(p, `${k}.attn.norm_k.weight`, splitHeads(kk, H), dh, eps), ropeCos, ropeSin);
    const att = attention(qh, kh, splitHeads(v, H));
    x = o.add(x, o.mul(sG, p.linear(`${k}.attn.to_out`, o.concat([att, swiglu(mlp)], -1), D)));
  }

  img = sliceTokensFrom(x, text.shape[1]!, text);
  // AdaLayerNormContinuous: scale first, then shift.
  const [scale, shift] = chunks(p.linear('norm_out.linear', act, 2 * D), 2) as [Tensor, Tensor];
  const out = p.linear('proj_out', modulate(ln(img, eps), shift, scale), cfg.patchSize * cfg.patchSize * cfg.outChannels);
  return { params: p, inputs: { hidden, text, timestep, ropeCos, ropeSin }, output: out };
}

/** x[:, 0:len] along tokens, where len is the text length (symbolic: read at run time off `text`). */
function sliceTokens(x: Tensor, start: number, len: Dim, text: Tensor): Tensor {
  if (typeof len === 'number') return o.slice(x, 1, start, start + len);
  return dynSlice(x, o.constant([start], [1], 'int64'), o.dimOf(text, 1), len);
}

/** x[:, from:] along tokens, `from` being the text length. */
function sliceTokensFrom(x: Tensor, from: Dim, text: Tensor): Tensor {
  if (typeof from === 'number') return o.slice(x, 1, from);
  const rest = x.shape[1]!;
  const restDim: Dim = typeof rest === 'string' && rest.startsWith(`${from}+`) ? rest.slice(from.length + 1) : `${rest}-${from}`;
  return dynSlice(x, o.dimOf(text, 1), o.constant([Number.MAX_SAFE_INTEGER], [1], 'int64'), restDim);
}

function dynSlice(x: Tensor, starts: Tensor, ends: Tensor, len: Dim): Tensor {
  const shape = [...x.shape];
  shape[1] = len;
  return new Tensor('op', 'Slice', [x, starts, ends, o.constant([1], [1], 'int64')], {}, x.dtype, shape);
}

/** cos/sin tables [tokens, headDim] for 4-axis position ids (T, H, W, L per token), as diffusers' Flux2PosEmbed (angles in float64). */
export function ropeTables4(ids: ArrayLike<number>, tokens: number, axesDims: number[], theta: number): { cos: Float32Array; sin: Float32Array } {
  return ropeTablesInterleaved(ids, tokens, axesDims, theta, false);
}
