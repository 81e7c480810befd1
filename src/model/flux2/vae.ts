// FLUX.2's VAE (diffusers' AutoencoderKLFlux2): the classic KL encoder/decoder
// (../diffusers/kl-vae.ts) with 32 latent channels, plus a batch-norm over 2×2-patchified latents
// that the pipeline applies, and the host-side layout of those latents as transformer tokens.
import { DiffusersFormatError } from '../diffusers/errors.ts';
import { type KlVaeConfig, parseKlVaeConfig } from '../diffusers/kl-vae.ts';

export { buildVae, vaeScale } from '../diffusers/kl-vae.ts';

export interface VaeConfig extends KlVaeConfig {
  batchNormEps: number;
  patch: [number, number];
}

export function parseVaeConfig(json: Record<string, unknown>, file: string): VaeConfig {
  const base = parseKlVaeConfig(json, file, 'AutoencoderKLFlux2', { blockOutChannels: [128, 256, 512, 512], latentChannels: 32, layersPerBlock: 2 });
  const patch = json.patch_size ?? [2, 2];
  if (!Array.isArray(patch) || patch[0] !== 2 || patch[1] !== 2) throw new DiffusersFormatError(`${file}: patch_size ${JSON.stringify(patch)} is not supported (expected [2, 2])`);
  return { ...base, batchNormEps: typeof json.batch_norm_eps === 'number' ? json.batch_norm_eps : 1e-4, patch: [2, 2] };
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
