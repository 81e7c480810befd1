// The flowpaint command end to end, as a user runs it, on a tiny trained model.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { readPngText } from '../pipeline/image-io.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';

const bin = new URL('../../bin/flowpaint.js', import.meta.url).pathname;
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The barely trained test model paints random blobs, which a nudity classifier may call anything,
 * so the mechanics tests run with the output filter off (prompt filter on); the safety tests below
 * run the full policy.
 */
let mechanicsPolicy = '';

async function flowpaint(args: string[], input?: string, fullSafety = false): Promise<Result> {
  try {
    const env = { ...process.env, FLOWPAINT_SAFETY_CONFIG: fullSafety ? '' : mechanicsPolicy };
    const child = run(process.execPath, [bin, ...args], { maxBuffer: 1 << 24, env });
    if (input !== undefined) {
      child.child.stdin!.end(input);
    }
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function pixels(path: string) {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

let model = '';
let dir = '';
before(async () => {
  model = await tinyModelDir();
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  mechanicsPolicy = join(dir, 'mechanics-policy.json');
  writeFileSync(mechanicsPolicy, JSON.stringify({ output: { enabled: false } }));
});

describe('flowpaint generate', () => {
  test('1:1, 4:1 and 1:4 sizes; the path on stdout; parameters in PNG metadata and a sidecar', async () => {
    for (const size of ['64x64', '256x64', '64x256']) {
      const out = join(dir, `gen-${size}.png`);
      const r = await flowpaint(['generate', 'a red apple on a blue background', '--model', model, '--size', size, '--steps', '2', '--seed', '7', '-o', out, '--sidecar']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), out);
      const img = await pixels(out);
      assert.equal(`${img.width}x${img.height}`, size);
      const params = JSON.parse(readPngText(readFileSync(out))['flowpaint:parameters']!);
      assert.equal(params.seed, 7);
      assert.equal(params.prompt, 'a red apple on a blue background');
      assert.equal(params.size, size);
      assert.equal(JSON.parse(readFileSync(`${out}.json`, 'utf8'))['flowpaint:parameters'], readPngText(readFileSync(out))['flowpaint:parameters']);
    }
  });

  test('the same seed gives the same bytes; another seed does not; --n numbers the files', async () => {
    const a = join(dir, 'seed-a.png');
    const b = join(dir, 'seed-b.png');
    const c = join(dir, 'seed-c.png');
    await flowpaint(['generate', 'two cats', '--model', model, '--size', '64x64', '--steps', '3', '--seed', '11', '-o', a]);
    await flowpaint(['generate', 'two cats', '--model', model, '--size', '64x64', '--steps', '3', '--seed', '11', '-o', b]);
    await flowpaint(['generate', 'two cats', '--model', model, '--size', '64x64', '--steps', '3', '--seed', '12', '-o', c]);
    assert.deepEqual((await pixels(a)).data, (await pixels(b)).data);
    assert.notDeepEqual((await pixels(a)).data, (await pixels(c)).data);
    const r = await flowpaint(['generate', 'a dog', '--model', model, '--size', '64x64', '--steps', '2', '--n', '2', '-o', join(dir, 'many.jpg')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [join(dir, 'many-1.jpg'), join(dir, 'many-2.jpg')]);
    assert.equal((await sharp(join(dir, 'many-1.jpg')).metadata()).format, 'jpeg');
  });

  test('--prompt-file reads long prompts from a file or standard input', async () => {
    const long = 'a yellow star above a green tree. '.repeat(400);
    const file = join(dir, 'prompt.txt');
    writeFileSync(file, long);
    const r1 = await flowpaint(['generate', '--prompt-file', file, '--model', model, '--size', '64x64', '--steps', '1', '-o', join(dir, 'long.png')]);
    assert.equal(r1.code, 0, r1.stderr);
    const r2 = await flowpaint(['generate', '--prompt-file', '-', '--model', model, '--size', '64x64', '--steps', '1', '-o', join(dir, 'stdin.png')], 'a blue heart');
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(JSON.parse(readPngText(readFileSync(join(dir, 'stdin.png')))['flowpaint:parameters']!).prompt, 'a blue heart');
  });

  test('bad input: exit code 2, a message that names the problem, and no file written', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['generate', 'x', '--size', '1040x1024'], /1040x1024 is 1,064,960 pixels; the limit is 1,048,576/],
      [['generate', 'x', '--size', '100x100'], /width must be a multiple of 16, got 100/],
      [['generate', 'x', '--size', 'big'], /--size 'big' is not WIDTHxHEIGHT/],
      [['generate', '   '], /prompt is empty/],
      [['generate', 'x', '--steps', '0'], /--steps must be between 1 and 200, got 0/],
      [['generate', 'x', '--model', join(dir, 'no-such-model')], /model directory .*no-such-model does not exist/],
      [['generate', 'x', '--format', 'gif'], /--format must be png, jpeg or webp/],
      [['generate', '--prompt-file', join(dir, 'missing.txt')], /--prompt-file .*missing.txt: cannot read \(ENOENT\)/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, 'never.png');
      const r = await flowpaint([...args, '--model', ...(args.includes('--model') ? [] : [model]), '-o', out].filter((a, i, all) => !(a === '--model' && all[i + 1] === '-o')));
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.ok(!existsSync(out), `${args.join(' ')} wrote a file`);
    }
    const unwritable = await flowpaint(['generate', 'x', '--model', model, '--size', '64x64', '-o', join(dir, 'no', 'such', 'dir.png')]);
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /cannot write .*: folder .* does not exist/);
    // A model directory with a corrupt weights file.
    const broken = join(dir, 'broken-model');
    await run('cp', ['-r', model, broken]);
    writeFileSync(join(broken, 'weights.safetensors'), 'not safetensors');
    const corrupt = await flowpaint(['generate', 'x', '--model', broken, '--size', '64x64', '-o', join(dir, 'never2.png')]);
    assert.equal(corrupt.code, 2);
    assert.match(corrupt.stderr, /weights.safetensors/);
    assert.ok(!existsSync(join(dir, 'never2.png')));
  });
});

describe('flowpaint edit', () => {
  test('inpainting: outside the mask and its seam the bytes stay identical over 10 chained rounds', async () => {
    let current = join(dir, 'round-0.png');
    await flowpaint(['generate', 'a cat on a green background', '--model', model, '--size', '64x64', '--steps', '2', '--seed', '1', '-o', current]);
    const original = await pixels(current);
    const mask = Buffer.alloc(64 * 64 * 3);
    for (let y = 20; y < 40; y++) for (let x = 10; x < 30; x++) mask.fill(255, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
    const maskPath = join(dir, 'mask.png');
    await sharp(mask, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(maskPath);
    const seam = 3;
    for (let round = 1; round <= 10; round++) {
      const next = join(dir, `round-${round}.png`);
      const r = await flowpaint(['edit', current, 'a blue apple', '--mask', maskPath, '--model', model, '--steps', '2', '--seed', String(round), '-o', next]);
      assert.equal(r.code, 0, r.stderr);
      current = next;
    }
    const last = await pixels(current);
    let changedInside = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const inside = y >= 20 - seam && y < 40 + seam && x >= 10 - seam && x < 30 + seam;
        for (let c = 0; c < 3; c++) {
          const i = (y * 64 + x) * 3 + c;
          if (!inside) assert.equal(last.data[i], original.data[i], `pixel ${x},${y} changed outside the mask`);
          else if (last.data[i] !== original.data[i]) changedInside++;
        }
      }
    }
    assert.ok(changedInside > 0, 'the masked region was repainted');
    // The history of all ten rounds travels with the image.
    const history = JSON.parse(readPngText(readFileSync(current))['flowpaint:history']!);
    assert.equal(history.length, 11);
    assert.equal(history[10].seed, 10);
  });

  test('instruction edit without a mask, and its errors', async () => {
    const src = join(dir, 'edit-src.png');
    await flowpaint(['generate', 'a dog', '--model', model, '--size', '64x64', '--steps', '2', '--seed', '3', '-o', src]);
    const out = join(dir, 'edit-out.png');
    const r = await flowpaint(['edit', src, 'make the dog red', '--model', model, '--steps', '2', '--seed', '4', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await pixels(out)).width, 64);

    const wrongMask = join(dir, 'wrong-mask.png');
    await sharp({ create: { width: 32, height: 32, channels: 3, background: '#ffffff' } }).png().toFile(wrongMask);
    const notImage = join(dir, 'not-image.png');
    writeFileSync(notImage, 'hello');
    const truncated = join(dir, 'truncated.png');
    writeFileSync(truncated, readFileSync(src).subarray(0, 200));
    const cases: Array<[string[], RegExp]> = [
      [['edit', src, 'x', '--mask', wrongMask], /mask .* is 32×32 but the image is 64×64/],
      [['edit', notImage, 'x'], /not-image.png is not an image/],
      [['edit', truncated, 'x'], /truncated.png is (truncated|not an image)/],
      [['edit', join(dir, 'nope.png'), 'x'], /nope.png does not exist/],
    ];
    for (const [args, message] of cases) {
      const outPath = join(dir, 'never-edit.png');
      const res = await flowpaint([...args, '--model', model, '-o', outPath]);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
      assert.ok(!existsSync(outPath));
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
  });
});

describe('flowpaint train and export', () => {
  test('a JSON config extending a preset trains, writes checkpoint, metrics, loss curve and samples; export makes a model', async () => {
    const run = join(dir, 'run');
    const cfg = join(dir, 'train.json');
    writeFileSync(cfg, JSON.stringify({ extends: 'tiny', steps: 4, checkpointEvery: 2, sampleEvery: 4, logEvery: 1 }));
    const r = await flowpaint(['train', '--config', cfg, '--run-dir', run, '--no-progress']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), join(run, 'checkpoint.safetensors'));
    for (const f of ['checkpoint.safetensors', 'metrics.jsonl', 'loss.png', 'tokenizer.json', join('samples', 'step-000004.png')]) {
      assert.ok(existsSync(join(run, f)), f);
    }
    assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 4);
    const again = await flowpaint(['train', '--config', cfg, '--run-dir', run]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a checkpoint: pass --resume/);
    const threads = await flowpaint(['train', '--resume', '--run-dir', run, '--threads', 'two']);
    assert.equal(threads.code, 2);
    assert.match(threads.stderr, /--threads/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ extends: 'tiny', batchSize: -1 }));
    const invalid = await flowpaint(['train', '--config', bad, '--run-dir', join(dir, 'run2')]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /bad.json: batchSize: /);
    const out = join(dir, 'exported');
    const e = await flowpaint(['export', run, '-o', out, '--id', 'mine', '--model-version', '1.2.3']);
    assert.equal(e.code, 0, e.stderr);
    const g = await flowpaint(['generate', 'a cat', '--model', out, '--size', '64x64', '--steps', '1', '-o', join(dir, 'from-export.png')]);
    assert.equal(g.code, 0, g.stderr);
    const params = JSON.parse(readPngText(readFileSync(join(dir, 'from-export.png')))['flowpaint:parameters']!);
    assert.deepEqual([params.model, params.model_version], ['mine', '1.2.3']);
  });
});

describe('safety on the command line', () => {
  test('refused prompts and instructions exit 3 with the category on stderr, echo nothing and write nothing', async () => {
    const src = join(dir, 'safe-src.png');
    await flowpaint(['generate', 'a green pear', '--model', model, '--size', '64x64', '--steps', '1', '--seed', '2', '-o', src]);
    const cases: Array<[string[], RegExp, string]> = [
      [['generate', 'a n4ked w.o.m.a.n on a bed', '--size', '64x64'], /category: sexual/, 'n4ked'],
      [['edit', src, 'cover everyone in blood and gore'], /category: violence/, 'gore'],
    ];
    for (const [args, category, secret] of cases) {
      const out = join(dir, 'refused.png');
      const r = await flowpaint([...args, '--model', model, '--steps', '1', '-o', out], undefined, true);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, category);
      assert.ok(!r.stderr.includes(secret), 'the refusal does not echo the unsafe text');
      assert.ok(!existsSync(out));
    }
  });

  test('outputs carry AI-generated provenance (XMP digital source type and PNG text)', async () => {
    const out = join(dir, 'provenance.png');
    await flowpaint(['generate', 'a blue heart', '--model', model, '--size', '64x64', '--steps', '1', '-o', out], undefined, true);
    const xmp = (await sharp(out).metadata()).xmp?.toString('utf8') ?? '';
    assert.match(xmp, /trainedAlgorithmicMedia/);
    assert.match(JSON.stringify(readPngText(readFileSync(out))), /tiny/);
  });
});
