// What every suite returns: the figures (printed as a table, and as the last line of output in
// JSON) and the samples a report shows.
import type { RgbImage } from '../data/index.ts';

export interface Sample {
  id: string;
  category: string;
  /** The prompt or instruction. */
  caption: string;
  /** Images shown side by side (e.g. generated; or source | edited | target). */
  images: RgbImage[];
  /** 1 = right; between 0 and 1 for graded results. Best and worst cases are picked by it. */
  score: number;
  /** Why it failed (short). */
  note: string;
}

export interface SuiteResult {
  suite: string;
  /** Prompt set version and seed: results are comparable when these are equal. */
  promptSet: string;
  promptSeed: number;
  model: { id: string; version: string };
  size: { width: number; height: number };
  /** Items per category (compose, edit), in all (text), or images per configuration (speed). */
  n: number;
  /** The suite's headline figure (accuracy 0..1 for compose, edit and text; images/s for speed). */
  overall: number;
  /** Per-category figures on the same scale as `overall`. */
  categories: Record<string, number>;
  /** Other figures (CER, preservation, timings). */
  metrics: Record<string, number | null>;
  /**
   * Each item's outcome by item id — 1 right, 0 wrong — in its category, so two runs on the same
   * prompt set and seed compare item by item (compare.ts). Absent for speed.
   */
  outcomes?: Record<string, { category: string; right: 0 | 1 }>;
  /** The judge's own accuracy on ground-truth renders of this very prompt set, per category. */
  judge: { name: string; overall: number; categories: Record<string, number> } | null;
  seconds: number;
  samples: Sample[];
}

/** The JSON a suite prints last: everything but the sample images. */
export function summary(r: SuiteResult): Omit<SuiteResult, 'samples'> {
  const { samples: _samples, ...rest } = r;
  return rest;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function round(v: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Seeds for generation derived from item ids, so each prompt's noise is fixed across runs. */
export function itemSeed(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
  return h >>> 1;
}

/** A fixed-width text table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, i) => String(c).padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}
