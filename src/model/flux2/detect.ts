// What callers need to know about a FLUX.2 [klein] folder before loading anything: whether a
// model folder is a diffusers one, and the step count klein is distilled for. Kept free of heavy
// imports: the CLI and the server ask before they load a model.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** klein is step-distilled: 4 steps is what it was distilled for. */
export const KLEIN_DEFAULT_STEPS = 4;

/** A folder with model_index.json is a diffusers folder (run as FLUX.2 [klein]); any other is one of flowpaint's own. */
export function isDiffusersFolder(dir: string | undefined): dir is string {
  return dir !== undefined && existsSync(join(dir, 'model_index.json'));
}
