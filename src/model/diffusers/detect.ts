// What callers need to know about a diffusers folder before loading anything: whether a model
// folder is a diffusers one, which pipeline it holds (model_index.json's _class_name), and the
// step count that pipeline's checkpoint is distilled for. Kept free of heavy imports: the CLI and
// the server ask before they load a model.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The diffusers pipelines flowpaint runs, by model_index.json's _class_name. */
export const DIFFUSERS_PIPELINES = { Flux2KleinPipeline: 'flux2-klein', ZImagePipeline: 'z-image' } as const;
export type DiffusersKind = (typeof DIFFUSERS_PIPELINES)[keyof typeof DIFFUSERS_PIPELINES];

/** klein is step-distilled: 4 steps is what it was distilled for. */
export const KLEIN_DEFAULT_STEPS = 4;
/** Z-Image-Turbo is distilled for 8 transformer evaluations (the reference pipeline's example: 8 steps, guidance 0). */
export const ZIMAGE_DEFAULT_STEPS = 8;

/** A folder with model_index.json is a diffusers folder; any other is one of flowpaint's own. */
export function isDiffusersFolder(dir: string | undefined): dir is string {
  return dir !== undefined && existsSync(join(dir, 'model_index.json'));
}

/**
 * The pipeline a diffusers folder holds, or undefined when model_index.json cannot be read or
 * names a pipeline flowpaint does not run (the loader then says which, naming the file).
 */
export function diffusersKind(dir: string): DiffusersKind | undefined {
  try {
    const cls = (JSON.parse(readFileSync(join(dir, 'model_index.json'), 'utf8')) as { _class_name?: unknown })._class_name;
    return typeof cls === 'string' && Object.hasOwn(DIFFUSERS_PIPELINES, cls) ? DIFFUSERS_PIPELINES[cls as keyof typeof DIFFUSERS_PIPELINES] : undefined;
  } catch {
    return undefined;
  }
}

/** The steps a folder samples when a request names none. */
export function defaultStepsFor(kind: DiffusersKind | undefined): number {
  return kind === 'z-image' ? ZIMAGE_DEFAULT_STEPS : KLEIN_DEFAULT_STEPS;
}
