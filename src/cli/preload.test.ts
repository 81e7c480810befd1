// bin/preload.js: which packages bin/flowpaint.js imports before registering tsx, and that the
// list for generate is complete (issue #15: a package that loads through tsx's hooks costs a
// cold start more CPU than the package itself).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';

const root = new URL('../../', import.meta.url);
// A plain-JavaScript module outside the TypeScript project: imported by URL, typed here.
const { PRELOAD, preloadFor } = (await import(new URL('bin/preload.js', root).href)) as {
  PRELOAD: Record<string, string[]>;
  preloadFor: (args: string[]) => string[];
};

describe('bin/preload.js', () => {
  test('the command being run decides; help, version and unknown commands preload nothing', () => {
    assert.deepEqual(preloadFor(['generate', 'a cat', '--fast']), PRELOAD.generate);
    assert.deepEqual(preloadFor(['edit', 'in.png', 'make it red']), PRELOAD.edit);
    for (const args of [[], ['--help'], ['-h'], ['--version'], ['help', 'generate'], ['train'], ['no-such-command'], ['constructor'], ['toString']]) {
      assert.deepEqual(preloadFor(args), [], JSON.stringify(args));
    }
  });

  test('every preloaded package is a dependency of flowpaint', () => {
    const { dependencies } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string> };
    for (const specifier of Object.values(PRELOAD).flat()) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      assert.ok(name in dependencies, `${specifier}: ${name} is not in package.json's dependencies`);
    }
  });

  // What bin/flowpaint.js does, then a load hook that records every module that still reaches the
  // hooks, then the generate command's module with everything it imports.
  let loaded: string[] = [];
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preload-'));
    const log = join(dir, 'loads.txt');
    const hook = join(dir, 'record-loads.mjs');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }
`,
    );
    const script = `
import { register as registerTsx } from 'tsx/esm/api';
import { register } from 'node:module';
import { preloadFor } from './bin/preload.js';
await Promise.all(preloadFor(['generate']).map((p) => import(p)));
registerTsx();
register(${JSON.stringify(pathToFileURL(hook).href)});
await import('./src/cli/commands/generate.ts');
`;
    // Evaluated in the repository root, so that package names resolve as they do for bin/.
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  });

  test("after the preload, generate's modules load no package through tsx's hooks", () => {
    assert.ok(loaded.some((u) => u.endsWith('/src/cli/commands/generate.ts')), 'the hook saw the TypeScript');
    const packages = loaded.filter((u) => u.includes('/node_modules/'));
    assert.deepEqual(packages, [], 'add these packages to bin/preload.js');
  });

  test('generate loads no module that only training, red-teaming or a graph build needs', () => {
    // Each module costs a cold start its trip through tsx's hooks; these are imported from the
    // modules themselves (redraw.ts, pipeline.ts, output.ts) or on a graph-cache miss (runner.ts).
    const unneeded = ['safety/index.ts', 'safety/redteam.ts', 'safety/redteam-suite.ts', 'safety/release.ts', 'flow/index.ts', 'flow/loss.ts', 'flow/dropout.ts', 'model/graphs.ts', 'model/denoiser.ts'];
    assert.deepEqual(loaded.filter((u) => unneeded.some((m) => u.endsWith(`/src/${m}`))), []);
  });
});
