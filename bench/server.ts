// `npm run bench -- server [--model DIR] [--workers N] [--threads N] [--requests N]`: the HTTP
// server under load, as clients see it. Starts `flowpaint serve` as its own process (so client
// work does not disturb the server's event loop), then for 1, 4 and 16 concurrent clients sends
// 256×256 low-quality (few-step) generations and reports requests/s, p50/p95 latency, and the
// server's event-loop delay p99 during each phase (read from its /metrics, which resets the
// event-loop histogram at every scrape). Without --model it uses models/default, or trains a
// tiny model when none is shipped yet (stated in the output).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/server/test-support/redis.ts';
import { tinyModelDir } from '../src/testing/tiny-model.ts';
import { option } from './lib/util.ts';

const BIN = fileURLToPath(new URL('../bin/flowpaint.js', import.meta.url));
const LEVELS = [1, 4, 16];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function eventLoopP99(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^flowpaint_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : NaN;
}

export async function run(args: string[]): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'fp-bench-server-'));
  let modelDir = option(args, '--model');
  let modelNote = modelDir ?? 'models/default';
  if (!modelDir) {
    const shipped = fileURLToPath(new URL('../models/default', import.meta.url));
    if (existsSync(join(shipped, 'config.json')) && existsSync(join(shipped, 'weights.safetensors'))) modelDir = shipped;
    else {
      modelDir = await tinyModelDir();
      modelNote = 'tiny (trained for the bench: no model shipped in models/default)';
    }
  }
  const workers = Number(option(args, '--workers') ?? 1);
  const threads = Number(option(args, '--threads') ?? cpus().length);
  const perClient = Number(option(args, '--requests') ?? 6);
  const port = await freePort();
  const config = join(work, 'server.json');
  writeFileSync(config, JSON.stringify({
    port,
    pipeline: { modelDir },
    workers: { count: workers, threads },
    limits: { maxQueue: 64, rateLimitPerMinute: 1_000_000, maxConcurrentPerKey: 64 },
    store: { dir: join(work, 'store') },
    logLevel: 'warn',
  }));
  const server = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
      if (i > 1200) throw new Error('the server was not ready within 120 s');
      const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const generate = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(`${base}/v1/images/generations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'a red apple left of a cat on a blue background', size: '256x256', quality: 'low' }),
      });
      const body = (await res.json()) as { data?: unknown[] };
      if (res.status !== 200 || body.data?.length !== 1) throw new Error(`generation failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return performance.now() - t0;
    };
    await generate(); // warm-up: first-run allocations in the worker
    const rows: Array<{ clients: number; requests: number; rps: number; p50_ms: number; p95_ms: number; eventloop_p99_ms: number }> = [];
    for (const clients of LEVELS) {
      await eventLoopP99(base); // resets the server's event-loop histogram
      const latencies: number[] = [];
      const t0 = performance.now();
      await Promise.all(Array.from({ length: clients }, async () => {
        for (let i = 0; i < perClient; i++) latencies.push(await generate());
      }));
      const seconds = (performance.now() - t0) / 1000;
      const loop = await eventLoopP99(base);
      latencies.sort((a, b) => a - b);
      rows.push({ clients, requests: latencies.length, rps: latencies.length / seconds, p50_ms: percentile(latencies, 50), p95_ms: percentile(latencies, 95), eventloop_p99_ms: loop });
    }
    console.log(`model: ${modelNote}; ${workers} worker thread(s) × ${threads} ORT threads; 256x256, quality low; ${perClient} requests per client`);
    console.log('clients  requests  req/s   p50 ms   p95 ms   event-loop p99 ms');
    for (const r of rows) {
      console.log(`${String(r.clients).padStart(7)}  ${String(r.requests).padStart(8)}  ${r.rps.toFixed(2).padStart(5)}  ${r.p50_ms.toFixed(0).padStart(7)}  ${r.p95_ms.toFixed(0).padStart(7)}  ${r.eventloop_p99_ms.toFixed(1).padStart(17)}`);
    }
    const round = (x: number, d: number) => Number(x.toFixed(d));
    console.log(JSON.stringify({
      bench: 'server',
      model: modelNote,
      size: '256x256',
      quality: 'low',
      workers,
      threads,
      levels: rows.map((r) => ({ clients: r.clients, requests: r.requests, rps: round(r.rps, 2), p50_ms: round(r.p50_ms, 1), p95_ms: round(r.p95_ms, 1), eventloop_p99_ms: round(r.eventloop_p99_ms, 2) })),
    }));
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}
