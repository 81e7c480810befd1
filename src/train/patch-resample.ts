// --init-from a model with another patch size: the tensors that see or draw a token's pixels are
// resampled to the new patch, everything else (the transformer, the text encoder, the position
// features, which are relative to the image) is taken as it is. The maps are exact in this sense:
//   smaller patches (from = r·to): new(x) = mean over r×r blocks of old(x upsampled r×),
//   larger patches  (to = r·from): new(x upsampled r×) = old(x) upsampled r×,
// at the same token grid. So a model whose patch shrinks starts out drawing what the old one drew
// at 1/r of the resolution (or, at the old resolution, draws as if the image were r× larger), and
// training goes on from there instead of from random pixels in and out.
import { HostTensor } from '../engine/index.ts';
import { InputError } from '../errors.ts';

/** How a tensor meets a token's pixels: rows that read them ('in') or columns that write them ('out'). */
interface PixelAxis {
  side: 'in' | 'out';
  /** Values per pixel: 3 (RGB) for image patches, 1 for the inpainting mask. */
  channels: number;
  /** 'in' only: rows before the pixel rows (the pixel head reads the token state first). */
  rowsBefore: (width: number) => number;
}

/** The denoiser's tensors whose shape depends on the patch size (model/denoiser.ts). */
const PIXEL_TENSORS: Record<string, PixelAxis> = {
  'denoiser.patch_embed.weight': { side: 'in', channels: 3, rowsBefore: () => 0 },
  'denoiser.mask_embed.weight': { side: 'in', channels: 1, rowsBefore: () => 0 },
  'denoiser.pixel_head.fc1.weight': { side: 'in', channels: 3, rowsBefore: (width) => width },
  'denoiser.head.weight': { side: 'out', channels: 3, rowsBefore: () => 0 },
  'denoiser.head.bias': { side: 'out', channels: 3, rowsBefore: () => 0 },
  'denoiser.pixel_head.fc2.weight': { side: 'out', channels: 3, rowsBefore: () => 0 },
  'denoiser.pixel_head.fc2.bias': { side: 'out', channels: 3, rowsBefore: () => 0 },
};

/**
 * For every pixel of the new patch, the old pixels it is made from and their weight in a tensor's
 * 'in' rows or 'out' columns. Smaller patch: each new pixel is an r×r block of old ones ('in'
 * sums them, 'out' averages them). Larger patch: each new pixel has one old parent ('in' takes
 * 1/r² of it, 'out' copies it).
 */
function pixelSources(from: number, to: number, side: 'in' | 'out'): { old: number[]; weight: number }[] {
  const sources: { old: number[]; weight: number }[] = [];
  if (from > to) {
    const r = from / to;
    for (let y = 0; y < to; y++) {
      for (let x = 0; x < to; x++) {
        const old: number[] = [];
        for (let dy = 0; dy < r; dy++) for (let dx = 0; dx < r; dx++) old.push((y * r + dy) * from + (x * r + dx));
        sources.push({ old, weight: side === 'in' ? 1 : 1 / (r * r) });
      }
    }
  } else {
    const r = to / from;
    for (let y = 0; y < to; y++) {
      for (let x = 0; x < to; x++) sources.push({ old: [Math.floor(y / r) * from + Math.floor(x / r)], weight: side === 'in' ? 1 / (r * r) : 1 });
    }
  }
  return sources;
}

function resampleTensor(t: HostTensor, axis: PixelAxis, from: number, to: number, width: number): HostTensor {
  const old = t.f32();
  const c = axis.channels;
  const sources = pixelSources(from, to, axis.side);
  if (axis.side === 'in') {
    // [rowsBefore + from²·c, cols] → [rowsBefore + to²·c, cols]
    const before = axis.rowsBefore(width);
    const cols = t.shape[1]!;
    const out = new Float32Array((before + to * to * c) * cols);
    out.set(old.subarray(0, before * cols));
    sources.forEach(({ old: olds, weight }, p) => {
      for (let ch = 0; ch < c; ch++) {
        const dst = (before + p * c + ch) * cols;
        for (const o of olds) {
          const src = (before + o * c + ch) * cols;
          for (let j = 0; j < cols; j++) out[dst + j] = out[dst + j]! + weight * old[src + j]!;
        }
      }
    });
    return HostTensor.f32(out, [before + to * to * c, cols]);
  }
  // 'out': [..., from²·c] → [..., to²·c] (a bias is one row)
  const fromCols = from * from * c;
  const rows = old.length / fromCols;
  const toCols = to * to * c;
  const out = new Float32Array(rows * toCols);
  for (let i = 0; i < rows; i++) {
    sources.forEach(({ old: olds, weight }, p) => {
      for (let ch = 0; ch < c; ch++) {
        let v = 0;
        for (const o of olds) v += weight * old[i * fromCols + o * c + ch]!;
        out[i * toCols + p * c + ch] = v;
      }
    });
  }
  return HostTensor.f32(out, t.shape.length === 1 ? [toCols] : [rows, toCols]);
}

/**
 * A starting model's weights with every patch-size-dependent tensor resampled from patch `from`
 * to patch `to` (one must be a whole multiple of the other). `width` is the denoiser's width.
 */
export function resamplePatchTensors(weights: Map<string, HostTensor>, from: number, to: number, width: number): Map<string, HostTensor> {
  if (from === to) return weights;
  if (Math.max(from, to) % Math.min(from, to) !== 0) {
    throw new InputError(`--init-from: patch size ${from} → ${to} cannot be resampled; one must be a whole multiple of the other`);
  }
  const out = new Map(weights);
  for (const [name, axis] of Object.entries(PIXEL_TENSORS)) {
    const t = weights.get(name);
    if (t) out.set(name, resampleTensor(t, axis, from, to, width));
  }
  return out;
}
