// Starting and stopping the HTTP server: the bind rule for servers without keys, listening
// before the model is loaded (so /healthz and /readyz answer during a long load), and a
// graceful stop that refuses new requests, finishes in-flight jobs, then closes.
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename, resolve } from 'node:path';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { createDeps, type AppDeps } from './deps.ts';
import { arenaName } from './arena/store.ts';
import { checkBindAllowed, type ServerConfig } from './config.ts';
import { KeyStore } from './keys.ts';
import { LocalQueue } from './local-queue.ts';
import { createLogger, type Logger } from './log.ts';
import { ServerMetrics } from './metrics.ts';
import { DEFAULT_PIPELINE_MODULE, type PipelineFactory } from './pipeline-factory.ts';
import type { JobQueue } from './queue.ts';
import { ImageStore } from './store.ts';

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  deps: AppDeps;
  /** Resolves when the workers have loaded the model (rejects if they cannot). */
  ready: Promise<void>;
  /** Resolves when every arena model has loaded or failed to (failures are logged and skipped). */
  arenaReady: Promise<void>;
  /** Stops taking requests, waits for in-flight jobs (up to the timeout), then closes everything. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  config: ServerConfig;
  logger?: Logger;
  /** Builds the job queue; default: worker threads in this process, or Redis when configured. */
  makeQueue?: (config: ServerConfig, logger: Logger) => Promise<JobQueue>;
}

export function pipelineFactoryFor(config: ServerConfig): PipelineFactory {
  return {
    module: config.pipeline.module ?? DEFAULT_PIPELINE_MODULE,
    options: {
      ...config.pipeline.options,
      ...(config.pipeline.modelDir ? { modelDir: config.pipeline.modelDir } : {}),
      ...(config.workers.threads ? { threads: config.workers.threads } : {}),
    },
  };
}

async function defaultQueue(config: ServerConfig, logger: Logger): Promise<JobQueue> {
  if (config.redis) {
    const { RedisQueue } = await import('./redis-queue.ts');
    return RedisQueue.connect({ ...config.redis, maxWaiting: config.limits.maxQueue, logger });
  }
  return LocalQueue.start({
    workers: config.workers.count,
    maxWaiting: config.limits.maxQueue,
    factory: pipelineFactoryFor(config),
    onCrash: (err) => logger.error({ event: 'worker.crashed', err }, 'a worker thread died; replacing it'),
  });
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { config } = opts;
  checkBindAllowed(config);
  const logger = opts.logger ?? createLogger(config.logLevel);
  let queue: JobQueue | undefined;
  const ownStoreDir = !config.store.dir;
  const store = new ImageStore(config.store.dir ?? ImageStore.defaultDir() + `-${process.pid}`, config.store.ttlSeconds * 1000);
  const deps = createDeps({ config, keys: new KeyStore(config.keys), queue: () => queue, store, metrics: new ServerMetrics(() => queue), logger });
  const app = createApp(deps);

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s as Server));
    s.once('error', reject);
  });
  // Long generations must not be cut off by Node's default request timeout.
  server.requestTimeout = 0;
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info({ event: 'listening', host: config.host, port, pid: process.pid, keys: config.keys.length, redis: Boolean(config.redis) }, `flowpaint listening on http://${host}:${port}`);

  const ready = (opts.makeQueue ?? defaultQueue)(config, logger).then(
    (q) => {
      queue = q;
      logger.info({ event: 'ready', model: q.model.id, version: q.model.version }, 'model loaded');
    },
    (err: Error) => {
      deps.state.loadError = err.message;
      logger.error({ event: 'load.failed', err }, 'the model failed to load');
      throw err;
    },
  );
  ready.catch(() => {}); // reported above; callers that await `ready` still see the error
  const arenaReady = ready.then(() => startArenaModels(config, logger, deps.arenaQueues, queue!.model), () => {});

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      deps.state.draining = true;
      logger.info({ event: 'shutdown.start' }, 'shutting down: no new requests, finishing jobs in flight');
      // Keep listening while jobs finish: late requests get a clear 503 with Retry-After (and
      // load balancers see /readyz fail) instead of a refused connection.
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownTimeoutSeconds * 1000).unref());
      await arenaReady;
      const queues = [...(queue ? [queue] : []), ...deps.arenaQueues.values()];
      const drained = queues.length ? await Promise.race([Promise.all(queues.map((q) => q.drain())), timeout]) : undefined;
      if (drained === 'timeout') logger.warn({ event: 'shutdown.timeout' }, 'jobs still running at the shutdown timeout; stopping anyway');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // The last responses are being written; give their connections a moment to finish.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
      server.closeAllConnections();
      await Promise.all(queues.map((q) => q.close()));
      store.close();
      if (ownStoreDir) rmSync(store.dir, { recursive: true, force: true });
      logger.info({ event: 'shutdown.done' }, 'stopped');
    })();
    return stopping;
  };

  return { url: `http://${host}:${port}`, port, deps, ready, arenaReady, shutdown };
}

/**
 * Loads each arena model (config `arena.models`) into its own worker thread, one after the other,
 * and adds it to `into` under its name. A name already taken gets the folder's name added; a model
 * that fails to load is logged and left out, so one bad candidate does not stop the server.
 */
async function startArenaModels(config: ServerConfig, logger: Logger, into: Map<string, JobQueue>, served: { id: string; version: string }): Promise<void> {
  const base = pipelineFactoryFor(config);
  const taken = new Set(config.arena.includeServed ? [arenaName(served)] : []);
  for (const m of config.arena.models) {
    try {
      const q = await LocalQueue.start({
        workers: 1,
        maxWaiting: config.limits.maxQueue,
        factory: { module: base.module, options: { ...base.options, modelDir: resolve(m.dir) } },
        onCrash: (err) => logger.error({ event: 'worker.crashed', err, arenaModel: m.dir }, 'an arena worker thread died; replacing it'),
      });
      let name = m.name ?? arenaName(q.model);
      if (taken.has(name)) name = `${name}+${basename(resolve(m.dir))}`;
      for (let i = 2; taken.has(name); i++) name = `${m.name ?? arenaName(q.model)}+${i}`;
      taken.add(name);
      into.set(name, q);
      logger.info({ event: 'arena.model_ready', name, dir: m.dir }, `arena model ${name} loaded from ${m.dir}`);
    } catch (err) {
      logger.error({ event: 'arena.model_failed', err, dir: m.dir }, `arena model ${m.dir} failed to load; it is left out of the arena`);
    }
  }
}
