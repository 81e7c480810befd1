// Between the VAE's pixels ([3, H, W] floats in [-1, 1]) and 8-bit RGB, as diffusers'
// VaeImageProcessor does it for every pipeline here.

/** Pixels in [-1, 1] → 8-bit RGB interleaved, as the reference's postprocess ((x/2 + 0.5) clamped, ×255, rounded). */
export function toRgb8(pixels: Float32Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const plane = width * height;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const v = Math.min(1, Math.max(0, pixels[c * plane + i]! / 2 + 0.5));
      out[i * 3 + c] = Math.round(v * 255);
    }
  }
  return out;
}

/** 8-bit RGB interleaved → [3, H, W] in [-1, 1] (x/255·2 − 1, as the reference's preprocess). */
export function fromRgb8(rgb: Uint8Array, width: number, height: number, channels = 3): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = Math.fround(rgb[i * channels + c]! / 255) * 2 - 1;
  }
  return out;
}
