// A fixed set of worker threads, each holding its own pipeline and running one job at a time.
// The pool only executes; deciding who waits (and refusing when too many do) is the queue's job.
// A thread that dies mid-job fails that job and is replaced, so one crash costs one request.
import { Worker } from 'node:worker_threads';
import type { GuidanceInfo } from '../pipeline/index.ts';
import { errorFromFailure, type JobEvent, type JobFailure, type JobResult, type JobSpec, type RunOptions } from './jobs.ts';
import type { PipelineFactory } from './pipeline-factory.ts';
import type { ToWorker } from './worker-thread.ts';

type FromWorker =
  | { type: 'ready'; info: ModelInfo }
  | { type: 'init-failed'; failure: JobFailure }
  | { type: 'event'; id: number; event: JobEvent }
  | { type: 'done'; id: number; result: JobResult }
  | { type: 'failed'; id: number; failure: JobFailure };

export interface ModelInfo {
  id: string;
  version: string;
  /** The sizes the model was trained at (its config.json); "auto" and the playground default to `native`. */
  sizes?: { native: { width: number; height: number }; buckets?: Array<{ width: number; height: number }> };
  /** The default text guidance scale and the range a Flash taking it as an input accepts (the playground shows both); null: the model takes none. */
  guidance?: GuidanceInfo | null;
}

interface Task {
  id: number;
  resolve: (r: JobResult) => void;
  reject: (e: Error) => void;
  onEvent?: (e: JobEvent) => void;
  detach: () => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | null;
}

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface WorkerPoolOptions {
  size: number;
  factory: PipelineFactory;
  /** Called whenever a thread becomes free (after a job, or after a replacement starts). */
  onIdle?: () => void;
  /** Called when a thread dies and is being replaced. */
  onCrash?: (err: Error) => void;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  info: ModelInfo = { id: 'unknown', version: '0' };

  private constructor(private readonly opts: WorkerPoolOptions) {}

  /** Starts every thread and waits until each has loaded its pipeline; fails if any cannot. */
  static async start(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    try {
      await Promise.all(Array.from({ length: opts.size }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  idleCount(): number {
    return this.slots.filter((s) => s.ready && !s.task).length;
  }

  busyCount(): number {
    return this.slots.filter((s) => s.task).length;
  }

  /** Runs a job on a free thread; the caller must have checked idleCount() > 0. */
  run(spec: JobSpec, opts: RunOptions = {}): Promise<JobResult> {
    const slot = this.slots.find((s) => s.ready && !s.task);
    if (!slot) return Promise.reject(new Error('WorkerPool.run called with no idle thread'));
    const id = this.nextId++;
    return new Promise<JobResult>((resolve, reject) => {
      const onAbort = () => slot.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      slot.task = { id, resolve, reject, onEvent: opts.onEvent, detach: () => opts.signal?.removeEventListener('abort', onAbort) };
      // Copy, not transfer: the caller may still need the spec's bytes (a retry, a log).
      slot.worker.postMessage({ type: 'run', id, spec } satisfies ToWorker);
      if (opts.signal?.aborted) onAbort();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const s of slots) s.task?.reject(new Error('the worker pool closed'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    // execArgv [] keeps the parent's --test/--inspect flags out of the thread; the entry module
    // registers the TypeScript loader itself.
    const worker = new Worker(ENTRY, { workerData: { factory: this.opts.factory }, execArgv: [] });
    const slot: Slot = { worker, ready: false, task: null };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (msg: FromWorker) => {
        switch (msg.type) {
          case 'ready':
            started = true;
            slot.ready = true;
            this.info = msg.info;
            resolve();
            this.opts.onIdle?.();
            break;
          case 'init-failed':
            reject(errorFromFailure(msg.failure));
            void worker.terminate();
            break;
          case 'event':
            if (slot.task?.id === msg.id) slot.task.onEvent?.(msg.event);
            break;
          case 'done':
          case 'failed': {
            const task = slot.task;
            if (task?.id !== msg.id) break;
            slot.task = null;
            task.detach();
            if (msg.type === 'done') task.resolve(msg.result);
            else task.reject(errorFromFailure(msg.failure));
            this.opts.onIdle?.();
            break;
          }
        }
      });
      const onDeath = (err: Error) => {
        const i = this.slots.indexOf(slot);
        if (i < 0) return; // already removed (closing, or already handled)
        this.slots.splice(i, 1);
        if (!started) {
          reject(err);
          return;
        }
        const task = slot.task;
        slot.task = null;
        if (task) {
          task.detach();
          task.reject(Object.assign(new Error(`the worker thread running the job died: ${err.message}`), { name: 'WorkerCrashed' }));
        }
        if (this.closed) return;
        this.opts.onCrash?.(err);
        // Replace the thread; its load failing now is reported through onCrash, not thrown.
        this.spawn().catch((e: Error) => this.opts.onCrash?.(e));
      };
      worker.on('error', onDeath);
      worker.on('exit', (code) => onDeath(new Error(`exited with code ${code}`)));
    });
  }
}
