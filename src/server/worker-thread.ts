// The inside of a worker thread: builds its own pipeline, then runs one job at a time as the pool
// asks. Inference here never blocks the HTTP thread; cancellation arrives as a message and
// aborts the pipeline's signal.
import { parentPort, workerData } from 'node:worker_threads';
import { failureOf, type JobSpec } from './jobs.ts';
import { createFromFactory, type PipelineFactory } from './pipeline-factory.ts';
import { runJob } from './run-job.ts';

export type ToWorker = { type: 'run'; id: number; spec: JobSpec } | { type: 'cancel'; id: number };

const port = parentPort;
if (!port) throw new Error('worker-thread.ts runs only inside a worker thread');

const { factory } = workerData as { factory: PipelineFactory };
const running = new Map<number, AbortController>();

try {
  const pipe = await createFromFactory(factory);
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'cancel') {
      running.get(msg.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(msg.id, controller);
    runJob(pipe, msg.spec, {
      signal: controller.signal,
      onEvent: (event) => port.postMessage({ type: 'event', id: msg.id, event }, transferable([event.bytes])),
    }).then(
      (result) => port.postMessage({ type: 'done', id: msg.id, result }, transferable(result.images.map((i) => i.bytes))),
      (err) => port.postMessage({ type: 'failed', id: msg.id, failure: controller.signal.aborted ? { name: 'JobCancelled', message: 'cancelled' } : failureOf(err) }),
    ).finally(() => running.delete(msg.id));
  });
  port.postMessage({ type: 'ready', info: { id: pipe.info.id, version: pipe.info.version, sizes: pipe.info.sizes, guidance: pipe.info.guidance ?? null } });
} catch (err) {
  port.postMessage({ type: 'init-failed', failure: failureOf(err) });
}

/** Buffers to move rather than copy: only those the bytes own whole (never a shared pool slab). */
function transferable(views: Uint8Array[]): ArrayBuffer[] {
  return views.filter((v) => v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer).map((v) => v.buffer as ArrayBuffer);
}
