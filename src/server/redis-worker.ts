// `flowpaint worker`: takes jobs from the shared BullMQ queue and runs them in this process's
// worker threads. A worker that dies mid-job loses its lock; another worker's stalled-job check
// then puts the job back in the queue, so the job is retried rather than lost.
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { eventToJson, failureOf, resultToJson, specFromJson, type JobResultJson, type JobSpecJson } from './jobs.ts';
import { LocalQueue } from './local-queue.ts';
import type { Logger } from './log.ts';
import type { PipelineFactory } from './pipeline-factory.ts';
import { JOB_NAME, redisNames } from './redis-queue.ts';

export interface RedisWorkerOptions {
  url: string;
  queue: string;
  /** Worker threads (and so jobs at once) in this process. */
  threads: number;
  factory: PipelineFactory;
  lockMs: number;
  logger: Logger;
}

export interface RunningWorker {
  /** Finishes the jobs in hand, takes no more, and disconnects. */
  close(): Promise<void>;
}

export async function startRedisWorker(opts: RedisWorkerOptions): Promise<RunningWorker> {
  const { logger } = opts;
  const local = await LocalQueue.start({
    workers: opts.threads,
    maxWaiting: opts.threads,
    factory: opts.factory,
    onCrash: (err) => logger.error({ event: 'worker.crashed', err }, 'a worker thread died; replacing it'),
  });
  const names = redisNames(opts.queue);
  const redis = new Redis(opts.url, { maxRetriesPerRequest: null });
  const subscriber = new Redis(opts.url, { maxRetriesPerRequest: null });
  await redis.set(names.model, JSON.stringify(local.model));

  const worker = new Worker<JobSpecJson, JobResultJson>(
    opts.queue,
    async (job, _token, signal) => {
      if (job.name !== JOB_NAME) throw new UnrecoverableError(`unknown job type ${job.name}`);
      logger.info({ event: 'job.started', job: job.id, attempt: job.attemptsStarted, pid: process.pid });
      const t0 = performance.now();
      try {
        const result = await local.submit(specFromJson(job.data), {
          signal,
          onEvent: (e) => void job.updateProgress(eventToJson(e)).catch(() => {}),
        });
        logger.info({ event: 'job.done', job: job.id, seconds: Number(((performance.now() - t0) / 1000).toFixed(3)) });
        return resultToJson(result);
      } catch (err) {
        const failure = signal?.aborted ? { name: 'JobCancelled', message: 'cancelled' } : failureOf(err);
        logger.info({ event: 'job.failed', job: job.id, error: failure.name });
        // Failures are answers (a bad image, a refusal), not flukes: never retried.
        throw new UnrecoverableError(JSON.stringify(failure));
      }
    },
    {
      connection: { url: opts.url, maxRetriesPerRequest: null },
      concurrency: opts.threads,
      lockDuration: opts.lockMs,
      stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
      // A job whose worker died is put back this many times before it is failed.
      maxStalledCount: 3,
    },
  );
  worker.on('error', (err) => logger.error({ event: 'redis.error', err }, 'queue connection error'));

  await subscriber.subscribe(names.cancel);
  subscriber.on('message', (_channel, jobId: string) => {
    if (worker.cancelJob(jobId, 'the client disconnected')) logger.info({ event: 'job.cancelling', job: jobId });
  });
  await worker.waitUntilReady();
  logger.info({ event: 'worker.ready', queue: opts.queue, model: local.model.id, threads: opts.threads, pid: process.pid }, 'taking jobs');

  return {
    close: async () => {
      await worker.close();
      subscriber.disconnect();
      redis.disconnect();
      await local.close();
    },
  };
}
