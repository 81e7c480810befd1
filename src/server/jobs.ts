// What travels between the HTTP layer and whoever runs inference (a worker thread here, or a
// `flowpaint worker` process through Redis). Everything is plain data so it survives
// postMessage and JSON; image bytes are Uint8Array locally and base64 through Redis (codec below).

export type Quality = 'low' | 'medium' | 'high' | 'auto';
export type OutputFormat = 'png' | 'jpeg' | 'webp';
export type Moderation = 'auto' | 'low';

export interface JobSpec {
  kind: 'generate' | 'edit';
  prompt: string;
  n: number;
  /** Output size; absent for an edit with size "auto" (the source image's size decides). */
  width?: number;
  height?: number;
  steps: number;
  /** The distilled few-step sampler (quality "low"). */
  fast: boolean;
  seed?: number;
  /** Text guidance scale (the `guidance` extension); absent: the model's own. */
  guidance?: number;
  outputFormat: OutputFormat;
  /** 0–100, JPEG/WebP only. */
  outputCompression?: number;
  /** How many partial images to stream before the final one (0 = none). */
  partialImages: number;
  moderation: Moderation;
  /** Encoded source image (edits). */
  image?: Uint8Array;
  /** Encoded mask (edits): transparent (or, without alpha, white) pixels are the ones to change. */
  mask?: Uint8Array;
}

export interface JobImage {
  bytes: Uint8Array;
  seed: number;
}

export interface JobUsage {
  textTokens: number;
  inputImageTokens: number;
  outputImageTokens: number;
}

export interface JobResult {
  images: JobImage[];
  width: number;
  height: number;
  usage: JobUsage;
}

/** Progress a job reports while it runs. */
export interface PartialImageEvent {
  type: 'partial';
  /** 0-based, in the order they were produced. */
  index: number;
  bytes: Uint8Array;
}

export type JobEvent = PartialImageEvent;

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
}

/** A job's failure as plain data: the error's name decides the HTTP status (see errors.ts). */
export interface JobFailure {
  name: string;
  message: string;
  category?: string;
  stage?: string;
}

export function failureOf(err: unknown): JobFailure {
  if (err instanceof Error) {
    const f: JobFailure = { name: err.name, message: err.message };
    const extra = err as Error & { category?: unknown; stage?: unknown };
    if (typeof extra.category === 'string') f.category = extra.category;
    if (typeof extra.stage === 'string') f.stage = extra.stage;
    return f;
  }
  return { name: 'Error', message: String(err) };
}

/** Rebuilds an Error whose name and fields match the original, so mapping by name still works. */
export function errorFromFailure(f: JobFailure): Error {
  const err = new Error(f.message) as Error & { category?: string; stage?: string };
  err.name = f.name;
  if (f.category !== undefined) err.category = f.category;
  if (f.stage !== undefined) err.stage = f.stage;
  return err;
}

// JSON codecs for Redis, where job data and results are stored as JSON.
const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export type JobSpecJson = Omit<JobSpec, 'image' | 'mask'> & { image?: string; mask?: string };
export type JobResultJson = Omit<JobResult, 'images'> & { images: Array<{ bytes: string; seed: number }> };

export function specToJson(s: JobSpec): JobSpecJson {
  const { image, mask, ...rest } = s;
  return { ...rest, ...(image ? { image: b64(image) } : {}), ...(mask ? { mask: b64(mask) } : {}) };
}

export function specFromJson(j: JobSpecJson): JobSpec {
  const { image, mask, ...rest } = j;
  return { ...rest, ...(image ? { image: unb64(image) } : {}), ...(mask ? { mask: unb64(mask) } : {}) };
}

export function resultToJson(r: JobResult): JobResultJson {
  return { ...r, images: r.images.map((i) => ({ bytes: b64(i.bytes), seed: i.seed })) };
}

export function resultFromJson(j: JobResultJson): JobResult {
  return { ...j, images: j.images.map((i) => ({ bytes: unb64(i.bytes), seed: i.seed })) };
}

export function eventToJson(e: JobEvent): { type: 'partial'; index: number; bytes: string } {
  return { type: e.type, index: e.index, bytes: b64(e.bytes) };
}

export function eventFromJson(j: { type: 'partial'; index: number; bytes: string }): JobEvent {
  return { type: j.type, index: j.index, bytes: unb64(j.bytes) };
}
