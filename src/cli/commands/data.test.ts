import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bin/flowpaint.js', ...args], { encoding: 'utf8' });

test('flowpaint data preview writes the grid and prints its path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'flowpaint-cli-data-'));
  try {
    const out = join(dir, 'grid.png');
    const r = cli(['data', 'preview', '--n', '4', '--size', '64', '-o', out, '--edits']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), out);
    assert.ok((await stat(out)).size > 1000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad input exits 2 with a message naming the option', () => {
  const r = cli(['data', 'preview', '--size', '72']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--size must be a multiple of 16/);
  const n = cli(['data', 'preview', '--n', '0']);
  assert.equal(n.status, 2);
  assert.match(n.stderr, /--n must be an integer from 1 to 256/);
});
