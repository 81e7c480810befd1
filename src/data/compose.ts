// The scene composer's entry point: a seed (or an explicit spec) in, pixels plus their exact
// description and captions out.
import { captionScene, type Captions } from './captions.ts';
import type { RgbImage } from './image.ts';
import { renderScene } from './render.ts';
import { DataRng, mixSeed } from './rng.ts';
import { sampleSpec, type Split, type SpecConstraints } from './sampler.ts';
import { layoutScene, type Scene, type SceneSpec } from './scene.ts';
import { validateSize } from './sizes.ts';

export interface ComposeOptions {
  width: number;
  height: number;
  /** Which split a seed draws from (ignored for an explicit spec). Default 'train'. */
  split?: Split;
  constraints?: SpecConstraints;
}

export interface ComposedScene {
  image: RgbImage;
  scene: Scene;
  captions: Captions;
}

/** Salt so that scene seeds and edit seeds never draw the same stream by accident. */
const SCENE_SALT = 0x5ce4e;

/**
 * The spec a seed stands for in a split. With `constraints.size`, lettering is chosen to fit
 * that size, so a seed's scene can differ between sizes where a word would not fit.
 */
export function specForSeed(seed: number, split: Split = 'train', constraints?: SpecConstraints): SceneSpec {
  return sampleSpec(new DataRng(mixSeed(SCENE_SALT, seed, split === 'train' ? 0 : 1)), split, constraints);
}

export function composeScene(specOrSeed: SceneSpec | number, opts: ComposeOptions): ComposedScene {
  validateSize(opts.width, opts.height);
  const size = { width: opts.width, height: opts.height };
  const spec = typeof specOrSeed === 'number' ? specForSeed(specOrSeed, opts.split ?? 'train', { ...opts.constraints, size }) : specOrSeed;
  const scene = layoutScene(spec, opts.width, opts.height, { snap: opts.constraints?.scope?.snap });
  const { image } = renderScene(scene);
  return { image, scene, captions: captionScene(scene) };
}
