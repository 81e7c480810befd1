// A Bradley–Terry fit of pairwise preferences: P(i beats j) = p_i / (p_i + p_j). Strengths
// come from Hunter's MM iterations (each step provably raises the likelihood), a tie counts
// as half a win for each side, and every player also plays one virtual win and one virtual
// loss against a fixed reference of strength 1 — a weak prior that keeps strengths finite
// when a player has won (or lost) every game so far. Confidence intervals come from a
// percentile bootstrap over votes with a seeded generator, so the same votes always give the
// same leaderboard.
import { Rng } from '../../engine/index.ts';

export interface Comparison {
  a: string;
  b: string;
  /** 1: a won, 0: b won, 0.5: tie. */
  score: 0 | 0.5 | 1;
}

export interface Standing {
  name: string;
  /** Elo-style scale: 1000 + 400·log10(strength), strengths normalised to geometric mean 1. */
  rating: number;
  /** 95% percentile-bootstrap interval of the rating. */
  ci: [number, number];
  wins: number;
  losses: number;
  ties: number;
}

const PRIOR_GAMES = 1; // virtual wins and losses against the reference, each
const ITERATIONS = 200;
const TOLERANCE = 1e-9;

/** Log-strengths (natural log) of `players` from the comparisons, by MM iterations. */
export function fitStrengths(players: readonly string[], games: readonly Comparison[]): Map<string, number> {
  const index = new Map(players.map((p, i) => [p, i]));
  const k = players.length;
  const wins = new Float64Array(k).fill(PRIOR_GAMES);
  // n[i][j]: games between i and j (symmetric)
  const n = Array.from({ length: k }, () => new Float64Array(k));
  for (const g of games) {
    const i = index.get(g.a);
    const j = index.get(g.b);
    if (i === undefined || j === undefined || i === j) continue;
    // i, j < k (index maps players to their positions): wins has k entries and n is k × k.
    wins[i]! += g.score;
    wins[j]! += 1 - g.score;
    n[i]![j]! += 1;
    n[j]![i]! += 1;
  }
  let p = new Float64Array(k).fill(1);
  for (let it = 0; it < ITERATIONS; it++) {
    const next = new Float64Array(k);
    let change = 0;
    for (let i = 0; i < k; i++) {
      // The reference player (strength 1) met i 2·PRIOR_GAMES times.
      let denom = (2 * PRIOR_GAMES) / (p[i]! + 1);
      for (let j = 0; j < k; j++) if (n[i]![j]) denom += n[i]![j]! / (p[i]! + p[j]!);
      next[i] = wins[i]! / denom;
      change = Math.max(change, Math.abs(Math.log(next[i]!) - Math.log(p[i]!)));
    }
    p = next;
    if (change < TOLERANCE) break;
  }
  const meanLog = k ? p.reduce((s, v) => s + Math.log(v), 0) / k : 0;
  return new Map(players.map((name, i) => [name, Math.log(p[i]!) - meanLog]));
}

const toRating = (logStrength: number) => 1000 + (400 * logStrength) / Math.LN10;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The leaderboard: ratings, bootstrap intervals and records, best first. */
export function leaderboard(players: readonly string[], games: readonly Comparison[], opts: { resamples?: number; seed?: number } = {}): Standing[] {
  const fit = fitStrengths(players, games);
  const resamples = opts.resamples ?? 200;
  const draws = new Map(players.map((p) => [p, [] as number[]]));
  const random = new Rng(opts.seed ?? 1);
  for (let r = 0; r < resamples && games.length > 0; r++) {
    const sample = Array.from({ length: games.length }, () => games[random.int(games.length)]!);
    for (const [name, s] of fitStrengths(players, sample)) draws.get(name)!.push(toRating(s));
  }
  const record = (name: string) => {
    let wins = 0, losses = 0, ties = 0;
    for (const g of games) {
      if (g.a !== name && g.b !== name) continue;
      if (g.score === 0.5) ties++;
      else if ((g.score === 1) === (g.a === name)) wins++;
      else losses++;
    }
    return { wins, losses, ties };
  };
  return players
    .map((name) => {
      const rating = toRating(fit.get(name)!);
      const d = draws.get(name)!.sort((x, y) => x - y);
      const ci: [number, number] = d.length ? [quantile(d, 0.025), quantile(d, 0.975)] : [rating, rating];
      return { name, rating, ci, ...record(name) };
    })
    .sort((x, y) => y.rating - x.rating);
}
