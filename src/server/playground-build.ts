// Builds the playground web app (web/) with Vite when its build is missing or was made from
// other sources. Nothing built is committed: a fresh clone builds on the first visit to `/`
// (or when a test asks). The sources' hash is written beside the build, so a checkout that
// changes web/ rebuilds even when file times say otherwise.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
const STAMP = 'build-hash.txt';

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'dist' || name === 'node_modules' || name.startsWith('dist.') || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else out.push(p);
  }
  return out;
}

export function sourceHash(webDir = WEB_DIR): string {
  const h = createHash('sha256');
  for (const f of sourceFiles(webDir)) h.update(relative(webDir, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}

export function isBuilt(webDir = WEB_DIR): boolean {
  const stamp = join(webDir, 'dist', STAMP);
  return existsSync(join(webDir, 'dist', 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === sourceHash(webDir);
}

const building = new Map<string, Promise<void>>();

/**
 * Builds web/dist unless it is current. Concurrent callers in one process share one build; a
 * build goes to a private folder first and is swapped in whole, so a server never serves a
 * half-written app (another process building at the same moment wastes work, nothing more).
 */
export function ensureWebBuilt(opts: { webDir?: string; log?: (msg: string) => void } = {}): Promise<void> {
  const webDir = opts.webDir ?? WEB_DIR;
  if (isBuilt(webDir)) return Promise.resolve();
  let job = building.get(webDir);
  if (!job) {
    job = buildWeb(webDir, opts.log).finally(() => building.delete(webDir));
    building.set(webDir, job);
  }
  return job;
}

async function buildWeb(webDir: string, log?: (msg: string) => void): Promise<void> {
  const hash = sourceHash(webDir);
  const staging = join(webDir, `dist.${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  log?.(`building the playground web app (web/dist is missing or older than web/ sources, ${hash})`);
  // Imported here: the server needs Vite only when it builds.
  const { build } = await import('vite');
  try {
    await build({
      root: webDir,
      configFile: false,
      logLevel: 'warn',
      base: '/',
      // React's automatic JSX runtime without a plugin: Vite's own transform handles TSX.
      oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
      build: { outDir: staging, emptyOutDir: true, reportCompressedSize: false, sourcemap: false },
    });
    writeFileSync(join(staging, STAMP), `${hash}\n`);
    rmSync(join(webDir, 'dist'), { recursive: true, force: true });
    renameSync(staging, join(webDir, 'dist'));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log?.(`built the playground in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
