// The photo library's edits on the server go through the job queue like every other image
// request (worker threads here, or `flowpaint worker` processes behind Redis), so they share its
// admission, limits and cancellation. This adapter gives the library's editPhoto/runBatch the one
// pipeline method they call: it sends the working image and mask losslessly (PNG), gets the
// edited PNG back, and rebuilds what the pipeline would have returned in-process — the pixels,
// the generation parameters and the provenance input — so the version the library stores is the
// same as `flowpaint photos edit` makes, and `flowpaint photos replay` can remake it.
import sharp from 'sharp';
import type { EditRequest, GeneratedImage } from '../../pipeline/requests.ts';
import type { PhotoEditor } from '../../photos/batch.ts';
import { decodeImage, readPngText } from '../../pipeline/image-io.ts';
import type { JobSpec } from '../jobs.ts';
import { QueueFull, type JobQueue } from '../queue.ts';

export interface QueueEditorOptions {
  queue: JobQueue;
  /**
   * What to do when the queue is full: 'throw' hands QueueFull to the caller (a request answers
   * 429); 'wait' waits the queue's Retry-After and tries again (a batch in the background).
   */
  whenFull: 'throw' | 'wait';
}

export function queueEditor({ queue, whenFull }: QueueEditorOptions): PhotoEditor {
  return {
    info: { id: queue.model.id, version: queue.model.version },
    async edit(req: EditRequest): Promise<GeneratedImage[]> {
      // The job spec has no guidance fields: the worker uses the model's defaults, and the
      // version's recipe records none, so a replay uses the same defaults.
      if (req.guidance !== undefined || req.imageGuidance !== undefined) throw new Error('the queue takes no guidance settings; leave them to the model');
      const { image, mask } = req;
      const spec: JobSpec = {
        kind: 'edit',
        prompt: req.instruction,
        n: 1,
        width: image.width,
        height: image.height,
        steps: req.steps!,
        fast: false,
        seed: req.seed,
        outputFormat: 'png',
        partialImages: 0,
        moderation: req.moderation ?? 'auto',
        image: await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer(),
        // No alpha channel: the worker reads white as "change", as the library's masks are.
        ...(mask ? { mask: await sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } }).png().toBuffer() } : {}),
      };
      const result = await enqueueWithRetry(queue, spec, req.signal, whenFull);
      const png = result.images[0]!;
      const text = readPngText(Buffer.from(png.bytes));
      const operation = mask ? 'inpaint' : 'edit';
      return [{
        image: await decodeImage(png.bytes, 'the edited image'),
        seed: png.seed,
        metadata: {
          Software: 'flowpaint',
          // The worker's own record of the run; a pipeline that writes none (a custom module)
          // gets the facts the server knows.
          'flowpaint:parameters': text['flowpaint:parameters'] ?? JSON.stringify({
            mode: operation, instruction: req.instruction, seed: png.seed, steps: req.steps, size: `${result.width}x${result.height}`,
            model: queue.model.id, model_version: queue.model.version,
          }),
        },
        provenance: { model: queue.model.id, version: queue.model.version, operation, prompt: req.instruction, seed: png.seed },
      }];
    },
  };
}

async function enqueueWithRetry(queue: JobQueue, spec: JobSpec, signal: AbortSignal | undefined, whenFull: 'throw' | 'wait') {
  for (;;) {
    try {
      const handle = await queue.enqueue(spec, { signal });
      return await handle.result;
    } catch (err) {
      if (!(err instanceof QueueFull) || whenFull === 'throw' || signal?.aborted) throw err;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, queue.retryAfterSeconds() * 1000);
        signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
      if (signal?.aborted) throw Object.assign(new Error('the batch was stopped'), { name: 'AbortError' });
    }
  }
}
