// Redis mode: a server and two `flowpaint worker` processes sharing one BullMQ queue on a
// private redis-server. Workers run the fake pipeline so the test decides when jobs finish.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fakePipelineConfig, makeTestDir, startTestServer, type TestServer } from './test-support/harness.ts';
import { redisServerPath, startRedis, type TestRedis } from './test-support/redis.ts';

const BIN = fileURLToPath(new URL('../../bin/flowpaint.js', import.meta.url));
const REDIS = redisServerPath();
const KEY = 'fp-redis-test-key-0123456789';

interface WorkerProc {
  proc: ChildProcess;
  lines: Array<Record<string, unknown>>;
}

function startWorker(configFile: string): WorkerProc {
  const proc = spawn(process.execPath, [BIN, 'worker', '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const w: WorkerProc = { proc, lines: [] };
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        w.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  return w;
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  for (const t0 = Date.now(); !(await cond()); ) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const startedJobs = (w: WorkerProc) => w.lines.filter((l) => l.event === 'job.started').map((l) => String(l.job));

describe('Redis mode: servers and worker processes share one queue', { skip: REDIS ? false : 'redis-server is not installed (Debian package redis-server)' }, () => {
  let redis: TestRedis;
  let s: TestServer;
  let dir: string;
  const workers: WorkerProc[] = [];

  const generate = (prompt: string, signal?: AbortSignal) =>
    fetch(`${s.url}/v1/images/generations`, {
      method: 'POST',
      signal,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ prompt, size: '64x64' }),
    });

  before(async () => {
    redis = await startRedis(REDIS!);
    dir = makeTestDir();
    // Workers and server read one config: the queue, the (fake) pipeline, short locks so a dead
    // worker's job is retaken within seconds.
    const config = { redis: { url: redis.url, queue: 'test', lockMs: 1500 }, pipeline: fakePipelineConfig(dir), workers: { count: 1 }, logLevel: 'info' };
    const file = join(dir, 'worker.json');
    writeFileSync(file, JSON.stringify(config));
    workers.push(startWorker(file), startWorker(file));
    s = await startTestServer({ redis: config.redis, limits: { maxQueue: 4 } }, { dir, env: { FLOWPAINT_API_KEYS: KEY } });
    await until(() => workers.every((w) => w.lines.some((l) => l.event === 'worker.ready')), 'both workers to be ready');
  });
  after(async () => {
    s?.openGate();
    for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
    await s?.stop();
    await redis?.stop();
  });

  it('spreads jobs over both workers and returns every result once', async () => {
    s.closeGate();
    const jobs = [generate('[hold] shared 1'), generate('[hold] shared 2')];
    await until(() => workers.every((w) => startedJobs(w).length === 1), 'each worker to take one job');
    s.openGate();
    for (const res of await Promise.all(jobs)) {
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { data: unknown[] }).data.length, 1);
    }
    assert.deepEqual(s.executed().map((j) => j.prompt).sort(), ['[hold] shared 1', '[hold] shared 2']);
  });

  it('cancels waiting and running jobs of clients that disconnect', async () => {
    s.closeGate();
    const runningAbort = new AbortController();
    const waitingAbort = new AbortController();
    const r1 = generate('[hold] running, abandoned', runningAbort.signal).catch((e: Error) => e);
    const r2 = generate('[hold] running, kept').catch((e: Error) => e);
    await until(() => workers.reduce((n, w) => n + startedJobs(w).length, 0) === 4, 'both workers to be busy');
    const r3 = generate('[hold] waiting, abandoned', waitingAbort.signal).catch((e: Error) => e);
    await until(() => s.logs().filter((l) => l.event === 'job.accepted').length === 5, 'the third job to be queued');
    waitingAbort.abort();
    // The waiting job must be out of the queue before a worker frees up, or that worker may take it
    // first (on a loaded machine the removal can lag behind the running job's cancellation).
    await r3;
    await until(async () => (await s.deps.queue()!.stats()).waiting === 0, 'the abandoned waiting job to leave the queue');
    runningAbort.abort();
    await r1;
    await until(() => workers.some((w) => w.lines.some((l) => l.event === 'job.failed' && l.error === 'JobCancelled')), 'a worker to cancel the running job');
    s.openGate();
    assert.equal(((await r2) as Response).status, 200);
    await until(() => (s.deps.queue() ? true : false), 'queue');
    const stats = await s.deps.queue()!.stats();
    assert.equal(stats.waiting, 0, 'the abandoned waiting job left the queue');
    const ran = s.executed().map((j) => j.prompt);
    assert.ok(ran.includes('[hold] running, kept'));
    assert.ok(!ran.includes('[hold] running, abandoned') && !ran.includes('[hold] waiting, abandoned'));
  });

  it('does not lose a job whose worker is killed mid-job', async () => {
    s.closeGate();
    const before = workers.map((w) => startedJobs(w).length);
    const res = generate('[hold] survives a dead worker');
    await until(() => workers.some((w, i) => startedJobs(w).length > before[i]!), 'a worker to take the job');
    const victim = workers.findIndex((w, i) => startedJobs(w).length > before[i]!);
    const jobId = startedJobs(workers[victim]!).at(-1)!;
    workers[victim]!.proc.kill('SIGKILL');
    const survivor = workers[1 - victim]!;
    await until(() => startedJobs(survivor).includes(jobId), 'the other worker to take the job over');
    s.openGate();
    const done = await res;
    assert.equal(done.status, 200);
    assert.equal(((await done.json()) as { data: unknown[] }).data.length, 1);
    assert.equal(s.executed().filter((j) => j.prompt === '[hold] survives a dead worker').length, 1, 'finished exactly once');
  });
});
