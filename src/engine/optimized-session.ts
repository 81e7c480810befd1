// Sessions for cached graphs, made from ONNX Runtime's own optimised copy of the graph when one is
// in the cache.
//
// Making a session optimises the graph first (fusions, constant folding, layouts): for the
// denoiser about a third of its ~0.5 s of CPU, paid by every process. ONNX Runtime can save the
// graph it optimised and load it back with optimisation off (its documented "offline mode"). The
// session then runs the same fused graph with the same kernels, so its outputs are those of a
// session made from the graph as built, bit for bit (optimized-session.test.ts holds the two to
// that). The first start saves the copy while it makes its session; later starts read the copy and
// skip reading, checking and optimising the graph as built.
//
// Level 'all' includes layouts chosen for this CPU, and the optimiser belongs to one ONNX Runtime
// release, so the copy's key is the built graph's key plus the ONNX Runtime version and the CPU's
// model and feature flags: a cache copied to another machine, or another ONNX Runtime, optimises
// again. Only the CPU provider uses copies; other providers, and profiling runs, optimise as before.
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { type GraphCacheOptions, type GraphCacheOutcome, cacheScratchPath, readCachedGraph, writeCachedGraph } from './graph-cache.ts';
import { ORT_VERSION, type RuntimeOptions, Session } from './runtime.ts';

export interface OptimizedSession {
  session: Session;
  /** The built graph's cache entry: hit, built, stale, broken; 'unused' when the optimised copy was read instead. */
  graph: GraphCacheOutcome | 'unused';
  /** read: from the cached optimised copy; saved: optimised now and saved; unsaved: optimised now, the copy could not be saved; off: no copies for these options. */
  optimized: 'read' | 'saved' | 'unsaved' | 'off';
}

/**
 * A session for the graph cached under `spec` (engine/graph-cache.ts), built by `build` when the
 * cache lacks it, preferring ONNX Runtime's optimised copy of it (see above).
 */
export async function optimizedSession(spec: GraphCacheOptions, build: () => Uint8Array | Promise<Uint8Array>, runtime: RuntimeOptions = {}): Promise<OptimizedSession> {
  const graph = async (): Promise<{ bytes: Uint8Array; outcome: GraphCacheOutcome }> => {
    const found = readCachedGraph(spec);
    if (found.bytes) return { bytes: found.bytes, outcome: 'hit' };
    const bytes = await build();
    writeCachedGraph(spec, bytes);
    return { bytes, outcome: found.outcome };
  };
  if ((runtime.provider ?? 'cpu') !== 'cpu' || runtime.profilePrefix) {
    const g = await graph();
    return { session: await Session.create(g.bytes, runtime), graph: g.outcome, optimized: 'off' };
  }
  const copy: GraphCacheOptions = { slot: `${spec.slot}.optimized`, key: { graph: spec.key, ort: ORT_VERSION, cpu: cpuSignature(), level: 'all' }, root: spec.root };
  const saved = readCachedGraph(copy);
  if (saved.bytes) return { session: await Session.create(saved.bytes, runtime, { optimization: 'disabled' }), graph: 'unused', optimized: 'read' };
  const g = await graph();
  const scratch = cacheScratchPath(copy);
  let session: Session | undefined;
  let stored = false;
  if (scratch) {
    try {
      session = await Session.create(g.bytes, runtime, { saveOptimizedTo: scratch });
      stored = writeCachedGraph(copy, readFileSync(scratch));
    } catch {
      // ONNX Runtime could not write the copy (disk full, say), or the graph itself is bad: without
      // a session, make it below without saving, which reports a bad graph as usual.
    } finally {
      try {
        rmSync(scratch, { force: true });
      } catch {
        // Nothing to remove.
      }
    }
  }
  session ??= await Session.create(g.bytes, runtime);
  return { session, graph: g.outcome, optimized: stored ? 'saved' : 'unsaved' };
}

let signature: string | undefined;

/** What the optimiser may have tuned a graph to: platform, architecture, CPU model and feature flags. */
export function cpuSignature(): string {
  if (signature === undefined) {
    let flags = '';
    try {
      // Linux lists the CPU's features (x86 `flags`, Arm `Features`); elsewhere the model stands alone.
      flags = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    } catch {
      // No /proc here.
    }
    signature = `${process.platform} ${process.arch} ${os.cpus()[0]?.model ?? 'unknown'} ${flags}`;
  }
  return signature;
}
