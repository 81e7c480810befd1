// Z-Image's VAE: diffusers' AutoencoderKL (FLUX.1's, 16 latent channels) through the shared KL
// encoder/decoder graphs (../diffusers/kl-vae.ts). The pipeline decodes latents / scaling_factor +
// shift_factor, and (for inpainting) encodes images to (mode − shift_factor) · scaling_factor.
import { DiffusersFormatError } from '../diffusers/errors.ts';
import { configFields } from '../diffusers/config-fields.ts';
import { type KlVaeConfig, parseKlVaeConfig } from '../diffusers/kl-vae.ts';

export interface ZImageVaeConfig extends KlVaeConfig {
  scalingFactor: number;
  shiftFactor: number;
}

export function parseZImageVaeConfig(json: Record<string, unknown>, file: string): ZImageVaeConfig {
  // Defaults are AutoencoderKL's own, for fields a config leaves out.
  const base = parseKlVaeConfig(json, file, 'AutoencoderKL', { blockOutChannels: [64], latentChannels: 4, layersPerBlock: 1 });
  const fields = configFields(json, file);
  const scaling = fields.positive('scaling_factor', 0.18215);
  const shift = fields.finite('shift_factor', 0);
  for (const k of ['latents_mean', 'latents_std']) {
    if (json[k] != null) throw new DiffusersFormatError(`${file}: ${k} is set; the Z-Image pipeline scales latents by scaling_factor and shift_factor only`);
  }
  return { ...base, scalingFactor: scaling, shiftFactor: shift };
}

const f = Math.fround;

/** The pipeline's latents → what vae.decode takes: z / scaling_factor + shift_factor (float32). */
export function toDecoderLatents(z: Float32Array, cfg: ZImageVaeConfig): Float32Array {
  const s = f(cfg.scalingFactor);
  const t = f(cfg.shiftFactor);
  return z.map((v) => f(f(v / s) + t));
}

/** The encoder's posterior mode → the pipeline's latents: (mode − shift_factor) · scaling_factor. */
export function fromEncoderLatents(mode: Float32Array, cfg: ZImageVaeConfig): Float32Array {
  const s = f(cfg.scalingFactor);
  const t = f(cfg.shiftFactor);
  return mode.map((v) => f(f(v - t) * s));
}
