// `flowpaint worker`: takes jobs from a Redis queue that `flowpaint serve --redis` fills, so one
// or more servers share the machines running the model. SIGTERM finishes the jobs in hand.
import type { Command } from 'commander';
import { loadServerConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { startRedisWorker } from '../../server/redis-worker.ts';
import { pipelineFactoryFor } from '../../server/server.ts';
import { UsageError } from '../errors.ts';
import { intArg } from './serve.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run jobs from the Redis queue that `flowpaint serve --redis` fills')
    .option('--redis <url>', 'Redis URL (or "redis.url" in the config)')
    .option('--queue <name>', 'queue name [default: flowpaint]')
    .option('--config <file>', 'the server config file (its redis, pipeline and workers sections apply)')
    .option('--model <dir>', 'model directory [default: models/default]')
    .option('--workers <n>', 'worker threads, i.e. jobs at once', intArg('--workers', 1, 64))
    .option('--threads <n>', 'ONNX Runtime threads per worker', intArg('--threads', 1, 256))
    .option('--lock-ms <ms>', "how long a job's claim lasts without renewal; a dead worker's job is retaken after about this", intArg('--lock-ms', 500, 3_600_000))
    .action(async (o: { redis?: string; queue?: string; config?: string; model?: string; workers?: number; threads?: number; lockMs?: number }) => {
      const base = loadServerConfig({ file: o.config, env: {} });
      const url = o.redis ?? base.redis?.url;
      if (!url) throw new UsageError('worker needs a queue: --redis redis://host:port (or "redis": {"url": ...} in --config)');
      const config = loadServerConfig({
        file: o.config,
        env: {},
        overrides: {
          redis: { ...base.redis, url, ...(o.queue ? { queue: o.queue } : {}), ...(o.lockMs ? { lockMs: o.lockMs } : {}) },
          pipeline: { ...base.pipeline, ...(o.model ? { modelDir: o.model } : {}) },
          workers: { ...base.workers, ...(o.workers ? { count: o.workers } : {}), ...(o.threads ? { threads: o.threads } : {}) },
        },
      });
      const logger = createLogger(config.logLevel);
      const worker = await startRedisWorker({
        url,
        queue: config.redis!.queue,
        threads: config.workers.count,
        factory: pipelineFactoryFor(config),
        lockMs: config.redis!.lockMs,
        logger,
      });
      await new Promise<void>((resolve) => {
        let signals = 0;
        const stop = () => {
          if (++signals > 1) process.exit(130);
          logger.info({ event: 'worker.stopping' }, 'finishing the jobs in hand');
          void worker.close().then(resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
