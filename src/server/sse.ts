// Streaming image responses as server-sent events, in the event shapes of OpenAI's Images API
// ("image_generation.partial_image", "image_generation.completed", and image_edit.* for
// edits), so the official clients' stream iterators read them unchanged.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { z } from 'zod';
import { toApiError } from './errors.ts';
import type { JobEvent, JobResult } from './jobs.ts';
import type { ImageEditCompletedEvent, ImageEditPartialImageEvent, ImageGenCompletedEvent, ImageGenPartialImageEvent } from './schemas.ts';

/** Events produced before anyone reads them: a job can report partials before the stream opens. */
export class EventBuffer {
  private readonly items: JobEvent[] = [];
  private wake: (() => void) | null = null;

  push(e: JobEvent): void {
    this.items.push(e);
    this.wake?.();
  }

  /** Yields buffered and new events until `done` settles. */
  async *drainUntil(done: Promise<unknown>): AsyncGenerator<JobEvent> {
    let finished = false;
    const settled = done.then(() => { finished = true; }, () => { finished = true; });
    for (;;) {
      while (this.items.length > 0) yield this.items.shift()!;
      if (finished) return;
      await Promise.race([settled, new Promise<void>((r) => { this.wake = r; })]);
      this.wake = null;
    }
  }
}

/** The data of each event, typed by the schemas /openapi.json declares (schemas.ts). */
type PartialImageEvent = z.infer<typeof ImageGenPartialImageEvent> | z.infer<typeof ImageEditPartialImageEvent>;
type CompletedEvent = z.infer<typeof ImageGenCompletedEvent> | z.infer<typeof ImageEditCompletedEvent>;

export interface StreamMeta {
  kind: 'generate' | 'edit';
  size: string;
  quality: 'low' | 'medium' | 'high';
  outputFormat: 'png' | 'jpeg' | 'webp';
}

const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');

export function streamImages(
  c: Context,
  meta: StreamMeta,
  events: EventBuffer,
  result: Promise<JobResult>,
  hooks: { onAbort: () => void; onEnd: (result: JobResult | undefined, err?: unknown) => void; usage: (r: JobResult) => CompletedEvent['usage'] },
): Response {
  const types = meta.kind === 'generate'
    ? { partial: 'image_generation.partial_image', completed: 'image_generation.completed' } as const
    : { partial: 'image_edit.partial_image', completed: 'image_edit.completed' } as const;
  const common = () => ({ created_at: Math.floor(Date.now() / 1000), size: meta.size, quality: meta.quality, background: 'opaque' as const, output_format: meta.outputFormat });
  return streamSSE(c, async (stream) => {
    stream.onAbort(hooks.onAbort);
    let final: JobResult | undefined;
    try {
      for await (const e of events.drainUntil(result)) {
        const data: PartialImageEvent = { type: types.partial, b64_json: b64(e.bytes), ...common(), partial_image_index: e.index };
        await stream.writeSSE({ event: data.type, data: JSON.stringify(data) });
      }
      final = await result;
      for (const img of final.images) {
        const data: CompletedEvent = { type: types.completed, b64_json: b64(img.bytes), ...common(), size: `${final.width}x${final.height}`, usage: hooks.usage(final) };
        await stream.writeSSE({ event: data.type, data: JSON.stringify(data) });
      }
      hooks.onEnd(final);
    } catch (err) {
      // Headers are gone already; the error travels as an event the clients raise as an APIError.
      const e = toApiError(err);
      if (!stream.aborted) await stream.writeSSE({ event: 'error', data: JSON.stringify(e.body()) });
      hooks.onEnd(undefined, err);
    }
  });
}
