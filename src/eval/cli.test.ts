// `flowpaint eval` as a user runs it: progress on stderr, a table and a last JSON line on
// stdout, exit code 2 for bad input.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { tinyModelDir } from '../testing/tiny-model.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/flowpaint.js', import.meta.url).pathname;

async function flowpaint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', BIN, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('flowpaint eval', () => {
  test('bad input exits with code 2 and says why', async () => {
    const r = await flowpaint(['eval', 'colours']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown suite "colours" \(choose one of compose, edit, text, speed, all, scorer\)/);
    const m = await flowpaint(['eval', 'compose', '--model', '/nonexistent/model']);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /model directory \/nonexistent\/model does not exist/);
  });

  test('a suite prints its table and ends with one JSON line, also written by --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowpaint-eval-cli-'));
    try {
      const out = join(dir, 'r.json');
      const r = await flowpaint(['eval', 'compose', '--model', await tinyModelDir(), '--n', '1', '--size', '64x64', '--steps', '2', '--json', out]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      const last = JSON.parse(lines[lines.length - 1]!);
      assert.equal(last.suite, 'compose');
      assert.equal(last.promptSet, 'compose-v1');
      assert.deepEqual(Object.keys(last.categories).length, 7);
      assert.ok(last.judge.overall >= 0 && last.scorer.heldout_split_128.presence > 0.9);
      assert.match(r.stdout, /category\s+model\s+judge on truth/);
      assert.match(r.stderr, /compose 7\/7/);
      assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), last);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
