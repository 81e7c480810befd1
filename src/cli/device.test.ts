// --device cuda on a machine without ONNX Runtime's CUDA provider: generate with the own model and
// with a diffusers folder, and serve's pipeline options, all stop before loading anything with exit
// code 2 and the message naming the missing library (engine/device.ts). Skipped where the provider
// is installed (that machine would run it).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ortBinDir } from '../engine/index.ts';
import { loadServerConfig } from '../server/config.ts';
import { pipelineOverride } from './commands/serve.ts';

const bin = new URL('../../bin/flowpaint.js', import.meta.url).pathname;
const klein = new URL('../model/flux2/testdata/klein-tiny', import.meta.url).pathname;
const run = promisify(execFile);
const installed = existsSync(join(ortBinDir(), 'libonnxruntime_providers_cuda.so'));

async function flowpaint(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

test('generate --device cuda (own model, diffusers folder) and FLOWPAINT_DEVICE=cuda: exit 2 naming the missing provider library', { skip: installed && 'the CUDA provider is installed here' }, async () => {
  const runs = [
    await flowpaint(['generate', 'a red apple', '--device', 'cuda', '-o', '/tmp/never.png']),
    await flowpaint(['generate', 'a red apple', '--model', klein, '--device', 'cuda', '-o', '/tmp/never.png']),
    await flowpaint(['generate', 'a red apple', '--model', klein, '-o', '/tmp/never.png'], { FLOWPAINT_DEVICE: 'cuda' }),
  ];
  for (const r of runs) {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /CUDA execution provider is not installed \(.*libonnxruntime_providers_cuda\.so.* missing from /);
    assert.match(r.stderr, /ONNXRUNTIME_NODE_INSTALL=cuda12/);
  }
  const bad = await flowpaint(['generate', 'a red apple', '--device', 'gpu']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--device must be one of cpu, cuda, got 'gpu'/);
});

test('serve --device reaches the workers as pipeline.options.device, beside a config file\'s own options', () => {
  const file = { modelDir: 'models/a', options: { quantize: 'int8' } };
  const cfg = loadServerConfig({ env: {}, overrides: pipelineOverride({ device: 'cuda' }, file) });
  assert.deepEqual(cfg.pipeline.options, { quantize: 'int8', device: 'cuda' });
  assert.deepEqual(pipelineOverride({}, file), {});
});
