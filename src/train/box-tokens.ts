// Which tokens of a picture's patch grid a box (an object instance or a lettering plate) claims.
// Two rules, one per use: the object loss weight takes every token the box touches, so no pixel
// of an object is left at the background's weight; the layout labels name a token after a box
// only when the box covers a quarter of it or holds its centre, so a box grazing a token's edge
// does not relabel it while a box smaller than one token still labels the token it sits in.
import type { Box } from '../data/image.ts';

/** How a box claims tokens: any overlap, or a quarter of the token's area or the box's centre. */
export type BoxTokenRule = 'overlap' | 'quarter-or-centre';

export interface TokenGrid {
  rows: number;
  cols: number;
}

/** Row-major indices of the tokens of a rows×cols grid of `patch`-pixel tokens that `box` claims under `rule`. */
export function boxTokens(box: Box, grid: TokenGrid, patch: number, rule: BoxTokenRule): number[] {
  const tokens: number[] = [];
  // The tokens the box overlaps; a box's last pixel is at x + width − 1.
  const r0 = Math.max(0, Math.floor(box.y / patch));
  const r1 = Math.min(grid.rows - 1, Math.floor((box.y + box.height - 1) / patch));
  const c0 = Math.max(0, Math.floor(box.x / patch));
  const c1 = Math.min(grid.cols - 1, Math.floor((box.x + box.width - 1) / patch));
  if (rule === 'overlap') {
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) tokens.push(r * grid.cols + c);
    return tokens;
  }
  const quarter = (patch * patch) / 4;
  const centre = Math.min(grid.rows - 1, Math.floor((box.y + box.height / 2) / patch)) * grid.cols + Math.min(grid.cols - 1, Math.floor((box.x + box.width / 2) / patch));
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const w = Math.min(box.x + box.width, (c + 1) * patch) - Math.max(box.x, c * patch);
      const h = Math.min(box.y + box.height, (r + 1) * patch) - Math.max(box.y, r * patch);
      const token = r * grid.cols + c;
      if (w * h >= quarter || token === centre) tokens.push(token);
    }
  }
  return tokens;
}
