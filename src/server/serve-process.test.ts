// `flowpaint serve` as a process: it refuses to bind beyond loopback without keys, and on
// SIGTERM answers new requests with 503, finishes the job in flight, then exits 0.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fakePipelineConfig, makeTestDir } from './test-support/harness.ts';

const BIN = fileURLToPath(new URL('../../bin/flowpaint.js', import.meta.url));

describe('flowpaint serve', () => {
  it('refuses to listen beyond loopback without keys', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0'], { encoding: 'utf8', env: { ...process.env, FLOWPAINT_API_KEYS: '' }, timeout: 30_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without API keys/);
  });

  it('on SIGTERM finishes the job in flight, refuses new ones with 503, and exits 0', async () => {
    const dir = makeTestDir();
    const file = join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ pipeline: fakePipelineConfig(dir), store: { dir: join(dir, 'store') } }));
    const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Array<Record<string, unknown>> = [];
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
        buf = buf.slice(i + 1);
      }
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const until = async (cond: () => boolean, what: string) => {
      for (let i = 0; i < 1500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(cond(), `timed out waiting for ${what}`);
    };
    try {
      await until(() => lines.some((l) => l.event === 'ready'), 'the server to be ready');
      const port = lines.find((l) => l.event === 'listening')!.port as number;
      const url = `http://127.0.0.1:${port}/v1/images/generations`;
      const post = (prompt: string) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt, size: '64x64' }) });
      const inFlight = post('[hold] in flight');
      await until(() => lines.some((l) => l.event === 'job.accepted'), 'the job to start');
      proc.kill('SIGTERM');
      await until(() => lines.some((l) => l.event === 'shutdown.start'), 'the shutdown to begin');
      const late = await post('late');
      assert.equal(late.status, 503);
      assert.equal(((await late.json()) as { error: { code: string } }).error.code, 'shutting_down');
      writeFileSync(join(dir, 'open'), '');
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { data: unknown[] }).data.length, 1);
      assert.equal(await exited, 0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
