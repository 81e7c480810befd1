// Summarises an ONNX Runtime profile (the JSON written with RuntimeOptions.profilePrefix):
// kernel time per op type, per run, skipping the warm-up runs. Not a benchmark of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

export function newestProfile(prefix: string): string {
  const dir = dirname(prefix);
  const base = basename(prefix);
  const files = readdirSync(dir).filter((f) => f.startsWith(base) && f.endsWith('.json')).sort();
  if (!files.length) throw new Error(`no ONNX Runtime profile found for ${prefix}`);
  return join(dir, files[files.length - 1]!);
}

/** Milliseconds per run by op type, over the runs after the first `skip`. */
export function kernelTimeByOp(file: string, skip: number): { perOp: Array<[string, number]>; runMs: number[] } {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const runs = events.filter((e) => e.name === 'model_run');
  const runMs = runs.map((e) => e.dur / 1000);
  // Node events carry no run index; they appear in order, so count model_run markers as we go.
  const byOp = new Map<string, number>();
  let run = 0;
  for (const e of events) {
    if (e.name === 'model_run') run++;
    else if (e.cat === 'Node' && e.name.endsWith('_kernel_time') && run >= skip && e.args?.op_name) {
      byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur / 1000);
    }
  }
  const kept = Math.max(1, runs.length - skip);
  return { perOp: [...byOp].map(([k, v]): [string, number] => [k, v / kept]).sort((a, b) => b[1] - a[1]), runMs };
}
