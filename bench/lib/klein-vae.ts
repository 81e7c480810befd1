// klein-shapes' `vae` part: FLUX.2's VAE (AutoencoderKLFlux2, the same for every FLUX.2 model,
// klein 4B included) at its real configuration with random weights. The decoder turns the final
// latents into the image; the encoder runs once per edit, on the reference image. Both stay
// float32 in the real model (its convolutions are not quantized), so they do here.
import { HostTensor, Rng } from '../../src/engine/index.ts';
import { buildVae, parseVaeConfig } from '../../src/model/flux2/vae.ts';
import { buildSession, type GraphParts, gc, rssMb, tiledRandomWeights } from './klein-common.ts';
import { peakRssMb, resetPeakRss } from './process-memory.ts';
import { cpuSeconds } from './util.ts';

/**
 * vae/config.json of FLUX.2 (equal to AutoencoderKLFlux2's defaults in diffusers, and to Black
 * Forest Labs' own AutoEncoderParams: ch 128, ch_mult [1, 2, 4, 4], 2 ResNets per level, 32 latent
 * channels): four levels of 128, 256, 512, 512 channels, 2 ResNets per encoder level (3 per decoder
 * level), GroupNorm of 32 groups, quant convs and a self-attention in the middle of each half.
 * Parsed by the loader's own parser so the bench builds exactly what a real folder would.
 */
export const VAE = parseVaeConfig(
  {
    _class_name: 'AutoencoderKLFlux2',
    in_channels: 3,
    out_channels: 3,
    block_out_channels: [128, 256, 512, 512],
    layers_per_block: 2,
    latent_channels: 32,
    norm_num_groups: 32,
    use_quant_conv: true,
    use_post_quant_conv: true,
    mid_block_add_attention: true,
    batch_norm_eps: 1e-4,
    patch_size: [2, 2],
  },
  'FLUX.2 vae/config.json',
);

export interface VaeFigure {
  half: 'decoder' | 'encoder';
  side: number;
  params: number;
  weightsMb: number;
  /** Resident set with the session loaded, before the run, and the run's peak (whole process, MB). */
  loadedMb: number;
  peakMb: number;
  wall: number;
  cpu: number;
}

function halfGraph(half: VaeFigure['half']): GraphParts {
  const g = buildVae(VAE);
  return half === 'decoder'
    ? { outputs: { image: g.decode.image }, inputs: [g.decode.latents] }
    : { outputs: { mode: g.encode.mode }, inputs: [g.encode.image] };
}

function feeds(half: VaeFigure['half'], side: number): Record<string, HostTensor> {
  const rng = new Rng(3);
  if (half === 'decoder') {
    const h = side / 8;
    return { latents: HostTensor.f32(rng.fillNormal(new Float32Array(VAE.latentChannels * h * h)), [1, VAE.latentChannels, h, h]) };
  }
  return { image: HostTensor.f32(rng.fillUniform(new Float32Array(3 * side * side), -1, 1), [1, 3, side, side]) };
}

/** Decoder, then encoder: one session each, run at every side (best of `reps` runs), the peak reset before each. */
export async function measureVae(sides: number[], threads: number, reps: number, tmp: string, report: (f: VaeFigure) => void): Promise<VaeFigure[]> {
  const figures: VaeFigure[] = [];
  for (const half of ['decoder', 'encoder'] as const) {
    gc();
    const built = await buildSession(halfGraph(half), tiledRandomWeights(1), 'none', threads, tmp);
    try {
      for (const side of sides) {
        const input = feeds(half, side);
        gc();
        const loadedMb = rssMb();
        resetPeakRss();
        let wall = Infinity;
        let cpu = Infinity;
        for (let r = 0; r < reps; r++) {
          const c0 = cpuSeconds();
          const t0 = performance.now();
          await built.session.run(input);
          const dt = (performance.now() - t0) / 1000;
          if (dt < wall) {
            wall = dt;
            cpu = cpuSeconds() - c0;
          }
        }
        const figure: VaeFigure = { half, side, params: built.params, weightsMb: built.weightsMb, loadedMb, peakMb: peakRssMb(), wall, cpu };
        figures.push(figure);
        report(figure);
      }
    } finally {
      await built.session.release();
    }
  }
  return figures;
}
