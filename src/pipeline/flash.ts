// The fast path of a pipeline: requests with `fast` go to Flash, the model's distilled few-step
// student (src/model/flash.ts), when its directory has one. The student is a pipeline of its own
// on the student's weights, made on the first fast request (a server that never gets one never
// compiles it), and sampled with guidance 1 — the teacher's guidance is baked into its weights — so
// each step is one forward pass. A student distilled over a range of scales instead takes the
// request's text guidance as its input (the pipeline gives it to the model rather than guiding),
// still one pass per step; a scale outside the range is refused. Edits and inpainting go through
// the same pipeline code, so the input's bytes outside the edit are kept exactly as on the normal path.
import type { RuntimeOptions } from '../engine/index.ts';
import { InputError } from '../errors.ts';
import { type FlashEntry, inGuidanceRange, loadFlash } from '../model/flash.ts';
import { ModelRunner, type RunnerOptions } from '../model/runner.ts';
import type { LoadedModel } from '../model/store.ts';
import type { CommonRequest, EditRequest, GeneratedImage, GenerateRequest } from './requests.ts';

/** What Flash needs of the student's pipeline: pipeline.ts's Pipeline, which makes it (named here so neither module imports the other). */
export interface StudentPipeline {
  generate(req: GenerateRequest): Promise<GeneratedImage[]>;
  edit(req: EditRequest): Promise<GeneratedImage[]>;
  release(): Promise<void>;
}

export class FlashPath {
  private pipeline?: Promise<StudentPipeline>;

  private constructor(
    readonly entry: FlashEntry,
    private readonly student: LoadedModel,
    private readonly runtime: RuntimeOptions,
    private readonly make: (runner: ModelRunner) => StudentPipeline,
    private readonly runnerOptions: RunnerOptions,
  ) {}

  /**
   * Flash for a loaded model, or undefined when its directory has none. A stale Flash (distilled
   * from other base weights) is not used: `warn` gets the reason and fast requests take the
   * base model's few plain steps, as without Flash. `runnerOptions` go to the student's runner
   * (pass the base model's runner as textFrom: the student's text encoder is the base's own).
   */
  static open(base: LoadedModel, runtime: RuntimeOptions, make: (runner: ModelRunner) => StudentPipeline, warn: (line: string) => void = () => {}, runnerOptions: RunnerOptions = {}): FlashPath | undefined {
    const status = loadFlash(base);
    if (status.kind === 'absent') return undefined;
    if (status.kind === 'stale') {
      warn(`flowpaint: Flash not used: ${status.reason}`);
      return undefined;
    }
    return new FlashPath(status.entry, status.model, runtime, make, runnerOptions);
  }

  private get(): Promise<StudentPipeline> {
    // The request's --quantize, else the one the Flash was exported with.
    const quantize = this.runtime.quantize ?? this.entry.quantize;
    this.pipeline ??= ModelRunner.create(this.student, { ...this.runtime, ...(quantize ? { quantize } : {}) }, this.runnerOptions).then(this.make);
    return this.pipeline;
  }

  async generate(req: GenerateRequest): Promise<GeneratedImage[]> {
    const text = this.textGuidance(req);
    const pipe = await this.get();
    return this.mark(await pipe.generate({ ...req, guidance: text.student, fast: true, steps: req.steps ?? this.entry.steps }), { guidance: text.scale });
  }

  async edit(req: EditRequest): Promise<GeneratedImage[]> {
    const text = this.textGuidance(req);
    const pipe = await this.get();
    return this.mark(await pipe.edit({ ...req, guidance: text.student, imageGuidance: 1, fast: true, steps: req.steps ?? this.entry.steps }), {
      guidance: text.scale,
      image_guidance: this.entry.imageGuidance,
    });
  }

  /**
   * The text guidance a fast request draws at (`scale`) and the value the student's pipeline is
   * given (`student`). Baked in: the entry's scale, sampled at 1. Taken as an input: the request's
   * scale (default the entry's), which must lie in the distilled range — outside it the student
   * was never taught, and its answer would be a guess.
   */
  private textGuidance(req: CommonRequest): { scale: number; student: number } {
    const range = this.entry.guidanceRange;
    if (!range) return { scale: this.entry.guidance, student: 1 };
    const scale = req.guidance ?? this.entry.guidance;
    if (!inGuidanceRange(scale, range)) {
      throw new InputError(`guidance ${scale} is outside the range this model's Flash was distilled for, [${range[0]}, ${range[1]}]: choose a scale in it, or drop fast mode for the full sampler`);
    }
    return { scale, student: scale };
  }

  /** Each image's parameters say it is Flash's, with the guidance it drew at (replay passes fast). */
  private mark(images: GeneratedImage[], scales: Record<string, number>): GeneratedImage[] {
    const range = this.entry.guidanceRange;
    for (const img of images) {
      const params = JSON.parse(img.metadata['flowpaint:parameters'] ?? '{}') as Record<string, unknown>;
      const flash = { steps: this.entry.steps, teacher_steps: this.entry.teacherSteps, teacher: `${this.entry.teacher.id} ${this.entry.teacher.version}`, ...(range ? { guidance_range: range } : {}) };
      Object.assign(params, scales, { fast: true, flash });
      img.metadata['flowpaint:parameters'] = JSON.stringify(params);
    }
    return images;
  }

  async release(): Promise<void> {
    const p = this.pipeline;
    this.pipeline = undefined;
    if (p) await (await p).release();
  }
}
