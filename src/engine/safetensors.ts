// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
// tensor name to {dtype, shape, data_offsets}, then the raw little-endian data.
// Reading validates everything a corrupt or hostile file could get wrong, and says which tensor.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { DTYPE_BYTES, type DType, type TypedArray } from './dtype.ts';
import { fromBf16, fromF16, toBf16, toF16 } from './half.ts';
import { HostTensor } from './host.ts';

const FORMAT_DTYPES: Record<string, DType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};
const DTYPE_NAMES = Object.fromEntries(Object.entries(FORMAT_DTYPES).map(([k, v]) => [v, k])) as Record<DType, string>;

/** Headers over this size are refused rather than parsed (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface SafetensorsFile {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
}

function typedView(dtype: DType, bytes: Uint8Array): TypedArray {
  // Copy so the view is aligned whatever the offset in the file.
  const copy = bytes.slice();
  const n = copy.byteLength / DTYPE_BYTES[dtype];
  switch (dtype) {
    case 'float32':
      return new Float32Array(copy.buffer, 0, n);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(copy.buffer, 0, n);
    case 'int64':
      return new BigInt64Array(copy.buffer, 0, n);
    case 'int32':
      return new Int32Array(copy.buffer, 0, n);
    case 'int8':
      return new Int8Array(copy.buffer, 0, n);
    case 'uint8':
    case 'bool':
      return copy;
  }
}

/** One tensor's place in a safetensors file: offsets are relative to the data region. */
export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Bytes before the data region (8 + the JSON header's length). */
  dataStart: number;
  metadata: Record<string, string>;
  entries: SafetensorsEntry[];
}

/** Reads a header's length from a file's first 8 bytes; `fileSize` bounds it. */
export function headerLength(first8: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8 || first8.byteLength < 8) throw new SafetensorsError(`${source}: file is ${fileSize} bytes, too short for a header`);
  const headerLen = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(`${source}: header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const hlen = Number(headerLen);
  if (8 + hlen > fileSize) throw new SafetensorsError(`${source}: header length ${hlen} runs past the end of the file (${fileSize} bytes): truncated?`);
  return hlen;
}

/**
 * Parses and validates the JSON header of a file of `fileSize` bytes: every entry's dtype, shape
 * and offsets, and that the tensors cover the data region exactly once.
 */
export function parseHeader(json: Uint8Array, fileSize: number, source: string): SafetensorsHeader {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${source}: ${msg}`);
  };
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (err) {
    return fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + json.byteLength;
  const dataLen = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as object)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) fail(`tensor '${name}': entry is not an object`);
    const dtype = FORMAT_DTYPES[String(info.dtype)];
    if (!dtype) fail(`tensor '${name}': unknown dtype ${JSON.stringify(info.dtype)} (known: ${Object.keys(FORMAT_DTYPES).join(', ')})`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}': data_offsets ${JSON.stringify(offs)} is not a pair of non-negative integers`);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail(`tensor '${name}': data_offsets [${begin}, ${end}] run past the ${dataLen} data bytes: truncated?`);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype!];
    if (end - begin !== expected) {
      fail(`tensor '${name}': ${end - begin} bytes for ${info.dtype}[${(shape as number[]).join(', ')}], expected ${expected}`);
    }
    entries.push({ name, dtype: dtype!, shape: shape as number[], begin, end });
  }
  // The data region must be covered exactly once: no overlaps, no holes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) fail(`tensor '${e.name}': data starts at ${e.begin} but the previous tensor ends at ${at} (overlap or hole)`);
    at = e.end;
  }
  if (at !== dataLen) fail(`data region is ${dataLen} bytes but the tensors cover ${at}`);
  return { dataStart, metadata, entries };
}

/** The validated header of a whole safetensors file held in memory. */
export function safetensorsHeader(buf: Uint8Array, source = 'safetensors data'): SafetensorsHeader {
  return parseHeader(buf.subarray(8, 8 + headerLength(buf, buf.byteLength, source)), buf.byteLength, source);
}

/** The file's tensors (copied out of `buf`); with `select`, only those whose names it accepts. */
export function parseSafetensors(buf: Uint8Array, source = 'safetensors data', select?: (name: string) => boolean): SafetensorsFile {
  const { dataStart, metadata, entries } = safetensorsHeader(buf, source);
  const tensors = new Map<string, HostTensor>();
  for (const e of entries) {
    if (select && !select(e.name)) continue;
    const data = typedView(e.dtype, buf.subarray(dataStart + e.begin, dataStart + e.end));
    tensors.set(e.name, new HostTensor(e.dtype, e.shape, data));
  }
  return { tensors, metadata };
}

export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readFileBytes(path), path);
}

/**
 * A safetensors file's bytes, its header validated now (the errors readSafetensors would give),
 * for a caller that may never need the tensors: parseSafetensors(bytes) makes them, and cannot
 * fail on bytes that passed. Copying the tensors out is most of a read's cost.
 */
export function readCheckedSafetensors(path: string): Uint8Array {
  const bytes = readFileBytes(path);
  safetensorsHeader(bytes, path);
  return bytes;
}

function readFileBytes(path: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new SafetensorsError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function serializeSafetensors(tensors: Map<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const names = [...tensors.keys()].sort();
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const bytes = t.data.byteLength;
    header[name] = { dtype: DTYPE_NAMES[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (what the reference writer does).
  const pad = (8 - ((Buffer.byteLength(json) + 8) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/** Writes atomically: a temp file in the same folder, fsync, then rename over the target. */
export function writeSafetensors(path: string, tensors: Map<string, HostTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {}
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Converts float32 tensors to a storage dtype (for shipping smaller weights). */
export function castForStorage(t: HostTensor, dtype: 'float32' | 'float16' | 'bfloat16'): HostTensor {
  if (t.dtype !== 'float32' || dtype === 'float32') return t;
  const data = dtype === 'float16' ? toF16(t.f32()) : toBf16(t.f32());
  return new HostTensor(dtype, t.shape, data);
}

/** Any float tensor as float32 (what the graphs compute in). */
export function asFloat32(t: HostTensor): HostTensor<Float32Array> {
  if (t.dtype === 'float32') return t as HostTensor<Float32Array>;
  if (t.dtype === 'float16') return new HostTensor('float32', t.shape, fromF16(t.data as Uint16Array));
  if (t.dtype === 'bfloat16') return new HostTensor('float32', t.shape, fromBf16(t.data as Uint16Array));
  throw new Error(`asFloat32: tensor of dtype ${t.dtype} is not a float tensor`);
}
