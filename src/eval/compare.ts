// Two evaluation runs of the same suite, prompt set, seed, n and size compared item by item. Both
// runs drew every item from the same prompt and noise, so an item's difficulty is shared and only
// the items where the runs disagree carry evidence: the paired difference has a far smaller error
// than the two overall figures side by side, and the items one run alone gets right give an exact
// sign test (McNemar's). This is what an A/B of two checkpoints should be decided by.
import type { SuiteResult } from './result.ts';

export type RunSummary = Omit<SuiteResult, 'samples'>;

export interface Difference {
  /** Mean of B's outcome minus A's over the items (the overall difference when categories are equal in size). */
  difference: number;
  /** Items only B got right, and only A. */
  bOnly: number;
  aOnly: number;
}

export interface PairedComparison extends Difference {
  suite: string;
  promptSet: string;
  items: number;
  a: { model: string; right: number };
  b: { model: string; right: number };
  /** 95% interval of the difference (normal approximation of the paired differences). */
  low: number;
  high: number;
  /** Two-sided exact sign test on the items where the runs disagree. */
  p: number;
  categories: Record<string, Difference>;
}

/** Why two runs cannot be compared item by item, or null. */
function mismatch(a: RunSummary, b: RunSummary): string | null {
  if (a.suite !== b.suite) return `suites differ (${a.suite} vs ${b.suite})`;
  if (!a.outcomes || !b.outcomes) return 'a run has no per-item outcomes (made before they were recorded): run the eval again';
  for (const key of ['promptSet', 'promptSeed', 'n'] as const) {
    if (a[key] !== b[key]) return `${key} differs (${a[key]} vs ${b[key]})`;
  }
  if (a.size.width !== b.size.width || a.size.height !== b.size.height) return `size differs (${a.size.width}×${a.size.height} vs ${b.size.width}×${b.size.height})`;
  const ids = Object.keys(a.outcomes);
  if (ids.length !== Object.keys(b.outcomes).length || ids.some((id) => !(id in b.outcomes!))) return 'the runs scored different items';
  return null;
}

function difference(pairs: ReadonlyArray<[number, number]>): Difference {
  let bOnly = 0;
  let aOnly = 0;
  for (const [a, b] of pairs) {
    if (b > a) bOnly++;
    else if (a > b) aOnly++;
  }
  return { difference: pairs.length ? (bOnly - aOnly) / pairs.length : 0, bOnly, aOnly };
}

/** Two-sided exact binomial test of k successes in n trials at p = 1/2. */
export function signTestP(k: number, n: number): number {
  if (n === 0) return 1;
  const lo = Math.min(k, n - k);
  let logC = 0; // log C(n, 0)
  let tail = 0;
  for (let i = 0; i <= lo; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}

/** B against A, item by item; throws an Error naming what differs when they are not comparable. */
export function compareRuns(a: RunSummary, b: RunSummary): PairedComparison {
  const why = mismatch(a, b);
  if (why) throw new Error(`${a.suite}: cannot compare item by item: ${why}`);
  const ids = Object.keys(a.outcomes!).sort();
  const pairs = ids.map((id) => [a.outcomes![id]!.right, b.outcomes![id]!.right] as [number, number]);
  const overall = difference(pairs);
  const n = pairs.length;
  const d = pairs.map(([x, y]) => y - x);
  const variance = n > 1 ? d.reduce((s, v) => s + (v - overall.difference) ** 2, 0) / (n - 1) : 0;
  const half = 1.96 * Math.sqrt(variance / Math.max(n, 1));
  const byCategory = new Map<string, Array<[number, number]>>();
  ids.forEach((id, i) => {
    const category = a.outcomes![id]!.category;
    if (!byCategory.has(category)) byCategory.set(category, []);
    byCategory.get(category)!.push(pairs[i]!);
  });
  const categories: Record<string, Difference> = {};
  for (const [category, items] of byCategory) categories[category] = difference(items);
  const right = (p: ReadonlyArray<[number, number]>, i: 0 | 1) => p.reduce((s, x) => s + x[i], 0);
  return {
    suite: a.suite,
    promptSet: a.promptSet,
    items: n,
    a: { model: `${a.model.id} ${a.model.version}`, right: right(pairs, 0) },
    b: { model: `${b.model.id} ${b.model.version}`, right: right(pairs, 1) },
    ...overall,
    low: overall.difference - half,
    high: overall.difference + half,
    p: signTestP(overall.bOnly, overall.bOnly + overall.aOnly),
    categories,
  };
}

/** The suites of an `eval --json` file: one suite's summary, or `eval all`'s list. */
export function suitesOf(json: unknown): RunSummary[] {
  const j = json as { suite?: unknown; suites?: RunSummary[] };
  if (Array.isArray(j.suites)) return j.suites;
  if (typeof j.suite === 'string' && j.suite !== 'all') return [j as RunSummary];
  throw new Error('not an eval results JSON (write one with flowpaint eval SUITE --json FILE)');
}

const signed = (v: number, digits = 3) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

/** The comparison in words, for a terminal. */
export function describeComparison(c: PairedComparison): string {
  const lines = [
    `${c.suite} (${c.promptSet}, ${c.items} items): A = ${c.a.model}, B = ${c.b.model}`,
    `  A ${c.a.right}/${c.items}, B ${c.b.right}/${c.items}: B − A ${signed(c.difference)} (95% ${signed(c.low)} to ${signed(c.high)}); B alone right on ${c.bOnly}, A alone on ${c.aOnly}; sign test p = ${c.p.toFixed(3)}`,
  ];
  for (const [name, d] of Object.entries(c.categories)) lines.push(`  ${name.padEnd(18)} ${signed(d.difference, 2)}  (B alone ${d.bOnly}, A alone ${d.aOnly})`);
  return lines.join('\n');
}
