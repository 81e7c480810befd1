// What the CLI tests of the diffusers folders (klein.test.ts, zimage.test.ts) share: running
// bin/flowpaint.js as a user does, in a scratch folder with its own compiled-component cache and a
// policy with the output filter off (random weights paint noise, which the nudity classifier may
// call anything; the prompt filter stays on), and the inpainting check that bytes outside the mask
// come back unchanged.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';

const bin = new URL('../../../bin/flowpaint.js', import.meta.url).pathname;
const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DiffusersCli {
  /** The scratch folder (set once the suite's `before` hook has run). */
  dir(): string;
  /** flowpaint with `args` and --threads 1; never throws on a non-zero exit. */
  flowpaint(args: string[]): Promise<CliResult>;
}

/** Registers a `before` hook that makes the scratch folder and policy; call at the top of a test file. */
export function diffusersCli(prefix: string): DiffusersCli {
  let dir = '';
  let policy = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ output: { enabled: false } }));
  });
  return {
    dir: () => dir,
    async flowpaint(args) {
      try {
        const env = { ...process.env, FLOWPAINT_SAFETY_CONFIG: policy, FLOWPAINT_CACHE: join(dir, 'cache') };
        const { stdout, stderr } = await run(process.execPath, [bin, ...args, '--threads', '1'], { maxBuffer: 1 << 24, env });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as CliResult;
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
  };
}

/** An image file's RGB bytes. */
export async function rgb(path: string): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** Writes a mask PNG, white (repaint) over columns x < `until`, black elsewhere. */
export async function writeLeftMask(path: string, width: number, height: number, until: number): Promise<void> {
  const mask = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) mask.fill(255, y * width * 3, (y * width + until) * 3);
  await sharp(mask, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

/** Asserts every pixel in columns x ≥ `from` is byte-identical in `after` and `before` (same size). */
export function assertKeptFrom(after: { width: number; height: number; data: Buffer }, before: { data: Buffer }, from: number): void {
  for (let y = 0; y < after.height; y++) {
    for (let x = from; x < after.width; x++) {
      const i = (y * after.width + x) * 3;
      assert.deepEqual([...after.data.subarray(i, i + 3)], [...before.data.subarray(i, i + 3)], `pixel ${x},${y} outside the mask changed`);
    }
  }
}
