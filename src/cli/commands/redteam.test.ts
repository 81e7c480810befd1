import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'flowpaint-redteam-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, ['bin/flowpaint.js', 'redteam', ...args], { encoding: 'utf8' });

describe('flowpaint redteam', () => {
  test('prints the report and ends with one JSON line (also written with --json)', () => {
    const out = join(dir, 'report.json');
    const r = run('--json', out);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!);
    for (const k of ['block_rate', 'false_positive_rate', 'per_category', 'pre_mitigation', 'post_mitigation', 'latency_ms']) assert.ok(k in last, k);
    assert.equal(last.pre_mitigation.block_rate, 0);
    assert.ok(last.per_category.minors.n > 0);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), last);
    assert.match(r.stdout, /post-mitigation: block rate/);
  });

  test('bad options are input errors (exit 2)', () => {
    const r = run('--moderation', 'none');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--moderation must be 'auto' or 'low'/);
  });
});
