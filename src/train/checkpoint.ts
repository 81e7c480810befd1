// Checkpoints: one safetensors file holding weights, optimizer moments and EMA weights, with the
// run's position (step, data stream positions, config) in its metadata. Written atomically
// (temp file, fsync, rename), so killing the trainer at any moment never leaves a corrupt one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HostTensor, readSafetensors, type TrainState, writeSafetensors } from '../engine/index.ts';
import { TrainConfig } from './config.ts';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

export interface Checkpoint {
  config: TrainConfig;
  state: TrainState;
  ema: Map<string, HostTensor>;
  /** Positions of the data streams, so a resumed run sees exactly the samples it would have. */
  data: { t2i: number; edit: number; focus?: number };
  /** Accumulated training wall time, for the record of CPU hours. */
  trainSeconds: number;
}

export function saveCheckpoint(dir: string, ck: Checkpoint): string {
  const tensors = new Map<string, HostTensor>();
  for (const [k, t] of ck.state.params) tensors.set(`param/${k}`, t);
  for (const [k, t] of ck.state.m) tensors.set(`m/${k}`, t);
  for (const [k, t] of ck.state.v) tensors.set(`v/${k}`, t);
  for (const [k, t] of ck.ema) tensors.set(`ema/${k}`, t);
  const meta = { step: ck.state.step, data: ck.data, trainSeconds: ck.trainSeconds, config: ck.config };
  const path = join(dir, CHECKPOINT_FILE);
  writeSafetensors(path, tensors, { flowpaint_checkpoint: JSON.stringify(meta) });
  return path;
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, CHECKPOINT_FILE));
}

export function loadCheckpoint(dir: string): Checkpoint {
  const path = join(dir, CHECKPOINT_FILE);
  const { tensors, metadata } = readSafetensors(path);
  const rawMeta = metadata.flowpaint_checkpoint;
  if (!rawMeta) throw new Error(`${path}: not a flowpaint checkpoint (no flowpaint_checkpoint metadata)`);
  const meta = JSON.parse(rawMeta) as { step: number; data: Checkpoint['data']; trainSeconds: number; config: unknown };
  const config = TrainConfig.parse(meta.config);
  const groups = { param: new Map<string, HostTensor>(), m: new Map<string, HostTensor>(), v: new Map<string, HostTensor>(), ema: new Map<string, HostTensor>() };
  for (const [k, t] of tensors) {
    const slash = k.indexOf('/');
    const group = groups[k.slice(0, slash) as keyof typeof groups];
    if (!group) throw new Error(`${path}: unexpected tensor '${k}'`);
    group.set(k.slice(slash + 1), t);
  }
  return {
    config,
    state: { step: meta.step, params: groups.param, m: groups.m, v: groups.v },
    ema: groups.ema,
    data: meta.data,
    trainSeconds: meta.trainSeconds,
  };
}
