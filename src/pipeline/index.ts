// Pipelines: text-to-image, instruction editing and inpainting, plus the image files and sizes
// around them. The CLI and the server use only this module.
export * from './pipeline.ts';
export type * from './requests.ts';
export type { RedrawEvent } from './redraw.ts';
export * from './image-io.ts';
export * from './sizes.ts';
export { autoEditMask, compositeOutside, dilateMask } from './masks.ts';
