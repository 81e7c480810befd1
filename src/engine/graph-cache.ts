// Serialised ONNX graphs kept on disk between runs. A graph that is a pure function of its inputs
// (a model's config and weights, the code that builds it) costs a process start more to build and
// serialise than to read back, so each start after the first reads it.
//
// One file per slot (a slot is "this model directory's denoiser", say), so a changed key replaces
// the file instead of adding one. The file is a header — magic, SHA-256 of the key, SHA-256 of the
// payload — and then the serialised graph. A file whose key hash differs is stale; one whose bytes
// do not hash to the header (truncated, overwritten, corrupted) is broken; either is rebuilt and
// replaced. Writes go to a temporary file renamed into place, so a reader never sees half of one.
// The cache is an optimisation only: when it cannot be written (read-only home), the graph is
// built as before and the run goes on. Every model directory has slots of its own, so a user who
// evaluates many checkpoints would fill the disk: after each write the folder is held to
// $FLOWPAINT_GRAPH_CACHE_MB (default 2,048) by removing the entries used longest ago (a hit
// touches its file).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const MAGIC = Buffer.from('FPGRAPH1', 'latin1');
const HEADER = MAGIC.length + 32 + 32;

/** $FLOWPAINT_CACHE, else ~/.cache/flowpaint. */
export function cacheRoot(): string {
  return process.env.FLOWPAINT_CACHE || join(homedir(), '.cache', 'flowpaint');
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest();

/** SHA-256 (hex) of a file's bytes. */
export function fileDigest(path: string): string {
  return bytesDigest(readFileSync(path));
}

/** SHA-256 (hex) of bytes already read: fileDigest of the file they came from. */
export function bytesDigest(bytes: Uint8Array): string {
  return sha256(bytes).toString('hex');
}

const sourceDigests = new Map<string, string>();

/**
 * SHA-256 (hex) over the TypeScript sources (tests excluded) under `dirs`, names and contents: the
 * code that builds a graph. Part of a cache key, so editing any of it invalidates what it built.
 */
export function sourceDigest(dirs: string[]): string {
  const id = dirs.join('\n');
  let digest = sourceDigests.get(id);
  if (!digest) {
    const h = createHash('sha256');
    for (const dir of dirs) {
      const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
      for (const f of files) h.update(`${f}\0`).update(readFileSync(join(dir, f))).update('\0');
    }
    digest = h.digest('hex');
    sourceDigests.set(id, digest);
  }
  return digest;
}

export type GraphCacheOutcome = 'hit' | 'built' | 'stale' | 'broken';

export interface CachedGraph {
  bytes: Uint8Array;
  /** hit: read from the cache; built: no file yet; stale: the file was for another key; broken: it failed its checksum. */
  outcome: GraphCacheOutcome;
}

export interface GraphCacheOptions {
  /** File name in the cache folder: one entry per slot. */
  slot: string;
  /** Everything the graph depends on (JSON); any change rebuilds it. */
  key: unknown;
  /** Default: cacheRoot(). */
  root?: string;
}

/** The graph for `key` from the cache, or from `build()` (then written to the cache). */
export function cachedGraph(opts: GraphCacheOptions, build: () => Uint8Array): CachedGraph {
  const found = readCachedGraph(opts);
  if (found.bytes) return { bytes: found.bytes, outcome: 'hit' };
  const bytes = build();
  writeCachedGraph(opts, bytes);
  return { bytes, outcome: found.outcome };
}

/** The cache file of a slot; a slot is a plain file name (letters, digits, '.', '_', '-'). */
function slotPath(opts: GraphCacheOptions): string {
  if (!/^[A-Za-z0-9._-]+$/.test(opts.slot)) throw new Error(`graph cache: bad slot name '${opts.slot}'`);
  return join(opts.root ?? cacheRoot(), 'graphs', `${opts.slot}.onnx`);
}

/**
 * The entry for `key`, if the slot holds it intact: `bytes` on a hit; otherwise no bytes and why
 * (built: no file; stale: another key's; broken: it failed its checksum or is not a cache file).
 */
export function readCachedGraph(opts: GraphCacheOptions): { bytes?: Uint8Array; outcome: GraphCacheOutcome } {
  const path = slotPath(opts);
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    // No entry yet (or unreadable): the caller builds it.
    return { outcome: 'built' };
  }
  const payload = file.subarray(HEADER);
  if (file.length < HEADER || !file.subarray(0, MAGIC.length).equals(MAGIC)) return { outcome: 'broken' };
  if (!file.subarray(MAGIC.length, MAGIC.length + 32).equals(sha256(JSON.stringify(opts.key)))) return { outcome: 'stale' };
  if (!file.subarray(MAGIC.length + 32, HEADER).equals(sha256(payload))) return { outcome: 'broken' };
  touch(path);
  return { bytes: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), outcome: 'hit' };
}

/**
 * A temporary file in the cache folder (created if need be) for a slot, for a writer that is not
 * this module (ONNX Runtime saving a graph); undefined when the folder cannot be made.
 */
export function cacheScratchPath(opts: GraphCacheOptions): string | undefined {
  const path = slotPath(opts);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch {
    return undefined;
  }
  return `${path}.${process.pid}.scratch`;
}

/** Writes `bytes` as the slot's entry for `key`; false when the cache cannot be written (it is left as it was). */
export function writeCachedGraph(opts: GraphCacheOptions, bytes: Uint8Array): boolean {
  const path = slotPath(opts);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, Buffer.concat([MAGIC, sha256(JSON.stringify(opts.key)), sha256(bytes), bytes]));
    renameSync(tmp, path);
    pruneCache(dirname(path), cacheLimitBytes(), path);
    return true;
  } catch {
    // Not writable: the next start builds it again. Removing a half-written temporary file can
    // fail too (a path component that is a file), and that must not fail the run either.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was written there.
    }
    return false;
  }
}

/** The cache folder's size limit: $FLOWPAINT_GRAPH_CACHE_MB megabytes, default 2,048. */
export function cacheLimitBytes(): number {
  const mb = Number(process.env.FLOWPAINT_GRAPH_CACHE_MB ?? 2048);
  return (Number.isFinite(mb) && mb > 0 ? mb : 2048) * 1024 * 1024;
}

/** Marks an entry as just used (its mtime), so pruning keeps it longest. */
function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // A read-only cache still serves its entries; they just age.
  }
}

/**
 * Removes the entries (`*.onnx`) used longest ago until the folder holds at most `limit` bytes,
 * never `keep` (the entry just written). Returns the names removed. Files being written by other
 * processes (`.tmp`, `.scratch`) are not entries and are left alone.
 */
export function pruneCache(dir: string, limit: number, keep?: string): string[] {
  const entries: Array<{ name: string; size: number; used: number }> = [];
  try {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.onnx')) continue;
      try {
        const st = statSync(join(dir, name));
        if (st.isFile()) entries.push({ name, size: st.size, used: st.mtimeMs });
      } catch {
        // Removed by another process meanwhile.
      }
    }
  } catch {
    return [];
  }
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  const removed: string[] = [];
  for (const e of entries.sort((a, b) => a.used - b.used)) {
    if (total <= limit) break;
    if (keep && join(dir, e.name) === keep) continue;
    try {
      rmSync(join(dir, e.name), { force: true });
      total -= e.size;
      removed.push(e.name);
    } catch {
      // Not removable: leave it.
    }
  }
  return removed;
}
