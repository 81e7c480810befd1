#!/usr/bin/env node
// Runs every *.test.ts under src/ with node's test runner (TypeScript through tsx).
// Node 20's --test has no glob support, so the files are listed here.
// Usage: npm test [-- path-filter ...]   e.g. npm test -- src/engine
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = findTests('src')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
// Compiled graphs (engine/graph-cache.ts) go to a cache of this run's own, shared by its test
// files: tests make many temporary models, whose entries would otherwise pile up in ~/.cache.
const cache = process.env.FLOWPAINT_CACHE ? undefined : mkdtempSync(join(tmpdir(), 'flowpaint-test-cache-'));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: cache ? { ...process.env, FLOWPAINT_CACHE: cache } : process.env },
);
if (cache) rmSync(cache, { recursive: true, force: true });
process.exit(result.status ?? 1);
