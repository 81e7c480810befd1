import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { JobEvent, JobSpec } from './jobs.ts';
import { LocalQueue } from './local-queue.ts';
import { QueueFull } from './queue.ts';
import { WorkerPool } from './worker-pool.ts';

const FAKE = new URL('./test-support/fake-pipeline.ts', import.meta.url).href;

function spec(prompt: string, extra: Partial<JobSpec> = {}): JobSpec {
  return { kind: 'generate', prompt, n: 1, width: 64, height: 64, steps: 4, fast: false, outputFormat: 'png', partialImages: 0, moderation: 'auto', ...extra };
}

describe('worker pool and local queue', () => {
  let dir: string;
  let queue: LocalQueue;
  const crashes: Error[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fp-pool-'));
    queue = await LocalQueue.start({
      workers: 1,
      maxWaiting: 2,
      factory: { module: FAKE, options: { gateDir: dir, logFile: join(dir, 'log.jsonl') } },
      onCrash: (e) => crashes.push(e),
    });
  });
  after(async () => {
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job in a thread and returns encoded images of the asked size', async () => {
    const r = await queue.submit(spec('a cat', { n: 2, width: 96, height: 64 }));
    assert.equal(r.images.length, 2);
    assert.deepEqual([r.width, r.height], [96, 64]);
    const meta = await sharp(r.images[1]!.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 96, 64]);
    assert.equal(r.usage.outputImageTokens, 2 * 6 * 4);
    assert.equal(queue.model.id, 'fake');
  });

  it('streams the asked number of partial images before finishing', async () => {
    const events: JobEvent[] = [];
    const r = await queue.submit(spec('partials', { steps: 8, partialImages: 3, outputFormat: 'jpeg' }), { onEvent: (e) => events.push(e) });
    assert.deepEqual(events.map((e) => e.index), [0, 1, 2]);
    assert.equal((await sharp(events[0]!.bytes).metadata()).format, 'jpeg');
    assert.equal(r.images.length, 1);
  });

  it('keeps the event loop free while a thread computes', async () => {
    const job = queue.submit(spec('[spin:600] busy'));
    // While the thread spins, timers here still fire on time-ish; count ticks to prove it.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    await job;
    clearInterval(timer);
    assert.ok(ticks >= 5, `the main thread ticked ${ticks} times during a 600 ms blocking job`);
  });

  it('refuses beyond the waiting limit, runs the rest in order, and cancels waiting and running jobs', async () => {
    rmSync(join(dir, 'open'), { force: true });
    const running = queue.submit(spec('[hold] one'));
    const c = new AbortController();
    const waiting1 = queue.submit(spec('[hold] two'), { signal: c.signal });
    const waiting2 = queue.submit(spec('[hold] three'));
    await assert.rejects(queue.submit(spec('four')), (e: Error) => e instanceof QueueFull);
    assert.deepEqual(await queue.stats(), { waiting: 2, running: 1 });
    c.abort();
    await assert.rejects(waiting1, { name: 'JobCancelled' });
    writeFileSync(join(dir, 'open'), '');
    await Promise.all([running, waiting2]);
    const c2 = new AbortController();
    rmSync(join(dir, 'open'));
    const held = queue.submit(spec('[hold] five'), { signal: c2.signal });
    setTimeout(() => c2.abort(), 50);
    await assert.rejects(held, { name: 'JobCancelled' });
    await queue.drain();
    const log = readFileSync(join(dir, 'log.jsonl'), 'utf8');
    assert.match(log, /\[hold\] one/);
    assert.match(log, /\[hold\] three/);
    assert.doesNotMatch(log, /\[hold\] two|four|five/);
  });

  it('maps pipeline errors by name and survives a thread crash', async () => {
    await assert.rejects(queue.submit(spec('[refuse]')), (e: Error & { stage?: string }) => e.name === 'SafetyRefusal' && e.stage === 'prompt');
    await assert.rejects(queue.submit(spec('[invalid]')), { name: 'InputError' });
    await assert.rejects(queue.submit(spec('[crash]')), { name: 'WorkerCrashed' });
    assert.equal(crashes.length, 1);
    // The replacement thread loads, then takes the next job.
    const r = await queue.submit(spec('after the crash'));
    assert.equal(r.images.length, 1);
  });

  it('reports a pipeline that cannot load', async () => {
    await assert.rejects(WorkerPool.start({ size: 1, factory: { module: FAKE, options: { failLoad: true } } }), /load failed on purpose/);
  });
});
