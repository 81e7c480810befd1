// The JS side of the model's inputs: images ↔ patch tokens, masks → per-patch values, rotary
// positions for a token layout, prompts → padded windows. Pure functions over typed arrays.
import { HostTensor } from '../engine/index.ts';
import { ropeTables } from '../nn/index.ts';
import type { RgbImage } from '../image/index.ts';
import { POSITION_FEATURES, headDim, type ModelConfig } from './config.ts';

export interface Grid {
  rows: number;
  cols: number;
}

export function gridFor(width: number, height: number, patch: number): Grid {
  if (width % patch !== 0 || height % patch !== 0) {
    throw new Error(`image ${width}×${height} is not a multiple of the ${patch}-pixel patch size`);
  }
  return { rows: height / patch, cols: width / patch };
}

/** RGB bytes → [N, patch²·3] values in [−1, 1], tokens row-major, each patch laid out (y, x, channel). */
export function patchify(img: RgbImage, patch: number, out?: Float32Array): Float32Array {
  const { rows, cols } = gridFor(img.width, img.height, patch);
  const P = patch * patch * 3;
  const res = out ?? new Float32Array(rows * cols * P);
  const rowBytes = patch * 3;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      for (let y = 0; y < patch; y++) {
        let src = ((r * patch + y) * img.width + c * patch) * 3;
        for (let i = 0; i < rowBytes; i++) res[o++] = img.data[src++]! / 127.5 - 1;
      }
    }
  }
  return res;
}

/** The inverse of patchify, rounding and clamping to bytes. */
export function unpatchify(values: Float32Array, width: number, height: number, patch: number): RgbImage {
  const { rows, cols } = gridFor(width, height, patch);
  const data = new Uint8Array(width * height * 3);
  const rowBytes = patch * 3;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      for (let y = 0; y < patch; y++) {
        let dst = ((r * patch + y) * width + c * patch) * 3;
        for (let i = 0; i < rowBytes; i++) {
          // Math.round, clamped to a byte; floor(v + 0.5) is Math.round's own definition, and a
          // truncating |0 is floor for the non-negative values that reach it (NaN ends up 0 both ways).
          const v = (values[o++]! + 1) * 127.5;
          data[dst++] = v >= 255 ? 255 : v > 0 ? (v + 0.5) | 0 : 0;
        }
      }
    }
  }
  return { width, height, data };
}

/** A one-channel mask (0/255 bytes) → [N, patch²] values in {0, 1}. */
export function maskPatches(mask: { width: number; height: number; data: Uint8Array }, patch: number): Float32Array {
  const { rows, cols } = gridFor(mask.width, mask.height, patch);
  const res = new Float32Array(rows * cols * patch * patch);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      for (let y = 0; y < patch; y++) {
        const src = (r * patch + y) * mask.width + c * patch;
        for (let x = 0; x < patch; x++) res[o++] = mask.data[src + x]! >= 128 ? 1 : 0;
      }
    }
  }
  return res;
}

/**
 * Rotary positions are scaled so every image spans the same range whatever its resolution
 * (a grid of `REFERENCE_GRID` tokens a side keeps unit spacing): the model trains at small sizes
 * and samples at large ones by interpolating positions rather than extrapolating them.
 */
export const REFERENCE_GRID = 8;

export interface Segment {
  grid: Grid;
  /** 0 = the image being generated, 1 = the source image of an edit. */
  segment: 0 | 1;
}

/** cos/sin [K + N, Dh] for K text tokens (at the origin) followed by the image segments' tokens. */
export function imageRope(c: ModelConfig, segments: Segment[]): { cos: Float32Array; sin: Float32Array; tokens: number } {
  const k = c.text.resamplerTokens;
  const n = segments.reduce((a, s) => a + s.grid.rows * s.grid.cols, 0);
  const seg = new Float32Array(k + n);
  const row = new Float32Array(k + n);
  const col = new Float32Array(k + n);
  let t = k;
  for (const s of segments) {
    const scale = REFERENCE_GRID / Math.sqrt(s.grid.rows * s.grid.cols);
    for (let r = 0; r < s.grid.rows; r++) {
      for (let cc = 0; cc < s.grid.cols; cc++, t++) {
        seg[t] = s.segment;
        row[t] = (r + 0.5) * scale;
        col[t] = (cc + 0.5) * scale;
      }
    }
  }
  const { cos, sin, headDim: dh } = ropeTables([seg, row, col], [...c.ropeAxes]);
  if (dh !== headDim(c)) throw new Error(`rope axes sum to ${dh}, head dim is ${headDim(c)}`);
  return { cos, sin, tokens: n };
}

/** Segment ids [N] for the given segments. */
export function segmentIds(segments: Segment[]): BigInt64Array {
  const n = segments.reduce((a, s) => a + s.grid.rows * s.grid.cols, 0);
  const ids = new BigInt64Array(n);
  let t = 0;
  for (const s of segments) ids.fill(BigInt(s.segment), t, (t += s.grid.rows * s.grid.cols));
  return ids;
}

/** Token ids → [L] ids padded to a multiple of `window` and the matching keep mask. */
export function padPrompt(ids: ArrayLike<number>, window: number, padId: number, length?: number): { ids: BigInt64Array; keep: Float32Array; length: number } {
  const l = length ?? Math.max(window, Math.ceil(ids.length / window) * window);
  if (l % window !== 0) throw new Error(`prompt length ${l} is not a multiple of the window ${window}`);
  if (ids.length > l) throw new Error(`prompt of ${ids.length} tokens does not fit in ${l}`);
  const out = new BigInt64Array(l).fill(BigInt(padId));
  const keep = new Float32Array(l);
  for (let i = 0; i < ids.length; i++) {
    out[i] = BigInt(ids[i]!);
    keep[i] = 1;
  }
  return { ids: out, keep, length: l };
}

/**
 * [N, POSITION_FEATURES] sin/cos of each image token's place, in the same resolution-normalised
 * units as the rotary positions (a square image spans [0, 1] a side), at periods 2, 1, 1/2, 1/4,
 * 1/8 and 1/16 of that span: coarse enough to name a third of the picture, fine enough to tell
 * neighbouring tokens of a 16-token side apart. An edit's source tokens get the same features as
 * the target token at their place (the segment embedding tells the two apart).
 */
export function positionFeatures(segments: Segment[]): Float32Array {
  const n = segments.reduce((a, s) => a + s.grid.rows * s.grid.cols, 0);
  const out = new Float32Array(n * POSITION_FEATURES);
  const periods = POSITION_FEATURES / 4;
  let t = 0;
  for (const s of segments) {
    const scale = 1 / Math.sqrt(s.grid.rows * s.grid.cols);
    for (let r = 0; r < s.grid.rows; r++) {
      for (let cc = 0; cc < s.grid.cols; cc++, t++) {
        const place = [(r + 0.5) * scale, (cc + 0.5) * scale];
        let j = t * POSITION_FEATURES;
        for (const u of place) {
          for (let k = 0; k < periods; k++) {
            const angle = Math.PI * 2 ** k * u;
            out[j++] = Math.sin(angle);
            out[j++] = Math.cos(angle);
          }
        }
      }
    }
  }
  return out;
}

/** The denoiser's layout inputs for these segments: segment ids, the joint rotary tables and, for 'fourier' positions, the position features. */
export function layoutFeeds(c: ModelConfig, segments: Segment[]): Record<string, HostTensor> {
  const rope = imageRope(c, segments);
  const rows = c.text.resamplerTokens + rope.tokens;
  const dh = headDim(c);
  return {
    segment: new HostTensor('int64', [rope.tokens], segmentIds(segments)),
    rope_cos: HostTensor.f32(rope.cos, [rows, dh]),
    rope_sin: HostTensor.f32(rope.sin, [rows, dh]),
    ...(c.positionEmbedding && c.positionFeatures === 'fourier'
      ? { pos_features: HostTensor.f32(positionFeatures(segments), [rope.tokens, POSITION_FEATURES]) }
      : {}),
  };
}
