// --init-from: a new run that starts from an exported model's weights, so training accumulates
// across generations of models (its totals are carried in the run's config as `prior`).
import type { HostTensor } from '../engine/index.ts';
import type { LoadedModel } from '../model/store.ts';
import { type Scope, initParams } from '../nn/index.ts';
import { InputError } from '../errors.ts';
import type { PriorTraining } from './config.ts';
import { resamplePatchTensors } from './patch-resample.ts';

/**
 * The starting model's weights for every parameter of the graph. A parameter the model lacks (an
 * architecture that grew a tensor) starts fresh and is named in `fresh`; one whose shape differs
 * is an error naming it. A starting model with another patch size has its pixel-facing tensors
 * resampled to `patchSize` first (patch-resample.ts).
 */
export function startingWeights(scope: Scope, init: LoadedModel, seed: number, patchSize = init.config.patchSize): { weights: Map<string, HostTensor>; fresh: string[] } {
  const weights = new Map<string, HostTensor>();
  const fresh: string[] = [];
  const initWeights = resamplePatchTensors(init.weights, init.config.patchSize, patchSize, init.config.width);
  const freshValues = initParams(scope, seed, (name) => !initWeights.has(name));
  for (const [name, { tensor }] of scope.declarations()) {
    const w = initWeights.get(name);
    const want = tensor.shape.join('×');
    if (!w) {
      fresh.push(name);
      weights.set(name, freshValues.get(name)!);
    } else if (w.shape.join('×') !== want) {
      throw new InputError(`--init-from ${init.dir}: tensor '${name}' is ${w.shape.join('×')}, the training config needs ${want}`);
    } else weights.set(name, w);
  }
  if (fresh.length === scope.declarations().size) {
    throw new InputError(`--init-from ${init.dir}: none of the model's tensors belong to the training config's architecture`);
  }
  return { weights, fresh };
}

/**
 * Tensor names grouped for a notice: every tensor under the same numbered module (a block the
 * architecture grew) becomes one entry, `denoiser.blocks.6.* (32 tensors)`; others stay as named.
 */
export function summariseTensorNames(names: readonly string[]): string {
  const groups = new Map<string, number>();
  for (const name of names) {
    const parts = name.split('.');
    const numbered = parts.findIndex((p, i) => i < parts.length - 1 && /^\d+$/.test(p));
    const key = numbered >= 0 ? `${parts.slice(0, numbered + 1).join('.')}.*` : name;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([key, n]) => (key.endsWith('.*') ? `${key} (${n} tensor${n === 1 ? '' : 's'})` : key)).join(', ');
}

/**
 * The training already in a model's weights: its recorded totals, or (models exported before totals
 * were recorded) the one run it came from.
 */
export function trainingIn(m: LoadedModel): PriorTraining {
  const t = (m.info.training ?? {}) as Record<string, unknown>;
  const total = (t.total ?? t) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { steps: num(total.steps), samples: num(total.samples), cpuHours: num(total.cpu_hours) };
}
