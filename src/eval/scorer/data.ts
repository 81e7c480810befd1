// Training and validation data for the scorer: scenes drawn by the data issue's own sampler,
// with object classes biased toward the scorer's vocabulary (so each named class is seen often
// in all four art styles and every colour) and rendered at the sizes the model generates.
// Soft-focus and noise augmentation stand in for the blur and grain of generated pictures.
import { COLOR_NAMES, DataRng, mixSeed, nearestColorName, type RgbImage, type Scene } from '../../data/index.ts';
import { OBJECT_CLASSES } from '../../data/catalog.ts';
import { renderScene } from '../../data/render.ts';
import { sampleBackground, sampleObject, sampleText } from '../../data/sampler.ts';
import { cellBox, layoutScene, type SceneSpec } from '../../data/scene.ts';
import { KIND_EMPTY, SCORER_CLASSES, cellLabels, type CellLabel } from './labels.ts';

/** Sizes the scorer trains on: the shipped model's buckets, plus 64² and 256² for range. */
export const SCORER_TRAIN_SIZES: readonly (readonly [number, number, number])[] = [
  // [width, height, weight]
  [128, 128, 6],
  [160, 96, 1],
  [96, 160, 1],
  [192, 80, 1],
  [80, 192, 1],
  [64, 64, 1],
  [256, 256, 1],
];

const OTHER_CLASSES = OBJECT_CLASSES.map((c) => c.id).filter((id) => !SCORER_CLASSES.includes(id));

/** A random scene whose groups come from the scorer's vocabulary 70% of the time. */
export function scorerSpec(rng: DataRng, size: { width: number; height: number }): SceneSpec {
  for (;;) {
    const spec: SceneSpec = { background: sampleBackground(rng), objects: [], texts: [], blur: null };
    if (rng.chance(0.3)) {
      const t = sampleText(rng, spec, 'heldout', undefined, size);
      if (t) spec.texts.push(t);
    }
    const groups = rng.int(rng.chance(0.1) ? 0 : 1, 4);
    for (let g = 0; g < groups; g++) {
      const used = new Set(spec.objects.map((o) => o.classId));
      const pool = (rng.chance(0.7) ? SCORER_CLASSES : OTHER_CLASSES).filter((c) => !used.has(c));
      // 'heldout' so that held-out combinations (a blue apple) are allowed: the scorer must see them.
      const o = sampleObject(rng, spec, 'heldout', { classId: rng.pick(pool) });
      if (!o) break;
      spec.objects.push(o);
    }
    if (spec.objects.length > 0 || spec.texts.length > 0 || groups === 0) return spec;
  }
}

export interface LabelledImage {
  image: RgbImage;
  scene: Scene;
  labels: CellLabel[];
}

export function pickSize(rng: DataRng): { width: number; height: number } {
  const [width, height] = rng.weighted(SCORER_TRAIN_SIZES.map(([w, h, p]) => [[w, h] as const, p] as const));
  return { width, height };
}

/** Share of training pictures that are object-free colour mosaics. */
export const MOSAIC_SHARE = 0.08;

/**
 * A picture with no object in it: random colour blocks, blurred to a random degree. An
 * undertrained generator draws exactly such patchwork, and a judge that never saw it finds
 * apples in it; trained on these, it answers "empty" (backgrounds named by each cell's mean).
 */
export function mosaicSample(rng: DataRng, size: { width: number; height: number }): { image: RgbImage; labels: CellLabel[] } {
  const blocks = rng.int(3, 16);
  const colors = Array.from({ length: blocks * blocks }, () => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)]);
  const data = new Uint8Array(size.width * size.height * 3);
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const c = colors[Math.floor((y * blocks) / size.height) * blocks + Math.floor((x * blocks) / size.width)]!;
      data.set(c, (y * size.width + x) * 3);
    }
  }
  let image: RgbImage = { ...size, data };
  for (let i = rng.int(0, 3); i > 0; i--) image = boxBlur3(image);
  const labels: CellLabel[] = [];
  for (let cell = 0; cell < 9; cell++) {
    const b = cellBox(size.width, size.height, Math.floor(cell / 3), cell % 3);
    let r = 0;
    let g = 0;
    let bl = 0;
    for (let y = b.y; y < b.y + b.height; y++) {
      for (let x = b.x; x < b.x + b.width; x++) {
        const o = (y * size.width + x) * 3;
        r += image.data[o]!;
        g += image.data[o + 1]!;
        bl += image.data[o + 2]!;
      }
    }
    const n = b.width * b.height;
    labels.push({ kind: KIND_EMPTY, color: 0, count: 0, size: 0, background: COLOR_NAMES.indexOf(nearestColorName([r / n, g / n, bl / n])) });
  }
  return { image, labels };
}

/** Sample `index` of the stream with seed `seed`: a pure function of both. */
export function scorerSample(seed: number, index: number, opts: { augment: boolean; size?: { width: number; height: number }; mosaics?: boolean }): LabelledImage {
  const rng = new DataRng(mixSeed(0x5c0e, seed, index));
  const size = opts.size ?? pickSize(rng);
  if (opts.mosaics && rng.chance(MOSAIC_SHARE)) {
    const m = mosaicSample(rng, size);
    const empty = layoutScene({ background: { kind: 'solid', color: 'white' }, objects: [], texts: [], blur: null }, size.width, size.height);
    return { image: opts.augment ? augment(m.image, rng) : m.image, scene: empty, labels: m.labels };
  }
  const scene = layoutScene(scorerSpec(rng, size), size.width, size.height);
  const rendered = renderScene(scene);
  const labels = cellLabels(scene, rendered);
  return { image: opts.augment ? augment(rendered.image, rng) : rendered.image, scene, labels };
}

/** Box blur (0–2 passes, 40% of images) then uniform noise of random strength (half the images). */
export function augment(img: RgbImage, rng: DataRng): RgbImage {
  let out = img;
  if (rng.chance(0.4)) {
    const passes = rng.int(1, 2);
    for (let i = 0; i < passes; i++) out = boxBlur3(out);
  }
  if (rng.chance(0.5)) {
    // Uniform noise with standard deviation up to 12 levels; one random draw per value.
    const half = rng.range(0, 12) * Math.sqrt(3);
    const data = out === img ? new Uint8Array(img.data) : out.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]! + (rng.float() * 2 - 1) * half;
      data[i] = v < 0 ? 0 : v > 255 ? 255 : v + 0.5;
    }
    out = { width: img.width, height: img.height, data };
  }
  return out;
}

/** 3×3 box blur, separable (edge pixels average what exists). */
export function boxBlur3(img: RgbImage): RgbImage {
  const { width: w, height: h, data } = img;
  const tmp = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const x0 = x > 0 ? x - 1 : x;
      const x1 = x < w - 1 ? x + 1 : x;
      const n = x1 - x0 + 1;
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let xx = x0; xx <= x1; xx++) s += data[(y * w + xx) * 3 + c]!;
        tmp[(y * w + x) * 3 + c] = s / n;
      }
    }
  }
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    const y0 = y > 0 ? y - 1 : y;
    const y1 = y < h - 1 ? y + 1 : y;
    const n = y1 - y0 + 1;
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let yy = y0; yy <= y1; yy++) s += tmp[(yy * w + x) * 3 + c]!;
        out[(y * w + x) * 3 + c] = s / n + 0.5;
      }
    }
  }
  return { width: w, height: h, data: out };
}
