// Training a tokenizer on users' own captions: a plain text file (one caption per line)
// or a JSONL manifest (one JSON object per line). Files are streamed, so a corpus larger
// than memory only costs the memory of its distinct words.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from './errors.ts';
import type { Tokenizer } from './tokenizer.ts';
import { trainBpeFromCounts, WordCounts, type TrainBpeOptions } from './train.ts';

export interface ReadCaptionsOptions {
  /** JSONL field holding the caption; default: the first of "caption", "text", "prompt" that is present. */
  field?: string;
}

const DEFAULT_FIELDS = ['caption', 'text', 'prompt'];

const isJsonl = (path: string): boolean => /\.(jsonl|ndjson)$/i.test(path);

/** Yields the captions in a .txt (one per non-empty line) or .jsonl/.ndjson file. */
export async function* readCaptions(path: string, options: ReadCaptionsOptions = {}): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim().length === 0) continue;
    yield isJsonl(path) ? captionOf(line, options.field, `${path}:${lineNo}`) : line;
  }
}

function captionOf(line: string, field: string | undefined, where: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (err) {
    throw new InputError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof record === 'string') return record;
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new InputError(`${where}: expected a JSON object or string, got ${Array.isArray(record) ? 'an array' : String(record)}`);
  }
  const fields = field ? [field] : DEFAULT_FIELDS;
  const obj = record as Record<string, unknown>;
  const name = fields.find((f) => f in obj);
  if (name === undefined) throw new InputError(`${where}: no ${fields.map((f) => `"${f}"`).join(' or ')} field`);
  const value = obj[name];
  if (typeof value !== 'string') throw new InputError(`${where}: field "${name}" is ${typeof value}, not a string`);
  return value;
}

/** Trains a tokenizer on the captions of one or more files (see readCaptions). */
export async function trainBpeFromFiles(
  paths: string | readonly string[],
  options: TrainBpeOptions & ReadCaptionsOptions,
): Promise<Tokenizer> {
  const counts = new WordCounts();
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    for await (const caption of readCaptions(path, options)) counts.add(caption);
  }
  if (counts.texts === 0) throw new InputError(`no captions found in ${[paths].flat().join(', ')}`);
  return trainBpeFromCounts(counts, options);
}
