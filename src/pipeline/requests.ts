// What a pipeline takes and returns: generation and edit requests, their progress events and
// the screened images. Types only, in a module of their own so that the pipeline, its Flash path
// and the server's pipeline recipe all name them from one place without importing each other.
import type { Mask, RgbImage } from '../image/index.ts';
import type { Moderation, ProvenanceInput } from '../safety/index.ts';
import type { RedrawEvent } from './redraw.ts';
import type { UpscaleStage } from './upscale.ts';

export interface StepEvent {
  step: number;
  steps: number;
  /**
   * The current estimate of the finished image (for progress previews and streaming); a promise
   * where making it takes model work (a latent model decodes it with its VAE).
   */
  preview: () => RgbImage | Promise<RgbImage>;
}

export interface CommonRequest {
  seed?: number;
  steps?: number;
  guidance?: number;
  /** Guide only while the noise level t is in [lo, hi] (default: the model's sampling.guidanceInterval, else every step). */
  guidanceInterval?: readonly [number, number];
  /** The few-step mode (≤ 4 steps). */
  fast?: boolean;
  sampler?: 'euler' | 'heun';
  n?: number;
  onStep?: (e: StepEvent & { index: number }) => void | Promise<void>;
  /** When the learned upscaler has enlarged a request larger than the model's size (the cascade's second stage). */
  onUpscale?: (e: UpscaleStage & { index: number }) => void | Promise<void>;
  signal?: AbortSignal;
  /** When the output filter refused an image and it is drawn again from another seed (redraw.ts). */
  onRedraw?: (e: RedrawEvent) => void | Promise<void>;
  /** 'low' relaxes borderline safety thresholds (never the zero-tolerance ones). */
  moderation?: Moderation;
}

export interface GenerateRequest extends CommonRequest {
  prompt: string;
  negativePrompt?: string;
  width: number;
  height: number;
}

export interface EditRequest extends CommonRequest {
  image: RgbImage;
  instruction: string;
  /** White (255) = repaint. Without a mask this is an instruction edit. */
  mask?: Mask;
  imageGuidance?: number;
}

export interface GeneratedImage {
  /** Already screened by the output filter. */
  image: RgbImage;
  seed: number;
  /** Generation parameters, embedded in output files and recorded in edit histories. */
  metadata: Record<string, string>;
  /** What encodeImage needs to mark the file as AI-generated. */
  provenance: ProvenanceInput;
}
