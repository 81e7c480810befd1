// Exact per-token labels for the layout loss (TrainConfig.layoutLossWeight): the composer knows
// what covers every patch of a scene — which object class, in which colour, or lettering, or
// nothing — so a small head on the denoiser's middle image tokens can be taught to say it. At
// high noise the picture shows nothing and the answer has to come from the prompt's words and the
// token's own place, exactly the skill a model that draws "a cat in the top left" needs (the REPA
// idea, arXiv 2410.06940, with the project's own labels in place of a pretrained encoder).
import { OBJECT_CLASSES } from '../data/catalog.ts';
import { COLOR_NAMES } from '../data/colors.ts';
import type { Box } from '../data/image.ts';
import type { Scene } from '../data/scene.ts';
import { type TokenGrid, boxTokens } from './box-tokens.ts';

/** Class labels: 0 background, 1 lettering, then every catalog class (stable across data scopes). */
export const LAYOUT_CLASSES = 2 + OBJECT_CLASSES.length;
/** Colour labels: 0 not an object, 1 the art's own colours, then each named colour. */
export const LAYOUT_COLORS = 2 + COLOR_NAMES.length;

const CLASS_INDEX = new Map(OBJECT_CLASSES.map((c, i) => [c.id, 2 + i]));
const COLOR_INDEX = new Map(COLOR_NAMES.map((c, i) => [c, 2 + i]));

export interface TokenLabels {
  /** [N] class label per token. */
  classes: Uint16Array;
  /** [N] colour label per token. */
  colors: Uint16Array;
}

/**
 * Labels for a rows×cols grid of `patch`-pixel tokens. A token belongs to a box that covers at
 * least a quarter of it, or that is small enough to sit inside it (its centre); later boxes
 * (lettering is laid over objects) win.
 */
export function tokenLabels(scene: Scene, grid: TokenGrid, patch: number): TokenLabels {
  const n = grid.rows * grid.cols;
  const classes = new Uint16Array(n);
  const colors = new Uint16Array(n);
  const mark = (box: Box, cls: number, color: number) => {
    for (const token of boxTokens(box, grid, patch, 'quarter-or-centre')) {
      classes[token] = cls;
      colors[token] = color;
    }
  };
  for (const obj of scene.objects) {
    const cls = CLASS_INDEX.get(obj.classId);
    if (cls === undefined) throw new Error(`layout labels: class '${obj.classId}' is not in the catalog`);
    const color = obj.color === null ? 1 : COLOR_INDEX.get(obj.color)!;
    for (const box of obj.instances) mark(box, cls, color);
  }
  for (const t of scene.texts) mark(t.bbox, 1, 0);
  return { classes, colors };
}
