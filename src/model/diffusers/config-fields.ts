// Reading the numeric fields of a diffusers/transformers config.json with one message per kind of
// mistake, naming the file and the key: the component parsers (Qwen3, KL VAE, scheduler, both
// transformers) share these rather than each writing its own checks. A field that is absent or
// null takes the default, as diffusers does for unset optional fields.
import { DiffusersFormatError } from './errors.ts';

export interface ConfigFields {
  /** An integer ≥ 0. */
  int(key: string, dflt?: number): number;
  /** An integer > 0. */
  positiveInt(key: string, dflt?: number): number;
  /** A number > 0. */
  positive(key: string, dflt?: number): number;
  /** Any finite number. */
  finite(key: string, dflt?: number): number;
  /** A non-empty list of integers > 0. */
  positiveInts(key: string, dflt?: number[]): number[];
}

export function configFields(json: Record<string, unknown>, file: string): ConfigFields {
  const read = <T>(key: string, dflt: T | undefined, ok: (v: unknown) => boolean, what: string): T => {
    const v = json[key] ?? dflt;
    if (!ok(v)) throw new DiffusersFormatError(`${file}: ${key} must be ${what}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  return {
    int: (key, dflt) => read(key, dflt, (v) => Number.isInteger(v) && (v as number) >= 0, 'a non-negative integer'),
    positiveInt: (key, dflt) => read(key, dflt, (v) => Number.isInteger(v) && (v as number) > 0, 'a positive integer'),
    positive: (key, dflt) => read(key, dflt, (v) => typeof v === 'number' && v > 0, 'a positive number'),
    finite: (key, dflt) => read(key, dflt, (v) => typeof v === 'number' && Number.isFinite(v), 'a number'),
    positiveInts: (key, dflt) =>
      read(key, dflt, (v) => Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x > 0), 'a list of positive integers'),
  };
}
