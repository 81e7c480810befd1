// What the HTTP application is built from (AppDeps: config, keys, the queue, limits, logs) and
// what each request carries (AppEnv: its key and its logger). Its own module so that app.ts and
// the route modules it mounts both depend on it instead of on each other.
import type { ServerConfig } from './config.ts';
import type { KeyIdentity, KeyStore } from './keys.ts';
import { AuthFailureLimiter, ConcurrencyLimiter, RateLimiter } from './limits.ts';
import type { Logger } from './log.ts';
import type { ServerMetrics } from './metrics.ts';
import type { JobQueue } from './queue.ts';
import type { ImageStore } from './store.ts';

export interface AppDeps {
  config: ServerConfig;
  keys: KeyStore;
  /** The queue, once the workers have loaded the model. */
  queue: () => JobQueue | undefined;
  store: ImageStore;
  metrics: ServerMetrics;
  logger: Logger;
  state: { draining: boolean; loadError?: string };
  rate: RateLimiter;
  concurrency: ConcurrencyLimiter;
  /** Wrong keys per client address. */
  authFailures: AuthFailureLimiter;
  /** Unix seconds, for the model list. */
  startedAt: number;
  /** The arena's other models by contender name, added as each loads (config `arena.models`). */
  arenaQueues: Map<string, JobQueue>;
}

export type AppEnv = { Variables: { key: KeyIdentity; log: Logger } };

export function createDeps(parts: Omit<AppDeps, 'rate' | 'concurrency' | 'authFailures' | 'startedAt' | 'state' | 'arenaQueues'> & Partial<Pick<AppDeps, 'state' | 'arenaQueues'>>): AppDeps {
  return {
    ...parts,
    state: parts.state ?? { draining: false },
    arenaQueues: parts.arenaQueues ?? new Map(),
    rate: new RateLimiter(),
    concurrency: new ConcurrencyLimiter(),
    authFailures: new AuthFailureLimiter(parts.config.limits.authFailuresPerMinute),
    startedAt: Math.floor(Date.now() / 1000),
  };
}
