// What the output filter measures about an image besides the classifier's scores: its
// structure (the low-structure rule, issue #14) and its skin tones (the skin-free rule). Both
// rules only ever raise the nudity thresholds, for pictures that cannot show what nsfwjs says.
import type { RgbImage } from '../image/index.ts';

export function checkRgb(image: RgbImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`image filter: bad size ${width}x${height}`);
  if (data.length !== width * height * 3) throw new Error(`image filter: ${data.length} bytes for a ${width}x${height} RGB image (expected ${width * height * 3})`);
}

/** Box-filter downscale to at most `size` on the long side; the classifier sees 224×224 anyway. */
export function downscale(image: RgbImage, size: number): RgbImage {
  const { width, height, data } = image;
  const s = Math.max(width, height) / size;
  if (s <= 1) return image;
  const w = Math.max(1, Math.round(width / s));
  const h = Math.max(1, Math.round(height / s));
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * width) / w));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * width + xx) * 3;
          r += data[i]!;
          g += data[i + 1]!;
          b += data[i + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * How much structure an image has at the scale the classifier sees: the spread of its luminance
 * (`contrast`, standard deviation on 0–255) and its edge energy (`edges`, mean luminance
 * gradient magnitude in levels per pixel), both measured on the image box-filtered to at most
 * STRUCTURE_SIDE pixels on its long side, so that pixel noise averages out as it does for the
 * classifier and the figures do not depend on the output size.
 */
export interface ImageStructure {
  contrast: number;
  edges: number;
}

export const STRUCTURE_SIDE = 128;

export function measureStructure(image: RgbImage): ImageStructure {
  checkRgb(image);
  const { width: w, height: h, data } = downscale(image, STRUCTURE_SIDE);
  const lum = new Float64Array(w * h);
  let mean = 0;
  for (let i = 0; i < w * h; i++) {
    lum[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
    mean += lum[i]!;
  }
  mean /= w * h;
  let variance = 0;
  for (let i = 0; i < w * h; i++) variance += (lum[i]! - mean) ** 2;
  let grad = 0;
  let n = 0;
  for (let y = 0; y + 1 < h; y++) {
    for (let x = 0; x + 1 < w; x++) {
      const i = y * w + x;
      grad += Math.hypot(lum[i + 1]! - lum[i]!, lum[i + w]! - lum[i]!);
      n++;
    }
  }
  return { contrast: Math.sqrt(variance / (w * h)), edges: n > 0 ? grad / n : 0 };
}

/**
 * The low-structure rule (issue #14). nsfwjs scores washed-out, mottled fields — what a small
 * or barely trained model paints, and its previews — up to ~0.9 "Porn + Hentai" although
 * nothing is depicted (pure flat colours score ~0.03: it is the faint texture, not the colour).
 * An image counts as low-structure only when BOTH its contrast and its edge energy are below
 * these bounds; only then are the nudity thresholds raised to the ones below (never lowered).
 * Every other image is decided exactly as without the rule: same classifier, same thresholds,
 * same comparisons (image-filter.test.ts checks this on structured images against the old rule).
 * The bounds and thresholds were set on benign images only, never on explicit ones: 320
 * generations of the shipped model (64² to 1 MP, 1–20 steps) of which nsfwjs refused 38, all
 * with contrast ≤ 31 and edges ≤ 7.2 and scores 0.60–0.82; three photographs measured contrast
 * 20–75 and edges 15–30. The threshold was first 0.9; the first 400 generations of
 * `npm run bench -- output-filter` had two benign low-structure images at 0.905 and 0.941, so it
 * is 0.97. What the rule gives up is stated in SAFETY.md: a washed-out, soft image (both measures
 * low) is refused only when nsfwjs is near certain.
 */
export const LOW_STRUCTURE = {
  maxContrast: 32,
  maxEdges: 10,
  nudityThreshold: 0.97,
  suggestiveThreshold: 0.97,
} as const;

export function isLowStructure(s: ImageStructure): boolean {
  return s.contrast < LOW_STRUCTURE.maxContrast && s.edges < LOW_STRUCTURE.maxEdges;
}


// Skin-tone evidence for the output filter. nsfwjs reads some plain, sharp-edged pictures as
// explicit: a yellow square on black scored 0.81 "Porn" (0.2.0's "a lemon on a black
// background", guidance 7), a picture with structure, so the low-structure rule does not apply.
// Nudity, photographed or drawn, shows skin; a colour picture with almost no skin-toned pixel
// cannot show much of it. Such pictures get the same raised thresholds as low-structure ones
// (the rule only ever raises a threshold). A picture without colour (grey-scale or black and
// white) carries no skin chroma at all, so it is never counted as skin-free: it keeps
// the policy's thresholds.

//
// A flat backdrop is not skin either. The model's worlds are objects on plain grounds, and a plain
// brown, tan or peach ground is skin-toned by chrominance alone: 0.3.0's "a gray sign that says
// WIZARD ... on a brown background" is 73% skin-toned pixels, none of them a body, and nsfwjs
// scored it 0.84 "Porn" (and two redraws 0.62 and 0.63). Skin, photographed or drawn, is shaded;
// one colour, held within a few levels over half the picture, is a ground. Such a picture counts
// as skin-free when what is skin-toned beside the backdrop is a sliver (SKIN_FREE.maxSkinBesideBackdrop).

/** Shares of an image's pixels (measured at the classifier's scale, like ImageStructure). */
export interface SkinMeasure {
  /** Pixels whose colour is within the skin-tone box below. */
  skin: number;
  /** Pixels with visible colour (max − min channel ≥ CHROMATIC_SPREAD). */
  chromatic: number;
  /** Pixels of the flat backdrop (backdropMask); 0 when the picture has none. */
  backdrop: number;
  /** Skin-toned pixels outside the backdrop (equal to `skin` when there is none). */
  skinBesideBackdrop: number;
}

/**
 * The flat backdrop's bounds (backdropMask), in levels per channel on 0–255 and shares of the
 * picture. Set on the model's brown-ground pictures; image-filter.test.ts holds shaded and
 * figure-bearing skin-toned pictures out of it.
 */
export const BACKDROP = { seedTolerance: 12, step: 16, reach: 48, minShare: 0.5, maxLumaStd: 10 } as const;

/**
 * The skin-tone box in YCbCr (BT.601, 0–255): Cb 77–127 and Cr 133–173 (Chai & Ngan, 1999, the
 * classic chrominance range for human skin across skin types), plus Y ≥ 40 so that near-black
 * shadows, whose chroma is unreliable, do not count. Deliberately wide: a pale pink or peach
 * drawing and dark skin both fall inside.
 */
export const SKIN_BOX = { cbMin: 77, cbMax: 127, crMin: 133, crMax: 173, yMin: 40 } as const;
export const CHROMATIC_SPREAD = 40;

/**
 * The skin-free rule: at most MAX_SKIN of the pixels skin-toned, and at least MIN_CHROMATIC of
 * them visibly coloured (so a black-and-white picture, whose skin shows no chroma, never counts).
 * Set on benign images only; SAFETY.md gives the figures and what the rule gives up.
 */
export const SKIN_FREE = { maxSkin: 0.02, minChromatic: 0.05, maxSkinBesideBackdrop: 0.05 } as const;

export function measureSkin(image: RgbImage): SkinMeasure {
  checkRgb(image);
  const small = downscale(image, STRUCTURE_SIDE);
  const { width: w, height: h, data } = small;
  const inBackdrop = backdropMask(small);
  let skin = 0;
  let beside = 0;
  let chromatic = 0;
  let backdrop = 0;
  for (let i = 0; i < w * h; i++) {
    const r = data[i * 3]!;
    const g = data[i * 3 + 1]!;
    const b = data[i * 3 + 2]!;
    if (Math.max(r, g, b) - Math.min(r, g, b) >= CHROMATIC_SPREAD) chromatic++;
    if (inBackdrop?.[i]) backdrop++;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    if (y >= SKIN_BOX.yMin && cb >= SKIN_BOX.cbMin && cb <= SKIN_BOX.cbMax && cr >= SKIN_BOX.crMin && cr <= SKIN_BOX.crMax) {
      skin++;
      if (!inBackdrop?.[i]) beside++;
    }
  }
  const n = w * h;
  return { skin: skin / n, chromatic: chromatic / n, backdrop: backdrop / n, skinBesideBackdrop: beside / n };
}

/** Coloured, and skin-toned almost nowhere, or nowhere but a flat backdrop and a sliver beside it. */
export function isSkinFree(m: SkinMeasure): boolean {
  if (m.chromatic < SKIN_FREE.minChromatic) return false;
  return m.skin <= SKIN_FREE.maxSkin || (m.backdrop > 0 && m.skinBesideBackdrop <= SKIN_FREE.maxSkinBesideBackdrop);
}

/**
 * Which pixels belong to a flat backdrop, or null when there is none. Seeds: the pixels within
 * ± BACKDROP.seedTolerance of the commonest colour (16-level bins per channel, refined to the
 * bin's mean). The backdrop grows from them to 4-neighbours that differ from the pixel they are
 * reached from by at most BACKDROP.step per channel (a ground's slow drift, a generated image's
 * patch seams) and from the seed colour by at most BACKDROP.reach. It counts when it covers at
 * least BACKDROP.minShare of the picture with flat luminance (standard deviation at most
 * BACKDROP.maxLumaStd): shaded skin is not flat.
 */
function backdropMask(image: RgbImage): Uint8Array | null {
  const { width: w, height: h, data } = image;
  const n = w * h;
  const counts = new Uint32Array(4096);
  const bin = (i: number) => ((data[i * 3]! >> 4) << 8) | ((data[i * 3 + 1]! >> 4) << 4) | (data[i * 3 + 2]! >> 4);
  for (let i = 0; i < n; i++) counts[bin(i)]!++;
  let mode = 0;
  for (let k = 1; k < 4096; k++) if (counts[k]! > counts[mode]!) mode = k;
  const seed = [0, 0, 0];
  for (let i = 0; i < n; i++) if (bin(i) === mode) for (let c = 0; c < 3; c++) seed[c]! += data[i * 3 + c]!;
  for (let c = 0; c < 3; c++) seed[c] = seed[c]! / counts[mode]!;
  const near = (i: number, ref: ArrayLike<number>, at: number, tolerance: number) => {
    for (let c = 0; c < 3; c++) if (Math.abs(data[i * 3 + c]! - ref[at + c]!) > tolerance) return false;
    return true;
  };
  const mask = new Uint8Array(n);
  const queue = new Int32Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (near(i, seed, 0, BACKDROP.seedTolerance)) {
      mask[i] = 1;
      queue[size++] = i;
    }
  }
  for (let head = 0; head < size; head++) {
    const i = queue[head]!;
    const x = i % w;
    for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
      if (j < 0 || j >= n || mask[j]) continue;
      if (near(j, data, i * 3, BACKDROP.step) && near(j, seed, 0, BACKDROP.reach)) {
        mask[j] = 1;
        queue[size++] = j;
      }
    }
  }
  if (size < BACKDROP.minShare * n) return null;
  let sum = 0;
  let sumSq = 0;
  for (let k = 0; k < size; k++) {
    const i = queue[k]!;
    const y = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
    sum += y;
    sumSq += y * y;
  }
  const std = Math.sqrt(Math.max(0, sumSq / size - (sum / size) ** 2));
  return std <= BACKDROP.maxLumaStd ? mask : null;
}
