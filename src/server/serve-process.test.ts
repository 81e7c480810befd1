// `flowpaint serve` as a process: it refuses to bind beyond loopback without keys and short
// keys, on SIGTERM answers new requests with 503, finishes the job in flight, then exits 0, and
// it shuts down when the process that started it (npx's shell, say) is gone.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fakePipelineConfig, makeTestDir } from './test-support/harness.ts';

const BIN = fileURLToPath(new URL('../../bin/flowpaint.js', import.meta.url));
// Start-up compiles the CLI with tsx; on a 2-core machine shared with training it has taken 75 s.
const START_MS = 240_000;

describe('flowpaint serve', () => {
  it('refuses to listen beyond loopback without keys', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0'], { encoding: 'utf8', env: { ...process.env, FLOWPAINT_API_KEYS: '' }, timeout: START_MS });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without API keys/);
  });

  it('refuses keys shorter than the minimum with exit 2 and a message that names them', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--port', '0'], { encoding: 'utf8', env: { ...process.env, FLOWPAINT_API_KEYS: 'fp-long-enough-key-0123456789,k2' }, timeout: START_MS });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /FLOWPAINT_API_KEYS, key 2: the API key is 2 characters; keys must be at least 20/);
    assert.doesNotMatch(r.stderr, /fp-long-enough/);
  });

  it('exits when the shell that started it is terminated (as npx leaves it), and keeps a key file\'s keys out of its environment', async () => {
    const dir = makeTestDir();
    const file = join(dir, 'server.json');
    const key = 'fp-parent-test-key-0123456789';
    writeFileSync(join(dir, 'keys'), `${key}\n`);
    writeFileSync(file, JSON.stringify({ pipeline: fakePipelineConfig(dir), store: { dir: join(dir, 'store') }, keysFile: join(dir, 'keys'), playground: { enabled: false } }));
    // npx runs `sh -c flowpaint …` under npm; a SIGTERM to npm ends npm and the shell, which does
    // not pass it on. `; exit` keeps dash from replacing itself with node.
    const shell = spawn('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" serve --port 0 --config "${file}"; exit $?`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = readLines(shell.stdout!);
    let shellExited = false;
    shell.once('exit', () => { shellExited = true; });
    let pid: number | undefined;
    try {
      await until(() => shellExited || lines.some((l) => l.event === 'ready'), 'the server to be ready');
      assert.ok(!shellExited, 'the server started (its error is above)');
      pid = lines.find((l) => l.event === 'listening')!.pid as number;
      if (existsSync(`/proc/${pid}/environ`)) assert.ok(!readFileSync(`/proc/${pid}/environ`, 'latin1').includes(key), 'the key is not in the environment');
      shell.kill('SIGTERM');
      await until(() => !alive(pid!), 'the orphaned server to exit');
    } finally {
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
      shell.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, what: string, ms = START_MS): Promise<void> {
  for (const t0 = Date.now(); !cond() && Date.now() - t0 < ms;) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

/** The JSON log lines a process writes, as they arrive. */
function readLines(stream: NodeJS.ReadableStream): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  return lines;
}
