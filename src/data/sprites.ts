// Rasterises icons at the exact pixel size a scene needs and caches them. Rendering straight
// from the vector source at each size (rather than scaling one bitmap) keeps edges crisp at
// 64 px and at 1 MP alike; the cache makes the cost a one-off per (icon, style, size, colour).
import { Resvg } from '@resvg/resvg-js';
import { iconSvg, type ArtSetId } from './artsets.ts';
import { recolorSprite, type ColorName } from './colors.ts';
import type { RgbaImage } from './image.ts';

/** Bytes of sprites kept before the least recently used are dropped. */
const CACHE_BUDGET_BYTES = 256 * 1024 * 1024;

class SpriteCache {
  private map = new Map<string, RgbaImage>();
  private bytes = 0;

  get(key: string): RgbaImage | undefined {
    const v = this.map.get(key);
    if (v) {
      // Re-insert to mark as recently used (Map keeps insertion order).
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, v: RgbaImage): void {
    this.map.set(key, v);
    this.bytes += v.data.length;
    while (this.bytes > CACHE_BUDGET_BYTES) {
      const oldest = this.map.keys().next().value as string;
      this.bytes -= this.map.get(oldest)!.data.length;
      this.map.delete(oldest);
    }
  }
}

const cache = new SpriteCache();
const svgCache = new Map<string, string>();

/** Renders an SVG document to straight-alpha RGBA at size×size pixels. */
export function rasterizeSvg(svg: string, size: number): RgbaImage {
  const r = new Resvg(svg, { fitTo: { mode: 'width', value: size }, font: { loadSystemFonts: false } });
  const img = r.render();
  const premul = img.pixels;
  const w = img.width;
  const h = img.height;
  // resvg returns premultiplied RGBA; the composer blends with straight alpha.
  const data = new Uint8Array(size * size * 4);
  const oy = Math.floor((size - h) / 2);
  for (let y = 0; y < Math.min(h, size); y++) {
    for (let x = 0; x < Math.min(w, size); x++) {
      const si = (y * w + x) * 4;
      const di = ((y + oy) * size + x) * 4;
      const a = premul[si + 3]!;
      if (a === 0) continue;
      data[di] = Math.min(255, Math.round((premul[si]! * 255) / a));
      data[di + 1] = Math.min(255, Math.round((premul[si + 1]! * 255) / a));
      data[di + 2] = Math.min(255, Math.round((premul[si + 2]! * 255) / a));
      data[di + 3] = a;
    }
  }
  return { width: size, height: size, data };
}

/** The icon of one art set at size×size, optionally recoloured; cached. */
export function iconSprite(set: ArtSetId, icon: string, size: number, color: ColorName | null): RgbaImage {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`sprite size must be a positive integer, got ${size}`);
  const key = `${set}/${icon}/${size}/${color ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let sprite: RgbaImage;
  if (color) {
    sprite = recolorSprite(iconSprite(set, icon, size, null), color);
  } else {
    const svgKey = `${set}/${icon}`;
    let svg = svgCache.get(svgKey);
    if (!svg) {
      svg = iconSvg(set, icon);
      svgCache.set(svgKey, svg);
    }
    sprite = rasterizeSvg(svg, size);
  }
  cache.set(key, sprite);
  return sprite;
}

/** Tight box of the pixels whose alpha is at least `minAlpha`, or null for an empty sprite. */
export function opaqueBounds(sprite: RgbaImage, minAlpha = 1): { x: number; y: number; width: number; height: number } | null {
  let x0 = sprite.width;
  let y0 = sprite.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < sprite.height; y++) {
    for (let x = 0; x < sprite.width; x++) {
      if (sprite.data[(y * sprite.width + x) * 4 + 3]! >= minAlpha) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}
