// Public API of src/data: the training data of flowpaint.
//
//   composeScene(seed | spec, { width, height, split })  -> { image, scene, captions }
//   makeEditPair(seed, { width, height, kind?, split })   -> { source, target, mask, instruction, ... }
//   makeEditChain(seed, { rounds: 2..4, width, height })  -> { images, scenes, steps }
//   new SceneStream({ seed, split, buckets, editFraction, batchSize }).next() / position() / seek()
//   aspectBuckets(maxPixels) / nearestBucket(w, h, buckets)
//   heldout: combinations and words never in the training split
//   loadDataset(folder | manifest.jsonl, opts) -> UserDataset (users' own data)
//
// Images are RgbImage { width, height, data: Uint8Array RGB HWC }; masks are Mask
// { width, height, data: Uint8Array of 0 | 255 }. Scenes are JSON-serialisable ground truth.
export type { RgbImage, Mask, RgbColor, Box } from './image.ts';
export { createImage, createMask } from './image.ts';
export { DataRng, mixSeed, hashString } from './rng.ts';
export { COLOR_NAMES, PALETTE, nearestColorName, dominantColorName, recolorSprite, isColorName, type ColorName } from './colors.ts';
export { OBJECT_CLASSES, objectClass, isObjectClassId, type ObjectClass } from './catalog.ts';
export { ART_SETS, ART_SET_IDS, type ArtSet, type ArtSetId } from './artsets.ts';
export { WORDS } from './words.ts';
export {
  POSITIONS, SIZES, layoutScene, specOf, cellBox, positionName,
  type Scene, type SceneSpec, type SceneObject, type SceneText, type ObjectSpec,
  type Background, type MotionBlur, type Relation, type RelationName, type SizeName, type PositionName,
} from './scene.ts';
export { TEXT_KINDS, type TextKind, type TextSpec } from './plates.ts';
export { composeScene, specForSeed, type ComposedScene, type ComposeOptions } from './compose.ts';
export { captionScene, type Captions } from './captions.ts';
export { renderScene, backgroundAt } from './render.ts';
export { motionBlur } from './blur.ts';
export { EDIT_KINDS, isEditKind, makeEditPair, makeEditChain, type EditKind, type EditPair, type EditChain, type EditStep } from './edits.ts';
export { SceneStream, type TrainingSample, type TextToImageSample, type EditSample, type StreamOptions } from './stream.ts';
export { validateScope, type DataScope } from './scope.ts';
export { aspectBuckets, nearestBucket, type Size } from './buckets.ts';
export { validateSize, MAX_PIXELS, MIN_SIDE, SIDE_MULTIPLE } from './sizes.ts';
export { heldout, heldoutIn, containsHeldout, type HeldoutCombo } from './heldout.ts';
export type { Split } from './sampler.ts';
export { InputError } from './errors.ts';
export { diffMask, countSet, countOutside, pixelAt } from './pixels.ts';
export { loadDataset, loadImageFolder, loadJsonlManifest, UserDataset, type LoadOptions, type UserSample, type DatasetItem } from './loaders/dataset.ts';
export { DataFileError, type SkippedItem } from './loaders/errors.ts';
