// Compiled components of a diffusers folder, cached as ONNX files with external data. A 4B-parameter
// graph cannot be one protobuf (2 GB limit) nor one JS buffer, so initializers are streamed to
// `model.onnx.data` as the serialiser reads each weight from its checkpoint (one tensor in memory at
// a time), and ONNX Runtime maps them from there. The folder beside a key file is reused on the next
// start when nothing that went into it changed (weight files' sizes and times, component, shape,
// quantization, format version), so only the first start pays for reading and converting weights.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type GraphSpec, serializeGraph } from '../../engine/index.ts';

/** Bump when the graphs change in a way old cached files would not reflect. */
const FORMAT = 'flux2-cache-1';
const MODEL = 'model.onnx';
const KEY = 'key.json';

/** $FLOWPAINT_CACHE, else ~/.cache/flowpaint. */
export function cacheRoot(): string {
  return process.env.FLOWPAINT_CACHE || join(homedir(), '.cache', 'flowpaint');
}

/** What a compiled component depends on; equal keys mean the cached file can be used as is. */
export function cacheKey(parts: { component: string; files: string[]; extra: Record<string, unknown> }): Record<string, unknown> {
  return {
    format: FORMAT,
    component: parts.component,
    files: parts.files.map((f) => {
      const s = statSync(f);
      return { path: resolve(f), size: s.size, mtimeMs: s.mtimeMs };
    }),
    ...parts.extra,
  };
}

/**
 * The path of a compiled ONNX file for `key`, writing it first (graph from `spec()`, initializers
 * streamed to external data) when the cache has none that matches.
 */
export function cachedOnnx(key: Record<string, unknown>, spec: () => GraphSpec, root = cacheRoot()): string {
  const text = JSON.stringify(key);
  const dir = join(root, 'flux2', createHash('sha256').update(text).digest('hex').slice(0, 24));
  const model = join(dir, MODEL);
  if (existsSync(join(dir, KEY)) && readFileSync(join(dir, KEY), 'utf8') === text && existsSync(model)) return model;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dataName = `${MODEL}.data`;
  const tmpData = join(dir, `${dataName}.partial`);
  const fd = openSync(tmpData, 'w');
  let size = 0;
  try {
    const graph = serializeGraph(spec(), {
      external: {
        location: dataName,
        threshold: 1024,
        append(bytes) {
          const at = size;
          let done = 0;
          while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
          size += bytes.length;
          return at;
        },
      },
    });
    closeSync(fd);
    renameSync(tmpData, join(dir, dataName));
    writeFileSync(model, graph.bytes);
    // The key last: a cache folder without it (a crash halfway) is rebuilt, never used.
    writeFileSync(join(dir, KEY), text);
    return model;
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
