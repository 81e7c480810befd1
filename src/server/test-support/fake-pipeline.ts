// A pipeline with the real one's interface and none of its cost, for tests of the server's
// mechanics (queueing, cancellation, errors, crashes). Markers in the prompt choose behaviour:
//   [hold]     wait until the file <gateDir>/open exists (the test decides when jobs finish)
//   [spin:MS]  keep the thread busy for MS milliseconds (blocking work, like inference)
//   [refuse]   throw a SafetyRefusal-named error;  [invalid] an InputError;  [crash] kill the thread
// With options.flashGuidanceRange, a fast request's guidance outside it is refused as a ranged Flash refuses it.
// Every finished job is appended to <logFile> as a JSON line, so tests can count executions.
import { appendFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../../errors.ts';
import type { RgbImage } from '../../image/index.ts';
import type { EditRequest, GenerateRequest, Pipeline, PipelineOutput } from '../pipeline-factory.ts';

export interface FakeOptions {
  gateDir?: string;
  logFile?: string;
  /** Milliseconds each step takes (asynchronously). */
  stepMs?: number;
  /** Whether to fail loading (tests of start-up errors). */
  failLoad?: boolean;
  /** As the real pipeline's: the model's id is the folder's name ("fake" without one); a folder named fail-* fails to load. */
  modelDir?: string;
  /** The model's native size (default 64×64). */
  native?: { width: number; height: number };
  /** Acts as a Flash distilled over this guidance range: a fast request's guidance outside it is an InputError, as flash.ts words it. */
  flashGuidanceRange?: [number, number];
}

const HOLD_LIMIT_MS = 60_000;

export function createPipeline(options: FakeOptions): Pipeline {
  if (options.failLoad) throw new Error('fake pipeline: load failed on purpose');
  const id = options.modelDir ? basename(options.modelDir) : 'fake';
  if (id.startsWith('fail-')) throw new Error(`fake pipeline: ${id} fails to load on purpose`);
  const native = options.native ?? { width: 64, height: 64 };
  const run = async (kind: 'generate' | 'edit', text: string, width: number, height: number, req: GenerateRequest | EditRequest, base?: RgbImage): Promise<PipelineOutput[]> => {
    if (text.includes('[invalid]')) throw new InputError('prompt contains [invalid]');
    if (text.includes('[refuse]')) {
      throw Object.assign(new Error('The prompt was refused by the content policy: test (category: test).'), { name: 'SafetyRefusal', category: 'test', stage: 'prompt' });
    }
    if (text.includes('[crash]')) process.exit(3);
    const range = options.flashGuidanceRange;
    if (range && req.fast && req.guidance !== undefined && !(req.guidance >= range[0] && req.guidance <= range[1])) {
      throw new InputError(`guidance ${req.guidance} is outside the range this model's Flash was distilled for, [${range[0]}, ${range[1]}]: choose a scale in it, or drop fast mode for the full sampler`);
    }
    const spin = /\[spin:(\d+)\]/.exec(text);
    if (spin) {
      const until = Date.now() + Number(spin[1]);
      while (Date.now() < until) { /* blocking on purpose */ }
    }
    if (text.includes('[hold]')) await waitForGate(options.gateDir, req.signal);
    const steps = req.steps ?? 4;
    const seed = req.seed ?? Math.floor(Math.random() * 2 ** 31);
    const n = req.n ?? 1;
    const imageFor = (i: number, step: number) => fill(width, height, (seed + i) % 256, Math.round((255 * step) / steps), base);
    for (let s = 1; s <= steps; s++) {
      if (req.signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      if (options.stepMs) await new Promise((r) => setTimeout(r, options.stepMs));
      req.onStep?.({ step: s, steps, index: 0, preview: () => imageFor(0, s) });
    }
    const outputs = Array.from({ length: n }, (_, i) => ({ image: imageFor(i, steps), seed: seed + i, metadata: { prompt: text, kind } }));
    if (options.logFile) appendFileSync(options.logFile, `${JSON.stringify({ kind, prompt: text, n, width, height, steps, fast: req.fast ?? false, model: id, seed, ...(req.guidance !== undefined ? { guidance: req.guidance } : {}) })}\n`);
    return outputs;
  };
  return {
    info: { id, version: '1', sizes: { native, buckets: [native, { width: native.width + 32, height: Math.max(16, native.height - 16) }] }, guidance: { default: 4, fastRange: options.flashGuidanceRange ?? null } },
    generate: (req) => run('generate', req.prompt, req.width, req.height, req),
    edit: (req) => run('edit', req.instruction, req.image.width, req.image.height, req, req.image),
  };
}

function fill(width: number, height: number, r: number, g: number, base?: RgbImage): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = r;
    data[i * 3 + 1] = g;
    data[i * 3 + 2] = base ? 255 - base.data[i * 3 + 2]! : 128;
  }
  return { width, height, data };
}

async function waitForGate(dir: string | undefined, signal?: AbortSignal): Promise<void> {
  if (!dir) throw new Error('fake pipeline: [hold] needs options.gateDir');
  const deadline = Date.now() + HOLD_LIMIT_MS;
  while (!existsSync(join(dir, 'open'))) {
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    if (Date.now() > deadline) throw new Error('fake pipeline: the gate never opened');
    await new Promise((r) => setTimeout(r, 10));
  }
}
