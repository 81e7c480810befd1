// The server's side of Redis mode: jobs go into a BullMQ queue that any number of
// `flowpaint worker` processes take from. Results, failures and partial images come back through
// BullMQ's queue events; cancellation goes out on a pub/sub channel the workers listen to.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { JobCancelled } from './errors.ts';
import { errorFromFailure, eventFromJson, resultFromJson, specToJson, type JobFailure, type JobResult, type JobResultJson, type JobSpec, type RunOptions } from './jobs.ts';
import type { Logger } from './log.ts';
import { DurationAverage, type JobHandle, type JobQueue, QueueFull, type QueueStats } from './queue.ts';
import type { ModelInfo } from './worker-pool.ts';

export const JOB_NAME = 'image';
const EVENTS_MAX_LEN = 1000;
const SWEEP_MS = 10_000;

/** Redis keys and channels shared by servers and workers of one queue. */
export function redisNames(queue: string) {
  return { model: `flowpaint:${queue}:model`, cancel: `flowpaint:${queue}:cancel` };
}

interface Pending {
  since: number;
  resolve: (r: JobResult) => void;
  reject: (e: Error) => void;
  onEvent?: RunOptions['onEvent'];
}

export interface RedisQueueOptions {
  url: string;
  queue: string;
  maxWaiting: number;
  logger: Logger;
  /** How long to wait for a first worker to announce its model (default: forever, polling). */
  workerWaitMs?: number;
}

export class RedisQueue implements JobQueue {
  private readonly pending = new Map<string, Pending>();
  private readonly average = new DurationAverage();
  private admitting = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly redis: Redis,
    private readonly opts: RedisQueueOptions,
    readonly model: ModelInfo,
  ) {
    events.on('completed', ({ jobId, returnvalue }) => {
      const p = this.settle(jobId);
      if (!p) return;
      try {
        const json = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as JobResultJson;
        p.resolve(resultFromJson(json));
      } catch (err) {
        p.reject(err as Error);
      }
    });
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId)?.reject(failureFromReason(failedReason)));
    this.sweeper = setInterval(() => void this.recoverMissedEvents(), SWEEP_MS);
    this.sweeper.unref();
    events.on('progress', ({ jobId, data }) => {
      const p = this.pending.get(jobId);
      if (p?.onEvent && data && typeof data === 'object' && (data as { type?: string }).type === 'partial') {
        p.onEvent(eventFromJson(data as Parameters<typeof eventFromJson>[0]));
      }
    });
  }

  /** Connects and waits until a worker has announced the model it serves. */
  static async connect(opts: RedisQueueOptions): Promise<RedisQueue> {
    const connection = { url: opts.url, maxRetriesPerRequest: null };
    // Results and partial images travel in the events stream; keep it short so Redis does not
    // hold thousands of images. A reader that falls behind recovers results from the job itself.
    const queue = new Queue(opts.queue, { connection, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
    const events = new QueueEvents(opts.queue, { connection });
    const redis = new Redis(opts.url, { maxRetriesPerRequest: 2 });
    try {
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
      const names = redisNames(opts.queue);
      const deadline = Date.now() + (opts.workerWaitMs ?? Infinity);
      let announced: string | null = null;
      for (let logged = false; !(announced = await redis.get(names.model)); logged = true) {
        if (Date.now() > deadline) throw new Error(`no flowpaint worker has announced itself on queue '${opts.queue}'`);
        if (!logged) opts.logger.info({ event: 'redis.waiting_for_worker', queue: opts.queue }, 'waiting for a flowpaint worker to join the queue');
        await new Promise((r) => setTimeout(r, 500));
      }
      return new RedisQueue(queue, events, redis, opts, JSON.parse(announced) as ModelInfo);
    } catch (err) {
      await Promise.allSettled([queue.close(), events.close()]);
      redis.disconnect();
      throw err;
    }
  }

  async enqueue(spec: JobSpec, opts: RunOptions = {}): Promise<JobHandle> {
    if (opts.signal?.aborted) throw new JobCancelled();
    // Admissions in this process are counted while their add is in flight, so a burst cannot
    // all read the same count and overfill the queue. (Several servers can still overshoot by
    // their number of simultaneous admissions; the bound is per server, not global.)
    this.admitting++;
    let jobId: string;
    let result: Promise<JobResult>;
    try {
      const waiting = await this.queue.getWaitingCount();
      if (waiting + this.admitting - 1 >= this.opts.maxWaiting) throw new QueueFull(this.opts.maxWaiting);
      jobId = randomUUID();
      // Listen before adding: the job may finish before add() returns.
      result = new Promise<JobResult>((resolve, reject) => this.pending.set(jobId, { since: Date.now(), resolve, reject, onEvent: opts.onEvent }));
      result.catch(() => {});
      await this.queue.add(JOB_NAME, specToJson(spec), {
        jobId,
        attempts: 1,
        // Kept a little while after finishing so a missed event can be recovered (see below).
        removeOnComplete: { age: 120 },
        removeOnFail: { age: 120 },
      });
    } catch (err) {
      if (jobId! !== undefined) this.pending.delete(jobId);
      throw err;
    } finally {
      this.admitting--;
    }
    const t0 = performance.now();
    const onAbort = () => void this.cancel(jobId);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = result.finally(() => {
      opts.signal?.removeEventListener('abort', onAbort);
      this.average.add((performance.now() - t0) / 1000);
    });
    return { result: done };
  }

  async stats(): Promise<QueueStats> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'active');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), running: c.active ?? 0 };
  }

  retryAfterSeconds(): number {
    return Math.min(60, Math.max(1, Math.ceil(this.average.seconds)));
  }

  drain(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const [id, p] of this.pending) {
      p.reject(new Error('the server closed before the job finished'));
      this.pending.delete(id);
    }
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }

  /** A waiting job is removed; a running one is told to stop through the workers' channel. */
  private async cancel(jobId: string): Promise<void> {
    const p = this.pending.get(jobId);
    if (!p) return;
    try {
      const job = await this.queue.getJob(jobId);
      const state = job ? await job.getState() : 'unknown';
      if (job && (state === 'waiting' || state === 'prioritized' || state === 'delayed')) {
        await job.remove();
        this.settle(jobId)?.reject(new JobCancelled());
        return;
      }
    } catch {
      // Taken by a worker in the meantime (it is locked): cancel it there.
    }
    await this.redis.publish(redisNames(this.opts.queue).cancel, jobId);
  }

  /**
   * Events are the fast path; this is the slow one. A job whose result event was trimmed from the
   * stream, or sent while the connection was down, is looked up directly.
   */
  private async recoverMissedEvents(): Promise<void> {
    const now = Date.now();
    for (const [jobId, p] of this.pending) {
      if (now - p.since < SWEEP_MS) continue;
      try {
        const job = await this.queue.getJob(jobId);
        if (!this.pending.has(jobId)) continue;
        if (!job) {
          this.settle(jobId)?.reject(new Error(`job ${jobId} disappeared from the queue`));
          continue;
        }
        const state = await job.getState();
        if (state === 'completed') {
          const rv = job.returnvalue as unknown;
          this.settle(jobId)?.resolve(resultFromJson((typeof rv === 'string' ? JSON.parse(rv) : rv) as JobResultJson));
        } else if (state === 'failed') {
          this.settle(jobId)?.reject(failureFromReason(job.failedReason));
        }
      } catch (err) {
        this.opts.logger.warn({ event: 'redis.recover_failed', job: jobId, err }, 'could not look up a pending job');
      }
    }
  }

  private settle(jobId: string): Pending | undefined {
    const p = this.pending.get(jobId);
    if (!p) return undefined;
    this.pending.delete(jobId);
    if (this.pending.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    return p;
  }
}

/** Workers fail jobs with the JobFailure as JSON, so the error's name survives Redis. */
function failureFromReason(reason: string): Error {
  try {
    const f = JSON.parse(reason) as JobFailure;
    if (f && typeof f.name === 'string' && typeof f.message === 'string') return errorFromFailure(f);
  } catch {
    // not ours: a stalled job failed by BullMQ itself, for example
  }
  return new Error(reason);
}
