// The inpainting mask, painted on a canvas the size of the image. Painted pixels are the area
// to change. It is sent in OpenAI's convention: transparent = change, opaque = keep.

export type Tool = 'brush' | 'eraser';

export function stroke(canvas: HTMLCanvasElement, from: { x: number; y: number }, to: { x: number; y: number }, diameter: number, tool: Tool): void {
  const ctx = canvas.getContext('2d')!;
  ctx.save();
  ctx.globalCompositeOperation = tool === 'eraser' ? 'destination-out' : 'source-over';
  ctx.strokeStyle = ctx.fillStyle = 'rgb(255, 40, 80)';
  ctx.lineWidth = diameter;
  ctx.lineCap = ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x, to.y);
  ctx.stroke();
  ctx.restore();
}

export function clearMask(canvas: HTMLCanvasElement): void {
  canvas.getContext('2d')!.clearRect(0, 0, canvas.width, canvas.height);
}

/** Painted becomes unpainted and the other way round. */
export function invertMask(canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  for (let i = 0; i < img.data.length; i += 4) {
    img.data[i] = 255;
    img.data[i + 1] = 40;
    img.data[i + 2] = 80;
    img.data[i + 3] = 255 - img.data[i + 3]!;
  }
  ctx.putImageData(img, 0, 0);
}

/** Fraction of the image painted (alpha at least half). */
export function coverage(canvas: HTMLCanvasElement): number {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]! >= 128) painted++;
  return painted / (canvas.width * canvas.height);
}

/** The mask as the Images API wants it: transparent where painted, opaque black elsewhere. */
export function maskPng(canvas: HTMLCanvasElement): Promise<Blob> {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const src = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  const ctx = out.getContext('2d')!;
  const img = ctx.createImageData(out.width, out.height);
  for (let i = 0; i < src.length; i += 4) img.data[i + 3] = src[i + 3]! >= 128 ? 0 : 255;
  ctx.putImageData(img, 0, 0);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('the mask could not be encoded'))), 'image/png'));
}
