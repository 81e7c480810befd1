// Prometheus metrics with prom-client, on a registry of the app's own (several apps can share a
// process, as in tests). Queue depth is read when scraped, so it is never stale.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RejectReason } from './errors.ts';
import type { JobQueue } from './queue.ts';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requestSeconds: Histogram<'route' | 'status'>;
  readonly jobSeconds: Histogram<'kind' | 'quality'>;
  readonly imagesGenerated: Counter<'kind'>;
  readonly rejections: Counter<'reason'>;

  constructor(queue: () => JobQueue | undefined) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'flowpaint_' });
    this.requestSeconds = new Histogram({
      name: 'flowpaint_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.jobSeconds = new Histogram({
      name: 'flowpaint_job_duration_seconds',
      help: 'Time from accepting a job to its result, waiting included',
      labelNames: ['kind', 'quality'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.imagesGenerated = new Counter({ name: 'flowpaint_images_generated_total', help: 'Images returned to clients', labelNames: ['kind'], registers });
    this.rejections = new Counter({ name: 'flowpaint_rejections_total', help: 'Requests refused, by reason', labelNames: ['reason'], registers });
    new Gauge({
      name: 'flowpaint_queue_depth',
      help: 'Jobs accepted and waiting for a worker',
      registers,
      async collect() {
        const q = queue();
        if (q) this.set((await q.stats()).waiting);
      },
    });
    new Gauge({
      name: 'flowpaint_jobs_running',
      help: 'Jobs being run by a worker',
      registers,
      async collect() {
        const q = queue();
        if (q) this.set((await q.stats()).running);
      },
    });
  }

  reject(reason: RejectReason): void {
    this.rejections.inc({ reason });
  }
}
