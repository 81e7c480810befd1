// What the HTTP layer needs from a job queue, whether the jobs run in this process's worker
// threads (LocalQueue) or in `flowpaint worker` processes behind Redis (RedisQueue).
import type { JobResult, JobSpec, RunOptions } from './jobs.ts';
import type { ModelInfo } from './worker-pool.ts';

export interface QueueStats {
  /** Jobs accepted and not yet started. */
  waiting: number;
  /** Jobs being run by a worker. */
  running: number;
}

export interface JobQueue {
  /** The model the workers serve. */
  readonly model: ModelInfo;
  /**
   * Accepts a job (resolving once it is queued) or refuses it with QueueFull. The handle's result
   * settles when the job is done; aborting the signal cancels the job, waiting or running.
   */
  enqueue(spec: JobSpec, opts?: RunOptions): Promise<JobHandle>;
  stats(): Promise<QueueStats>;
  /** Seconds a refused client should wait before retrying. */
  retryAfterSeconds(): number;
  /** Resolves when no job this process submitted is waiting or running. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface JobHandle {
  result: Promise<JobResult>;
}

export class QueueFull extends Error {
  override name = 'QueueFull';
  constructor(readonly limit: number) {
    super(`the job queue is full (${limit} waiting); retry later`);
  }
}

/** Average job time, for Retry-After: recent jobs count most. */
export class DurationAverage {
  private value = 0;
  private seen = false;

  add(seconds: number): void {
    this.value = this.seen ? this.value * 0.8 + seconds * 0.2 : seconds;
    this.seen = true;
  }

  get seconds(): number {
    return this.seen ? this.value : 5;
  }
}
