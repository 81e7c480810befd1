// A bounded FIFO in front of the worker-thread pool. Jobs that find a free thread start at
// once; up to maxWaiting more wait in order; beyond that submit() refuses with QueueFull, so
// memory and latency stay bounded under any load.
import { JobCancelled } from './errors.ts';
import type { JobResult, JobSpec, RunOptions } from './jobs.ts';
import { DurationAverage, type JobHandle, type JobQueue, QueueFull, type QueueStats } from './queue.ts';
import { WorkerPool } from './worker-pool.ts';

interface Waiting {
  spec: JobSpec;
  opts: RunOptions;
  resolve: (r: JobResult) => void;
  reject: (e: Error) => void;
  detach: () => void;
}

export class LocalQueue implements JobQueue {
  private readonly waiting: Waiting[] = [];
  private readonly average = new DurationAverage();
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly pool: WorkerPool, private readonly maxWaiting: number) {}

  /** Starts the worker threads, then returns a queue over them. */
  static async start(opts: { workers: number; maxWaiting: number; factory: import('./pipeline-factory.ts').PipelineFactory; onCrash?: (e: Error) => void }): Promise<LocalQueue> {
    let queue: LocalQueue | undefined;
    const pool = await WorkerPool.start({ size: opts.workers, factory: opts.factory, onIdle: () => queue?.dispatch(), onCrash: opts.onCrash });
    queue = new LocalQueue(pool, opts.maxWaiting);
    return queue;
  }

  get model() {
    return this.pool.info;
  }

  async enqueue(spec: JobSpec, opts: RunOptions = {}): Promise<JobHandle> {
    if (opts.signal?.aborted) throw new JobCancelled();
    if (this.waiting.length === 0 && this.pool.idleCount() > 0) return { result: this.start(spec, opts) };
    if (this.waiting.length >= this.maxWaiting) throw new QueueFull(this.maxWaiting);
    const result = new Promise<JobResult>((resolve, reject) => {
      const entry: Waiting = { spec, opts, resolve, reject, detach: () => {} };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          reject(new JobCancelled());
          this.notifyIfIdle();
        }
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      entry.detach = () => opts.signal?.removeEventListener('abort', onAbort);
      this.waiting.push(entry);
    });
    return { result };
  }

  /** enqueue() and wait for the result in one call. */
  async submit(spec: JobSpec, opts: RunOptions = {}): Promise<JobResult> {
    return (await this.enqueue(spec, opts)).result;
  }

  async stats(): Promise<QueueStats> {
    return { waiting: this.waiting.length, running: this.running };
  }

  retryAfterSeconds(): number {
    // Roughly when a place in the queue frees up: one job's time spread over the threads.
    return Math.min(60, Math.max(1, Math.ceil(this.average.seconds / Math.max(1, this.pool.size))));
  }

  drain(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const w of this.waiting.splice(0)) {
      w.detach();
      w.reject(new Error('the queue closed before the job started'));
    }
    await this.pool.close();
  }

  /** Starts waiting jobs on free threads (called whenever a thread frees up). */
  dispatch(): void {
    while (this.waiting.length > 0 && this.pool.idleCount() > 0) {
      const w = this.waiting.shift()!;
      w.detach();
      this.start(w.spec, w.opts).then(w.resolve, w.reject);
    }
  }

  private start(spec: JobSpec, opts: RunOptions): Promise<JobResult> {
    this.running++;
    const t0 = performance.now();
    return this.pool.run(spec, opts).finally(() => {
      this.running--;
      this.average.add((performance.now() - t0) / 1000);
      this.notifyIfIdle();
    });
  }

  private notifyIfIdle(): void {
    if (this.running > 0 || this.waiting.length > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
