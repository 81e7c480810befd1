// Runs one job against a pipeline, inside whichever thread owns the pipeline: decodes and fits
// the source image and mask, calls generate/edit, streams partial images, encodes the results.
// Heavy pixel work stays here so the HTTP thread only moves bytes.
import sharp, { type Metadata } from 'sharp';
import { InputError } from '../errors.ts';
import type { Mask, RgbImage } from '../image/index.ts';
import { decodeImage, encodeImage, resizeImage, resizeMask } from '../pipeline/image-io.ts';
import { fitSize, validateSize } from '../pipeline/sizes.ts';
import { isSafetyRefusal } from '../safety/refusal.ts';
import type { JobResult, JobSpec, RunOptions } from './jobs.ts';
import type { Pipeline, PipelineOutput, StepProgress } from './pipeline-factory.ts';

/** The patch side the usage figures count image tokens in. */
const TOKEN_PATCH = 16;

export async function runJob(pipe: Pipeline, spec: JobSpec, opts: RunOptions = {}): Promise<JobResult> {
  const partials = partialSchedule(spec.partialImages, spec.steps);
  // Partials are encoded one after another, so they reach the client in order.
  let pending: Promise<void> = Promise.resolve();
  let partialIndex = 0;
  const onStep = partials.size === 0 || !opts.onEvent
    ? undefined
    : (s: StepProgress) => {
        if (!partials.has(s.step) || s.step >= s.steps) return;
        partials.delete(s.step);
        // Started now, while this step's estimate is current (a latent model decodes it meanwhile).
        // (An async function's body runs synchronously up to its first await: preview() is called here.)
        const preview = (async () => s.preview())();
        preview.catch(() => {}); // awaited in `pending` below, where a failure is reported
        // Encoding overlaps the next sampling steps; it is awaited before the final image so
        // every partial reaches the client first.
        // A partial image leaves the server too: it is screened and marked like a final one. A
        // refused preview is dropped, not sent, and does not end the request: only the final
        // image decides the outcome (a half-denoised estimate is what the filter misreads most).
        pending = pending
          .then(async () => {
            const image = await preview;
            if (!(await screenPreview(pipe, image, spec.moderation))) return;
            const bytes = await encodeImage(image, { format: spec.outputFormat, quality: spec.outputCompression, provenance: { model: pipe.info.id, version: pipe.info.version, operation: 'partial' } });
            opts.onEvent!({ type: 'partial', index: partialIndex++, bytes });
          });
        pending.catch(() => {}); // a failed encode is reported where `pending` is awaited
      };

  let outputs: PipelineOutput[];
  let inputImageTokens = 0;
  const common = { n: spec.n, seed: spec.seed, guidance: spec.guidance, steps: spec.steps, fast: spec.fast, moderation: spec.moderation, onStep, signal: opts.signal };
  if (spec.kind === 'generate') {
    // No size ("auto" without a configured defaultSize): the model's native size, where it draws best.
    const size = spec.width !== undefined && spec.height !== undefined ? { width: spec.width, height: spec.height } : pipe.info.sizes.native;
    validateSize(size.width, size.height);
    outputs = await pipe.generate({ ...common, prompt: spec.prompt, ...size });
  } else {
    if (!spec.image) throw new InputError('image is required for edits');
    const source = await decodeImage(spec.image, 'image');
    const mask = spec.mask ? await decodeMask(spec.mask, source.width, source.height) : undefined;
    const target = spec.width !== undefined && spec.height !== undefined ? { width: spec.width, height: spec.height } : fitSize(source.width, source.height);
    validateSize(target.width, target.height);
    const image = await resizeImage(source, target.width, target.height);
    inputImageTokens = tokensFor(target.width, target.height);
    outputs = await pipe.edit({ ...common, image, instruction: spec.prompt, mask: mask && (await resizeMask(mask, target.width, target.height)) });
  }
  await pending;
  const first = outputs[0]?.image;
  if (!first) throw new Error('the pipeline returned no images');
  const images = await Promise.all(outputs.map(async (o) => ({
    // An edit's C2PA manifest names the uploaded image as its parent ingredient.
    bytes: await encodeImage(o.image, { format: spec.outputFormat, quality: spec.outputCompression, metadata: o.metadata, provenance: o.provenance && spec.kind !== 'generate' && spec.image ? { ...o.provenance, parent: { bytes: spec.image, title: 'image' } } : o.provenance }),
    seed: o.seed,
  })));
  return {
    images,
    width: first.width,
    height: first.height,
    usage: {
      textTokens: pipe.countTokens ? pipe.countTokens(spec.prompt) : estimateTokens(spec.prompt),
      inputImageTokens,
      outputImageTokens: tokensFor(first.width, first.height) * outputs.length,
    },
  };
}

/** Screens a streamed preview: false (drop it) when the output filter refuses it. */
async function screenPreview(pipe: Pipeline, preview: RgbImage, moderation: JobSpec['moderation']): Promise<boolean> {
  try {
    await pipe.screenImage?.(preview, moderation);
    return true;
  } catch (err) {
    if (isSafetyRefusal(err)) return false;
    throw err;
  }
}

/**
 * The sampling steps after which to show a partial image: k evenly spaced steps before the last.
 * Fewer than k when there are not enough steps (the few-step mode has 4).
 */
export function partialSchedule(k: number, steps: number): Set<number> {
  const out = new Set<number>();
  for (let i = 1; i <= k; i++) {
    const step = Math.round((steps * i) / (k + 1));
    if (step >= 1 && step < steps) out.add(step);
  }
  return out;
}

/**
 * OpenAI masks mark the area to change with transparency; masks without an alpha channel are
 * read the way the CLI reads them (white = change). Either way the result is 0/255 per pixel.
 */
export async function decodeMask(bytes: Uint8Array, width: number, height: number): Promise<Mask> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    throw new InputError('mask is not an image (PNG with transparency, or a black-and-white image)');
  }
  if (meta.width !== width || meta.height !== height) {
    throw new InputError(`mask is ${meta.width}x${meta.height} but the image is ${width}x${height}; they must match`);
  }
  // The header read above says nothing about the rest: a truncated file fails only here.
  const open = () => sharp(bytes, { failOn: 'truncated' });
  const img = meta.hasAlpha ? open().ensureAlpha().extractChannel(3) : open().greyscale();
  let data: Buffer;
  try {
    ({ data } = await img.raw().toBuffer({ resolveWithObject: true }));
  } catch (err) {
    throw new InputError(`mask is truncated or corrupt (${(err as Error).message.split('\n')[0]})`);
  }
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const v = data[i]!;
    out[i] = meta.hasAlpha ? (v < 128 ? 255 : 0) : v >= 128 ? 255 : 0;
  }
  return { width, height, data: out };
}

function tokensFor(width: number, height: number): number {
  return Math.ceil(width / TOKEN_PATCH) * Math.ceil(height / TOKEN_PATCH);
}

/** Without the model's tokenizer: about four bytes of UTF-8 per token. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(text, 'utf8') / 4));
}
