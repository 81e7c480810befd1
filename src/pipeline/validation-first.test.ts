// Validation before any safety stage (issue #14): a request that is invalid in size, length,
// steps, guidance or mask answers as bad input (InputError: CLI exit 2, HTTP 400
// invalid_request_error), never as a refusal (exit 3), whatever its text says.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_PROMPT_TOKENS } from '../model/config.ts';
import { type Pipeline, loadPipeline } from './pipeline.ts';

// A prompt the prompt filter refuses (checked below), so each case shows which stage answered.
const REFUSED = 'a close-up of a man being decapitated, blood spraying everywhere';
const image = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) };

let pipe: Pipeline;
before(async () => {
  pipe = await loadPipeline({ threads: 1, safetyConfig: { audit: { sink: 'none' } } });
});
after(async () => {
  await pipe?.release();
});

function inputError(err: unknown): boolean {
  // The CLI maps InputError to exit 2 and SafetyRefusal to exit 3 (src/cli/errors.ts).
  return err instanceof Error && err.name === 'InputError';
}

describe('validation comes before the safety filters', () => {
  it('the refusing prompt used here is refused when the request is valid', async () => {
    await assert.rejects(pipe.generate({ prompt: REFUSED, width: 64, height: 64, steps: 1, seed: 1 }), (err: unknown) => err instanceof Error && err.name === 'SafetyRefusal');
  });

  it('a prompt over the token limit is a length error (exit 2), not a refusal', async () => {
    // 40,000 words, as in the issue, ending with text the filter refuses.
    const long = Array.from({ length: 40_000 }, (_, i) => `word${i}`).join(' ') + ' ' + REFUSED;
    await assert.rejects(pipe.generate({ prompt: long, width: 64, height: 64, steps: 1 }), (err: unknown) => inputError(err) && new RegExp(`limit is ${MAX_PROMPT_TOKENS.toLocaleString('en-US')}`).test((err as Error).message));
    await assert.rejects(pipe.edit({ image, instruction: long, steps: 1 }), inputError);
    await assert.rejects(pipe.generate({ prompt: 'a blue bird', negativePrompt: long, width: 64, height: 64, steps: 1 }), inputError);
  });

  it('size, steps, guidance and mask errors answer before the prompt is screened', async () => {
    await assert.rejects(pipe.generate({ prompt: REFUSED, width: 1040, height: 1024, steps: 1 }), inputError);
    await assert.rejects(pipe.generate({ prompt: REFUSED, width: 64, height: 64, steps: 0 }), inputError);
    await assert.rejects(pipe.generate({ prompt: REFUSED, width: 64, height: 64, guidance: 99 }), inputError);
    await assert.rejects(pipe.edit({ image, instruction: REFUSED, imageGuidance: 99, steps: 1 }), inputError);
    await assert.rejects(pipe.edit({ image, instruction: REFUSED, mask: { width: 32, height: 32, data: new Uint8Array(32 * 32).fill(255) }, steps: 1 }), inputError);
    await assert.rejects(pipe.edit({ image, instruction: REFUSED, mask: { width: 64, height: 64, data: new Uint8Array(64 * 64) }, steps: 1 }), inputError);
  });
});
