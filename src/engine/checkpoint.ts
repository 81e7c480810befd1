// Reading large safetensors checkpoints tensor by tensor. A file's header is parsed and validated
// when it is opened; a tensor's bytes are read from its offset through the file descriptor only
// when asked for, in chunks, converted on the way to the dtype the graph needs (bf16/f16/f32).
// No shard is ever held whole in memory: the peak is the tensor being read plus one chunk.
// Sharded checkpoints (`model.safetensors.index.json` with a `weight_map`, as diffusers and
// transformers write them) open as one name space. Every error names the file and the tensor.
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { allocTyped, DTYPE_BYTES, type DType, isFloat, type TypedArray } from './dtype.ts';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './half.ts';
import { HostTensor } from './host.ts';
import { headerLength, parseHeader, SafetensorsError, type SafetensorsEntry } from './safetensors.ts';

/** Bytes read per readSync call when converting (and at most per call when not). */
const CHUNK_BYTES = 1 << 24;

export interface ReadOptions {
  /** Convert to this dtype (float32/float16/bfloat16 among themselves); default: as stored. */
  dtype?: DType;
  /** Fail unless the stored shape is this one (what the graph declares). */
  shape?: readonly number[];
}

export interface TensorInfo extends SafetensorsEntry {
  /** The file that holds the tensor. */
  file: string;
}

/** One .safetensors file, open for reading by offset. Close it when done. */
export class SafetensorsReader {
  private fd: number | undefined;
  private readonly byName: Map<string, SafetensorsEntry>;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly dataStart: number,
    readonly metadata: Record<string, string>,
    entries: SafetensorsEntry[],
  ) {
    this.fd = fd;
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  static open(path: string): SafetensorsReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw new SafetensorsError(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      const size = fstatSync(fd).size;
      const first = readExactly(fd, new Uint8Array(Math.min(8, size)), 0, path);
      const hlen = headerLength(first, size, path);
      const json = readExactly(fd, new Uint8Array(hlen), 8, path);
      const header = parseHeader(json, size, path);
      return new SafetensorsReader(path, fd, header.dataStart, header.metadata, header.entries);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  info(name: string): TensorInfo {
    const e = this.byName.get(name);
    if (!e) throw new SafetensorsError(`${this.path}: no tensor '${name}'${suggest(name, this.byName.keys())}`);
    return { ...e, file: this.path };
  }

  read(name: string, opts: ReadOptions = {}): HostTensor {
    const e = this.info(name);
    if (this.fd === undefined) throw new SafetensorsError(`${this.path}: read of '${name}' after close`);
    checkShape(e, opts.shape);
    const to = opts.dtype ?? e.dtype;
    const n = e.shape.reduce((a, b) => a * b, 1);
    const out = allocTyped(to, n);
    const at = this.dataStart + e.begin;
    if (to === e.dtype) {
      readExactly(this.fd, new Uint8Array(out.buffer, out.byteOffset, out.byteLength), at, this.path, name);
    } else {
      if (!isFloat(to) || !isFloat(e.dtype)) {
        throw new SafetensorsError(`${this.path}: tensor '${name}' is ${e.dtype}; cannot convert it to ${to} (only between float32, float16 and bfloat16)`);
      }
      convertFrom(this.fd, at, e.dtype, out, to, this.path, name);
    }
    return new HostTensor(to, e.shape, out);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A checkpoint: one safetensors file, or shards listed by an index. Tensors are read on demand. */
export class Checkpoint {
  private constructor(
    /** What was opened (a file, an index, or a folder), for messages. */
    readonly source: string,
    private readonly shards: SafetensorsReader[],
    private readonly where: Map<string, SafetensorsReader>,
  ) {}

  /**
   * Opens a `.safetensors` file, a `*.safetensors.index.json`, or a folder holding exactly one of
   * those (an index wins over shards beside it). Every shard's header is read and checked against
   * the index now, so a missing or mismatched file fails here, not halfway through a load.
   */
  static open(path: string): Checkpoint {
    if (!existsSync(path)) throw new SafetensorsError(`${path}: no such file or folder`);
    if (statSync(path).isDirectory()) return Checkpoint.open(pickInFolder(path));
    if (path.endsWith('.json')) return Checkpoint.openIndex(path);
    const r = SafetensorsReader.open(path);
    return new Checkpoint(path, [r], new Map(r.names().map((n) => [n, r])));
  }

  private static openIndex(indexPath: string): Checkpoint {
    let index: { weight_map?: unknown };
    try {
      index = JSON.parse(readFileSync(indexPath, 'utf8'));
    } catch (err) {
      throw new SafetensorsError(`${indexPath}: not a readable JSON index (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const map = index?.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new SafetensorsError(`${indexPath}: has no "weight_map" object`);
    const byFile = new Map<string, string[]>();
    for (const [name, file] of Object.entries(map)) {
      if (typeof file !== 'string' || file.includes('/') || file.includes('\\') || file.startsWith('.')) {
        throw new SafetensorsError(`${indexPath}: weight_map["${name}"] is ${JSON.stringify(file)}, not a file name beside the index`);
      }
      (byFile.get(file) ?? byFile.set(file, []).get(file)!).push(name);
    }
    const shards: SafetensorsReader[] = [];
    const where = new Map<string, SafetensorsReader>();
    try {
      for (const [file, names] of byFile) {
        const p = join(dirname(indexPath), file);
        if (!existsSync(p)) throw new SafetensorsError(`${indexPath}: shard ${file} is missing (expected at ${p}; it should hold ${names.length} tensors, e.g. '${names[0]}')`);
        const r = SafetensorsReader.open(p);
        shards.push(r);
        for (const name of names) {
          if (!r.has(name)) throw new SafetensorsError(`${indexPath}: tensor '${name}' is listed in shard ${file}, but ${p} has no such tensor`);
          where.set(name, r);
        }
        const unlisted = r.names().filter((n) => !names.includes(n));
        if (unlisted.length) throw new SafetensorsError(`${p}: tensor '${unlisted[0]}' is in the shard but not in ${basename(indexPath)}'s weight_map${unlisted.length > 1 ? ` (and ${unlisted.length - 1} more)` : ''}`);
      }
    } catch (err) {
      for (const r of shards) r.close();
      throw err;
    }
    return new Checkpoint(indexPath, shards, where);
  }

  names(): string[] {
    return [...this.where.keys()];
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  /** The shards' paths. */
  get files(): string[] {
    return this.shards.map((r) => r.path);
  }

  /** Metadata of every shard, merged. */
  get metadata(): Record<string, string> {
    return Object.assign({}, ...this.shards.map((r) => r.metadata));
  }

  info(name: string): TensorInfo {
    return this.reader(name).info(name);
  }

  read(name: string, opts: ReadOptions = {}): HostTensor {
    return this.reader(name).read(name, opts);
  }

  /** Names the graph needs that the checkpoint lacks, and names it has that the graph does not use. */
  compare(needed: Iterable<string>): { missing: string[]; unused: string[] } {
    const want = new Set(needed);
    return { missing: [...want].filter((n) => !this.where.has(n)), unused: this.names().filter((n) => !want.has(n)) };
  }

  close(): void {
    for (const r of this.shards) r.close();
  }

  private reader(name: string): SafetensorsReader {
    const r = this.where.get(name);
    if (!r) throw new SafetensorsError(`${this.source}: no tensor '${name}' (${this.where.size} tensors${this.shards.length > 1 ? ` in ${this.shards.length} shards` : ''})${suggest(name, this.where.keys())}`);
    return r;
  }
}

function pickInFolder(dir: string): string {
  const files = readdirSync(dir);
  const indexes = files.filter((f) => f.endsWith('.safetensors.index.json'));
  if (indexes.length === 1) return join(dir, indexes[0]!);
  if (indexes.length > 1) throw new SafetensorsError(`${dir}: more than one index (${indexes.join(', ')}); open one of them`);
  const single = files.filter((f) => f.endsWith('.safetensors'));
  if (single.length === 1) return join(dir, single[0]!);
  if (single.length === 0) throw new SafetensorsError(`${dir}: no .safetensors file or *.safetensors.index.json`);
  throw new SafetensorsError(`${dir}: ${single.length} .safetensors files and no *.safetensors.index.json saying how they fit together`);
}

function checkShape(e: TensorInfo, shape: readonly number[] | undefined): void {
  if (shape && shape.join() !== e.shape.join()) {
    throw new SafetensorsError(`${e.file}: tensor '${e.name}' is ${e.dtype}[${e.shape.join(', ')}] but [${shape.join(', ')}] is expected`);
  }
}

function readExactly(fd: number, into: Uint8Array, position: number, path: string, name?: string): Uint8Array {
  let done = 0;
  while (done < into.byteLength) {
    const want = Math.min(CHUNK_BYTES * 64, into.byteLength - done);
    const got = readSync(fd, into, done, want, position + done);
    if (got === 0) throw new SafetensorsError(`${path}: ${name ? `tensor '${name}': ` : ''}file ended after ${position + done} bytes: truncated?`);
    done += got;
  }
  return into;
}

/** Reads a float tensor stored as `from` into `out` (of dtype `to`) through one reusable chunk. */
function convertFrom(fd: number, position: number, from: DType, out: TypedArray, to: DType, path: string, name: string): void {
  const inBytes = DTYPE_BYTES[from];
  const perChunk = Math.floor(CHUNK_BYTES / inBytes);
  const scratch = new ArrayBuffer(Math.min(out.length, perChunk) * inBytes);
  const decode: (i: number) => number =
    from === 'float32' ? ((v) => (i: number) => v[i]!)(new Float32Array(scratch)) :
    from === 'float16' ? ((v) => (i: number) => f16BitsToF32(v[i]!))(new Uint16Array(scratch)) :
    ((v) => (i: number) => bf16BitsToF32(v[i]!))(new Uint16Array(scratch));
  const encode: (v: number) => number = to === 'float32' ? (v) => v : to === 'float16' ? f32ToF16Bits : f32ToBf16Bits;
  const bf16ToF32 = from === 'bfloat16' && to === 'float32';
  for (let start = 0; start < out.length; start += perChunk) {
    const count = Math.min(perChunk, out.length - start);
    readExactly(fd, new Uint8Array(scratch, 0, count * inBytes), position + start * inBytes, path, name);
    if (bf16ToF32) {
      // The common case (bf16 checkpoints into float32 graphs): a bit shift, no float math.
      const src = new Uint16Array(scratch, 0, count);
      const dst = new Uint32Array(out.buffer, out.byteOffset + start * 4, count);
      for (let i = 0; i < count; i++) dst[i] = src[i]! << 16;
      continue;
    }
    for (let i = 0; i < count; i++) (out as Float32Array | Uint16Array)[start + i] = encode(decode(i));
  }
}

/** ", did you mean 'x'?" for the closest name sharing the longest suffix or prefix, or nothing. */
function suggest(name: string, names: Iterable<string>): string {
  let best = '';
  let score = 0;
  for (const n of names) {
    let p = 0;
    while (p < n.length && p < name.length && n[p] === name[p]) p++;
    let s = 0;
    while (s < n.length && s < name.length && n[n.length - 1 - s] === name[name.length - 1 - s]) s++;
    if (p + s > score) {
      score = p + s;
      best = n;
    }
  }
  return score >= Math.min(4, name.length) && best ? `; did you mean '${best}'?` : '';
}
