// The classic KL autoencoder of diffusers (AutoencoderKL: FLUX.1's VAE, as Z-Image uses it; and the
// encoder/decoder inside FLUX.2's AutoencoderKLFlux2) as engine graphs with the checkpoint's
// parameter names. Facts from the reference: ResNet blocks are GroupNorm(eps 1e-6)→SiLU→conv3×3
// twice with a 1×1 shortcut when widths differ; downsampling is a stride-2 3×3 conv after padding
// one row/column at the bottom/right only; upsampling is nearest ×2 then a 3×3 conv; the middle has
// ResNet, single-head self-attention over all positions, ResNet. Pipelines use the posterior's
// mode (the first half of the (quant_conv) output). What each pipeline does to the latents around
// it (FLUX.2's patchify and batch-norm, Z-Image's scaling and shift) lives with that pipeline.
import { type Dim, Tensor, ops as o } from '../../engine/index.ts';
import { attendFused } from '../../nn/attention.ts';
import { DiffusersFormatError } from './errors.ts';
import { configFields } from './config-fields.ts';
import { ParamTable } from './params.ts';

export interface KlVaeConfig {
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
}

/**
 * vae/config.json's encoder/decoder fields, checked (the file's name in each message); `className`
 * is the class the pipeline expects, `defaults` the class's own defaults for fields a config omits.
 */
export function parseKlVaeConfig(json: Record<string, unknown>, file: string, className: string, defaults: { blockOutChannels: number[]; latentChannels: number; layersPerBlock: number }): KlVaeConfig {
  if (json._class_name !== undefined && json._class_name !== className) {
    throw new DiffusersFormatError(`${file}: _class_name is '${String(json._class_name)}', expected ${className}`);
  }
  const { positiveInts: ints, positiveInt: int } = configFields(json, file);
  const act = json.act_fn ?? 'silu';
  if (act !== 'silu') throw new DiffusersFormatError(`${file}: act_fn '${String(act)}' is not supported (expected silu)`);
  const boc = ints('block_out_channels', defaults.blockOutChannels);
  for (const [key, want] of [['down_block_types', 'DownEncoderBlock2D'], ['up_block_types', 'UpDecoderBlock2D']] as const) {
    const types = json[key];
    if (types !== undefined && (!Array.isArray(types) || types.length !== boc.length || types.some((t) => t !== want))) {
      throw new DiffusersFormatError(`${file}: ${key} must be ${boc.length} × ${want}, got ${JSON.stringify(types)}`);
    }
  }
  const cfg: KlVaeConfig = {
    inChannels: int('in_channels', 3),
    outChannels: int('out_channels', 3),
    blockOutChannels: boc,
    decoderBlockOutChannels: json.decoder_block_out_channels == null ? boc : ints('decoder_block_out_channels', boc),
    layersPerBlock: int('layers_per_block', defaults.layersPerBlock),
    latentChannels: int('latent_channels', defaults.latentChannels),
    groups: int('norm_num_groups', 32),
    useQuantConv: json.use_quant_conv !== false,
    usePostQuantConv: json.use_post_quant_conv !== false,
    midAttention: json.mid_block_add_attention !== false,
  };
  if (cfg.decoderBlockOutChannels.length !== boc.length) throw new DiffusersFormatError(`${file}: decoder_block_out_channels must have ${boc.length} entries like block_out_channels`);
  for (const c of [...cfg.blockOutChannels, ...cfg.decoderBlockOutChannels]) {
    if (c % cfg.groups !== 0) throw new DiffusersFormatError(`${file}: channel count ${c} is not divisible by norm_num_groups ${cfg.groups}`);
  }
  return cfg;
}

/** Pixels per latent position along each side (8 for FLUX.1's and FLUX.2's). */
export function vaeScale(cfg: KlVaeConfig): number {
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

function midBlock(p: ParamTable, key: string, x: Tensor, cfg: KlVaeConfig): Tensor {
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
  /** latents [B, latentChannels, h, w] (as the pipeline hands them to vae.decode) → image [B, 3, 8h, 8w]. */
  decode: { latents: Tensor; image: Tensor };
}

export function buildVae(cfg: KlVaeConfig): VaeGraphs {
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
