// The 3×3 grid scenes are laid out on: cell names and pixel boxes. Cell edges are rounded so
// that the nine cells tile an image of any size exactly.
import type { Box } from './image.ts';

export const ROWS = ['top', 'middle', 'bottom'] as const;
export const COLS = ['left', 'center', 'right'] as const;
export type Row = 0 | 1 | 2;
export type Col = 0 | 1 | 2;

/** Position names in a 3×3 grid, e.g. "top left", "middle center", "bottom right". */
export const POSITIONS = ROWS.flatMap((r) => COLS.map((c) => `${r} ${c}`)) as readonly string[];
export type PositionName = string;

/** Pixel box of a grid cell. Cell edges are rounded so the 3×3 cells tile the image exactly. */
export function cellBox(width: number, height: number, row: number, col: number): Box {
  const x0 = Math.round((col * width) / 3);
  const x1 = Math.round(((col + 1) * width) / 3);
  const y0 = Math.round((row * height) / 3);
  const y1 = Math.round(((row + 1) * height) / 3);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function rowBox(width: number, height: number, row: number): Box {
  const c = cellBox(width, height, row, 0);
  return { x: 0, y: c.y, width, height: c.height };
}

export function positionName(row: number, col: number): PositionName {
  return `${ROWS[row]} ${COLS[col]}`;
}

