// Streamed previews (issue #14): a preview that the output filter refuses is dropped, the request
// goes on, and only the final image decides whether the request is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RgbImage } from '../image/index.ts';
import { SafetyRefusal } from '../safety/refusal.ts';
import type { JobEvent, JobSpec } from './jobs.ts';
import type { GenerateRequest, Pipeline, PipelineOutput } from './pipeline-factory.ts';
import { runJob } from './run-job.ts';

function image(value: number): RgbImage {
  return { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(value) };
}

function refusal(): SafetyRefusal {
  return new SafetyRefusal({ allowed: false, stage: 'output-image', category: 'sexual', score: 0.7, threshold: 0.6, reason: 'nsfwjs:explicit', scores: { sexual: 0.7 }, moderation: 'auto' });
}

/** Steps paint the value of the step; the output filter refuses the values in `refused`. */
function stubPipeline(steps: number, refused: Set<number>): Pipeline & { screened: number[] } {
  const screened: number[] = [];
  return {
    screened,
    info: { id: 'stub', version: '0', sizes: { native: { width: 64, height: 64 } } },
    async generate(req: GenerateRequest): Promise<PipelineOutput[]> {
      for (let s = 1; s <= steps; s++) await req.onStep?.({ step: s, steps, index: 0, preview: () => image(s) });
      // The real pipeline screens its final images itself and throws on refusal.
      if (refused.has(steps)) throw refusal();
      return [{ image: image(steps), seed: 1, metadata: {} }];
    },
    async edit(): Promise<PipelineOutput[]> {
      throw new Error('not used');
    },
    async screenImage(img: RgbImage): Promise<void> {
      screened.push(img.data[0]!);
      if (refused.has(img.data[0]!)) throw refusal();
    },
  };
}

const spec = (partialImages: number): JobSpec => ({ kind: 'generate', prompt: 'a blue bird', n: 1, width: 64, height: 64, steps: 4, fast: false, outputFormat: 'png', partialImages, moderation: 'auto' });

describe('streamed previews and the output filter', () => {
  it('a refused preview is dropped and the request completes with the final image', async () => {
    const pipe = stubPipeline(4, new Set([1]));
    const events: JobEvent[] = [];
    const result = await runJob(pipe, spec(3), { onEvent: (e) => void events.push(e) });
    assert.deepEqual(pipe.screened, [1, 2, 3], 'every preview is screened before it could leave');
    assert.equal(events.length, 2, 'the refused preview is not sent');
    assert.deepEqual(events.map((e) => e.index), [0, 1], 'indices of sent previews stay consecutive');
    assert.equal(result.images.length, 1);
  });

  it('every preview refused: no preview is sent and the final image still decides', async () => {
    const pipe = stubPipeline(4, new Set([1, 2, 3]));
    const events: JobEvent[] = [];
    const result = await runJob(pipe, spec(3), { onEvent: (e) => void events.push(e) });
    assert.equal(events.length, 0);
    assert.equal(result.images.length, 1);
  });

  it('a refused final image refuses the request, whatever the previews were', async () => {
    const pipe = stubPipeline(4, new Set([4]));
    const events: JobEvent[] = [];
    await assert.rejects(runJob(pipe, spec(3), { onEvent: (e) => void events.push(e) }), (err: unknown) => err instanceof SafetyRefusal && err.stage === 'output-image');
  });

  it('errors other than refusals while screening a preview still fail the request', async () => {
    const pipe = stubPipeline(4, new Set());
    pipe.screenImage = async () => {
      throw new Error('detector crashed');
    };
    await assert.rejects(runJob(pipe, spec(2), { onEvent: () => {} }), /detector crashed/);
  });
});
