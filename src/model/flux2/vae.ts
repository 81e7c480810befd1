// The FLUX.2 VAE (diffusers' AutoencoderKLFlux2: the classic KL autoencoder's Encoder/Decoder with
// 32 latent channels, plus a batch-norm over 2×2-patchified latents that the pipeline applies) as
// engine graphs with the checkpoint's parameter names. Facts from the reference: ResNet blocks are
// GroupNorm(eps 1e-6)→SiLU→conv3×3 twice with a 1×1 shortcut when widths differ; downsampling is a
// stride-2 3×3 conv after padding one row/column at the bottom/right only; upsampling is nearest ×2
// then a 3×3 conv; the middle has ResNet, single-head self-attention over all positions, ResNet.
// The pipeline uses the posterior's mode (the first half of the quant_conv output).
import { type Dim, Tensor, ops as o } from '../../engine/index.ts';
import { attendFused } from '../../nn/attention.ts';
import { Flux2FormatError } from './errors.ts';
import { ParamTable } from './params.ts';

export interface VaeConfig {
  inChannels: number;
  outChannels: number;
  blockOutChannels: number[];
  decoderBlockOutChannels: number[];
  layersPerBlock: number;
  latentChannels: number;
  groups: number;
  useQuantConv: boolean;
  usePostQuantConv: boolean;
  midAttention: boolean;
  batchNormEps: number;
  patch: [number, number];
}

export function parseVaeConfig(json: Record<string, unknown>, file: string): VaeConfig {
  if (json._class_name !== undefined && json._class_name !== 'AutoencoderKLFlux2') {
    throw new Flux2FormatError(`${file}: _class_name is '${String(json._class_name)}', expected AutoencoderKLFlux2`);
  }
  const ints = (key: string, dflt: number[]) => {
    const v = json[key] ?? dflt;
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => !Number.isInteger(x) || x <= 0)) throw new Flux2FormatError(`${file}: ${key} must be a list of positive integers, got ${JSON.stringify(v)}`);
    return v as number[];
  };
  const int = (key: string, dflt: number) => {
    const v = json[key] ?? dflt;
    if (!Number.isInteger(v) || (v as number) <= 0) throw new Flux2FormatError(`${file}: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const act = json.act_fn ?? 'silu';
  if (act !== 'silu') throw new Flux2FormatError(`${file}: act_fn '${String(act)}' is not supported (expected silu)`);
  const boc = ints('block_out_channels', [128, 256, 512, 512]);
  for (const [key, want] of [['down_block_types', 'DownEncoderBlock2D'], ['up_block_types', 'UpDecoderBlock2D']] as const) {
    const types = json[key];
    if (types !== undefined && (!Array.isArray(types) || types.length !== boc.length || types.some((t) => t !== want))) {
      throw new Flux2FormatError(`${file}: ${key} must be ${boc.length} × ${want}, got ${JSON.stringify(types)}`);
    }
  }
  const patch = ints('patch_size', [2, 2]);
  const cfg: VaeConfig = {
    inChannels: int('in_channels', 3),
    outChannels: int('out_channels', 3),
    blockOutChannels: boc,
    decoderBlockOutChannels: json.decoder_block_out_channels == null ? boc : ints('decoder_block_out_channels', boc),
    layersPerBlock: int('layers_per_block', 2),
    latentChannels: int('latent_channels', 32),
    groups: int('norm_num_groups', 32),
    useQuantConv: json.use_quant_conv !== false,
    usePostQuantConv: json.use_post_quant_conv !== false,
    midAttention: json.mid_block_add_attention !== false,
    batchNormEps: typeof json.batch_norm_eps === 'number' ? json.batch_norm_eps : 1e-4,
    patch: [patch[0]!, patch[1]!],
  };
  if (cfg.patch[0] !== 2 || cfg.patch[1] !== 2) throw new Flux2FormatError(`${file}: patch_size [${cfg.patch}] is not supported (expected [2, 2])`);
  for (const c of [...cfg.blockOutChannels, ...cfg.decoderBlockOutChannels]) {
    if (c % cfg.groups !== 0) throw new Flux2FormatError(`${file}: channel count ${c} is not divisible by norm_num_groups ${cfg.groups}`);
  }
  return cfg;
}

/** Pixels per latent position along each side (8 for FLUX.2). */
export function vaeScale(cfg: VaeConfig): number {
  return 2 ** (cfg.blockOutChannels.length - 1);
}

const EPS = 1e-6;

function conv(p: ParamTable, key: string, x: Tensor, out: number, k: number, pad: number): Tensor {
  const cin = x.shape[1] as number;
  return o.conv2d(x, p.tensor(`${key}.weight`, [out, cin, k, k]), p.tensor(`${key}.bias`, [out]), { padding: pad });
}

function norm(p: ParamTable, key: string, x: Tensor, groups: number): Tensor {
  const c = x.shape[1] as number;
  return o.groupNorm(x, groups, p.tensor(`${key}.weight`, [c]), p.tensor(`${key}.bias`, [c]), EPS);
}

function resnet(p: ParamTable, key: string, x: Tensor, out: number, groups: number): Tensor {
  const cin = x.shape[1] as number;
  let h = conv(p, `${key}.conv1`, o.silu(norm(p, `${key}.norm1`, x, groups)), out, 3, 1);
  h = conv(p, `${key}.conv2`, o.silu(norm(p, `${key}.norm2`, h, groups)), out, 3, 1);
  const skip = cin === out ? x : conv(p, `${key}.conv_shortcut`, x, out, 1, 0);
  return o.add(skip, h);
}

/** Self-attention over every spatial position, one head as wide as the channels, with a residual. */
function midAttention(p: ParamTable, key: string, x: Tensor, groups: number): Tensor {
  const [b, c] = x.shape as [Dim, number];
  const h = norm(p, `${key}.group_norm`, x, groups);
  const tokens = o.transpose(o.reshape(h, [b, c, -1]), [0, 2, 1]); // [B, HW, C]
  const head = (name: string) => o.unsqueeze(p.linear(`${key}.${name}`, tokens, c, true), 1);
  const att = attendFused(head('to_q'), head('to_k'), head('to_v'));
  const out = p.linear(`${key}.to_out.0`, att, c, true);
  return o.add(x, o.reshapeLike(o.transpose(out, [0, 2, 1]), x));
}

function midBlock(p: ParamTable, key: string, x: Tensor, cfg: VaeConfig): Tensor {
  const c = x.shape[1] as number;
  let h = resnet(p, `${key}.resnets.0`, x, c, cfg.groups);
  if (cfg.midAttention) h = midAttention(p, `${key}.attentions.0`, h, cfg.groups);
  return resnet(p, `${key}.resnets.1`, h, c, cfg.groups);
}

/** Stride-2 3×3 conv after zero padding of one row at the bottom and one column at the right. */
function downsample(p: ParamTable, key: string, x: Tensor): Tensor {
  const c = x.shape[1] as number;
  const half = (d: Dim): Dim => (typeof d === 'number' ? Math.floor((d + 1 - 3) / 2) + 1 : `${d}/2`);
  const attrs = {
    kernel_shape: { ints: [3, 3] },
    strides: { ints: [2, 2] },
    pads: { ints: [0, 0, 1, 1] }, // [top, left, bottom, right]
    dilations: { ints: [1, 1] },
    group: { int: 1 },
  };
  const w = p.tensor(`${key}.weight`, [c, c, 3, 3]);
  const bias = p.tensor(`${key}.bias`, [c]);
  return new Tensor('op', 'Conv', [x, w, bias], attrs, x.dtype, [x.shape[0]!, c, half(x.shape[2]!), half(x.shape[3]!)]);
}

export interface VaeGraphs {
  encoderParams: ParamTable;
  decoderParams: ParamTable;
  /** image [B, 3, H, W] in [-1, 1] → the posterior's mode [B, latentChannels, H/8, W/8]. */
  encode: { image: Tensor; mode: Tensor };
  /** latents [B, latentChannels, h, w] (after un-normalising and unpatchifying) → image [B, 3, 8h, 8w]. */
  decode: { latents: Tensor; image: Tensor };
}

export function buildVae(cfg: VaeConfig): VaeGraphs {
  // Encoder.
  const pe = new ParamTable();
  const image = o.input('image', ['B', cfg.inChannels, 'H', 'W']);
  const boc = cfg.blockOutChannels;
  let x = conv(pe, 'encoder.conv_in', image, boc[0]!, 3, 1);
  boc.forEach((out, i) => {
    for (let j = 0; j < cfg.layersPerBlock; j++) x = resnet(pe, `encoder.down_blocks.${i}.resnets.${j}`, x, out, cfg.groups);
    if (i < boc.length - 1) x = downsample(pe, `encoder.down_blocks.${i}.downsamplers.0.conv`, x);
  });
  x = midBlock(pe, 'encoder.mid_block', x, cfg);
  x = conv(pe, 'encoder.conv_out', o.silu(norm(pe, 'encoder.conv_norm_out', x, cfg.groups)), 2 * cfg.latentChannels, 3, 1);
  if (cfg.useQuantConv) x = conv(pe, 'quant_conv', x, 2 * cfg.latentChannels, 1, 0);
  const mode = o.slice(x, 1, 0, cfg.latentChannels);

  // Decoder.
  const pd = new ParamTable();
  const latents = o.input('latents', ['B', cfg.latentChannels, 'h', 'w']);
  let z = cfg.usePostQuantConv ? conv(pd, 'post_quant_conv', latents, cfg.latentChannels, 1, 0) : latents;
  const rev = [...cfg.decoderBlockOutChannels].reverse();
  z = conv(pd, 'decoder.conv_in', z, rev[0]!, 3, 1);
  z = midBlock(pd, 'decoder.mid_block', z, cfg);
  rev.forEach((out, i) => {
    for (let j = 0; j < cfg.layersPerBlock + 1; j++) z = resnet(pd, `decoder.up_blocks.${i}.resnets.${j}`, z, out, cfg.groups);
    if (i < rev.length - 1) z = conv(pd, `decoder.up_blocks.${i}.upsamplers.0.conv`, o.upsample2d(z, 2), out, 3, 1);
  });
  z = conv(pd, 'decoder.conv_out', o.silu(norm(pd, 'decoder.conv_norm_out', z, cfg.groups)), cfg.outChannels, 3, 1);
  return { encoderParams: pe, decoderParams: pd, encode: { image, mode }, decode: { latents, image: z } };
}

// ---------------------------------------------------------------- latent layout (host side)

/**
 * [C, H, W] latents → [4C, H/2, W/2] (each 2×2 patch's values become channels c·4 + dy·2 + dx),
 * then normalised per channel by the VAE's batch-norm running statistics — what the pipeline feeds
 * the transformer, tokens being the positions in row-major order.
 */
export function patchifyNormalize(lat: Float32Array, c: number, h: number, w: number, mean: Float32Array, variance: Float32Array, eps: number): Float32Array {
  if (h % 2 || w % 2) throw new Error(`patchify: latent ${h}×${w} is not divisible by 2`);
  const h2 = h / 2;
  const w2 = w / 2;
  const out = new Float32Array(lat.length);
  for (let ch = 0; ch < c; ch++) {
    for (let dy = 0; dy < 2; dy++) {
      for (let dx = 0; dx < 2; dx++) {
        const oc = ch * 4 + dy * 2 + dx;
        const m = mean[oc]!;
        const s = Math.fround(Math.sqrt(Math.fround(variance[oc]! + eps)));
        for (let y = 0; y < h2; y++) {
          for (let x = 0; x < w2; x++) out[(oc * h2 + y) * w2 + x] = (lat[(ch * h + 2 * y + dy) * w + 2 * x + dx]! - m) / s;
        }
      }
    }
  }
  return out;
}

/** The inverse of patchifyNormalize: [4C, h, w] normalised → [C, 2h, 2w] for the decoder. */
export function denormalizeUnpatchify(z: Float32Array, c4: number, h: number, w: number, mean: Float32Array, variance: Float32Array, eps: number): Float32Array {
  const c = c4 / 4;
  const out = new Float32Array(z.length);
  const W = 2 * w;
  for (let ch = 0; ch < c; ch++) {
    for (let dy = 0; dy < 2; dy++) {
      for (let dx = 0; dx < 2; dx++) {
        const ic = ch * 4 + dy * 2 + dx;
        const m = mean[ic]!;
        const s = Math.fround(Math.sqrt(Math.fround(variance[ic]! + eps)));
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) out[(ch * 2 * h + 2 * y + dy) * W + 2 * x + dx] = z[(ic * h + y) * w + x]! * s + m;
        }
      }
    }
  }
  return out;
}

/** [C, h, w] channel-first → [h·w, C] tokens (the pipeline's _pack_latents). */
export function packTokens(z: Float32Array, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(z.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[i * c + ch] = z[ch * h * w + i]!;
  return out;
}

/** [h·w, C] tokens → [C, h, w]. */
export function unpackTokens(t: Float32Array, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(t.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[ch * h * w + i] = t[i * c + ch]!;
  return out;
}
