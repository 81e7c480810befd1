// Draws a laid-out Scene into pixels. Everything here is a pure function of the Scene, which
// is what lets tests check the pixels against the description and edits against their masks.
import { objectClass } from './catalog.ts';
import { PALETTE } from './colors.ts';
import { blitCoverage, blitRgba, createImage, createMask, fillMaskBox, fillRect, type Box, type Mask, type RgbColor, type RgbImage } from './image.ts';
import { wordCoverage } from './lettering.ts';
import { plateLayout } from './plates.ts';
export { plateLayout } from './plates.ts';
import { cellBox, type Background, type Scene, type SceneText } from './scene.ts';
import { iconSprite } from './sprites.ts';
import { motionBlur } from './blur.ts';

export interface Rendered {
  image: RgbImage;
  /** Per pixel, the highest alpha of anything drawn over the background (0..255). */
  coverage: Mask;
}

export function renderScene(scene: Scene): Rendered {
  const { width, height } = scene;
  const image = createImage(width, height);
  drawBackground(image, scene.background);
  const coverage = createMask(width, height);
  for (const o of scene.objects) {
    const icon = objectClass(o.classId).icon;
    for (const box of o.instances) {
      const sprite = iconSprite(o.artSet, icon, box.width, o.color);
      blitRgba(image, sprite, box.x, box.y);
      // The coverage map records alpha, not 255, so antialiased rims count as background too.
      for (let y = 0; y < sprite.height; y++) {
        const row = (box.y + y) * width + box.x;
        for (let x = 0; x < sprite.width; x++) {
          const a = sprite.data[(y * sprite.width + x) * 4 + 3]!;
          if (a > coverage.data[row + x]!) coverage.data[row + x] = a;
        }
      }
    }
  }
  for (const t of scene.texts) {
    drawText(image, t);
    fillMaskBox(coverage, t.bbox);
  }
  if (scene.blur) {
    const b = scene.blur;
    const length = Math.max(2, Math.round(b.length * Math.min(width, height)));
    const region = blurRegion(scene);
    return { image: motionBlur(image, length, b.angle, region), coverage };
  }
  return { image, coverage };
}

/** The pixels a scene's motion blur touches: the whole image, or one object group's cell. */
export function blurRegion(scene: Scene): Mask {
  const m = createMask(scene.width, scene.height);
  const b = scene.blur;
  if (!b || b.region === 'image') {
    m.data.fill(255);
    return m;
  }
  const o = scene.objects[b.region]!;
  fillMaskBox(m, cellBox(scene.width, scene.height, o.row, o.col));
  return m;
}

export function drawBackground(image: RgbImage, bg: Background): void {
  const { width: w, height: h, data } = image;
  if (bg.kind === 'solid') {
    fillRect(image, { x: 0, y: 0, width: w, height: h }, PALETTE[bg.color]);
    return;
  }
  const a = PALETTE[bg.from];
  const b = PALETTE[bg.to];
  const span = bg.direction === 'vertical' ? h - 1 : bg.direction === 'horizontal' ? w - 1 : w + h - 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = bg.direction === 'vertical' ? y : bg.direction === 'horizontal' ? x : x + y;
      const t = span > 0 ? p / span : 0;
      const o = (y * w + x) * 3;
      data[o] = Math.round(a[0] + (b[0] - a[0]) * t);
      data[o + 1] = Math.round(a[1] + (b[1] - a[1]) * t);
      data[o + 2] = Math.round(a[2] + (b[2] - a[2]) * t);
    }
  }
}

/** The colour of the background at a pixel, as drawBackground paints it. */
export function backgroundAt(bg: Background, width: number, height: number, x: number, y: number): RgbColor {
  if (bg.kind === 'solid') return PALETTE[bg.color];
  const a = PALETTE[bg.from];
  const b = PALETTE[bg.to];
  const span = bg.direction === 'vertical' ? height - 1 : bg.direction === 'horizontal' ? width - 1 : width + height - 2;
  const p = bg.direction === 'vertical' ? y : bg.direction === 'horizontal' ? x : x + y;
  const t = span > 0 ? p / span : 0;
  return [Math.round(a[0] + (b[0] - a[0]) * t), Math.round(a[1] + (b[1] - a[1]) * t), Math.round(a[2] + (b[2] - a[2]) * t)];
}

/** Posters and labels are framed in the lettering colour, which is chosen to contrast with the plate. */
function rimColor(t: SceneText): RgbColor {
  return PALETTE[t.textColor];
}

function drawText(image: RgbImage, t: SceneText): void {
  const box = t.bbox;
  const plate = PALETTE[t.plateColor];
  fillRect(image, box, plate);
  const { rim, framed, inner, wordMaxHeight, poster } = plateLayout(t);
  if (framed) {
    // Posters and labels get a frame in the lettering colour; signs are plain bands.
    const c = rimColor(t);
    fillRect(image, { x: box.x, y: box.y, width: box.width, height: rim }, c);
    fillRect(image, { x: box.x, y: box.y + box.height - rim, width: box.width, height: rim }, c);
    fillRect(image, { x: box.x, y: box.y, width: rim, height: box.height }, c);
    fillRect(image, { x: box.x + box.width - rim, y: box.y, width: rim, height: box.height }, c);
  }
  const cov = wordCoverage(t.text, inner.width, wordMaxHeight);
  // layoutScene refuses words that do not fit, so a missing word here would be a bug.
  if (!cov) throw new Error(`"${t.text}" does not fit its ${t.kind} (${inner.width}x${wordMaxHeight} px)`);
  const x = inner.x + Math.floor((inner.width - cov.width) / 2);
  const y = poster ? inner.y + Math.floor(inner.height * 0.08) : inner.y + Math.floor((inner.height - cov.height) / 2);
  blitCoverage(image, cov, x, y, PALETTE[t.textColor]);
}
