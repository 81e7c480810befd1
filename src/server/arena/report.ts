// What the arena's votes say, for people: the Bradley–Terry standings with every contender that
// was served or voted on, the record of each pair that met, and both as a Markdown table for the
// model card. Nothing here invents a vote: no votes, no table.
import { leaderboard, type Comparison, type Standing } from './bradley-terry.ts';
import type { Vote } from './store.ts';

export const METHOD = 'Bradley–Terry (MM), ties as half wins, 95% percentile bootstrap (200 resamples)';

export interface PairRecord {
  /** The two contenders, in name order. */
  a: string;
  b: string;
  aWins: number;
  bWins: number;
  ties: number;
}

export function comparisonsOf(votes: readonly Vote[], topic?: string): Comparison[] {
  return votes
    .filter((v) => !topic || v.topic === topic)
    .map((v) => ({ a: v.left, b: v.right, score: v.winner === 'left' ? 1 : v.winner === 'right' ? 0 : 0.5 }));
}

/** Every pair that met, with who won how often (ties apart); sides are merged. */
export function pairRecords(games: readonly Comparison[]): PairRecord[] {
  const pairs = new Map<string, PairRecord>();
  for (const g of games) {
    if (g.a === g.b) continue;
    const [a, b] = g.a < g.b ? [g.a, g.b] : [g.b, g.a];
    const key = JSON.stringify([a, b]);
    const rec = pairs.get(key) ?? { a, b, aWins: 0, bWins: 0, ties: 0 };
    if (g.score === 0.5) rec.ties++;
    else if ((g.score === 1) === (g.a === a)) rec.aWins++;
    else rec.bWins++;
    pairs.set(key, rec);
  }
  return [...pairs.values()].sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
}

/** Contenders now served, then those that only appear in votes, without repeats. */
export function playersOf(current: readonly string[], games: readonly Comparison[]): string[] {
  const players = [...current];
  for (const g of games) for (const p of [g.a, g.b]) if (!players.includes(p)) players.push(p);
  return players;
}

export interface Board {
  votes: number;
  standings: Standing[];
  pairs: PairRecord[];
}

export function board(current: readonly string[], games: readonly Comparison[]): Board {
  return { votes: games.length, standings: leaderboard(playersOf(current, games), games), pairs: pairRecords(games) };
}

/**
 * The leaderboard as Markdown (a standings table, then the pairs), or null when there are no
 * votes: a table of priors alone would look like a result.
 */
export function leaderboardMarkdown(votes: readonly Vote[], opts: { topic?: string; descriptions?: Record<string, string> } = {}): string | null {
  const games = comparisonsOf(votes, opts.topic);
  if (games.length === 0) return null;
  const b = board([], games);
  const raters = new Set(votes.filter((v) => !opts.topic || v.topic === opts.topic).map((v) => v.rater)).size;
  const times = votes.map((v) => v.time).filter(Boolean).sort();
  const lines = [
    `${b.votes} vote${b.votes === 1 ? '' : 's'} from ${raters} rater${raters === 1 ? '' : 's'}${opts.topic ? ` on ${opts.topic}` : ''}` +
      `${times.length ? `, ${times[0]!.slice(0, 10)} to ${times.at(-1)!.slice(0, 10)}` : ''}; ${METHOD}.`,
    '',
    '| # | model | rating | 95% interval | wins | losses | ties |',
    '| ---: | --- | ---: | --- | ---: | ---: | ---: |',
    ...b.standings.map((s, i) => {
      const desc = opts.descriptions?.[s.name];
      return `| ${i + 1} | ${cell(s.name)}${desc ? ` (${cell(desc)})` : ''} | ${Math.round(s.rating)} | ${Math.round(s.ci[0])}–${Math.round(s.ci[1])} | ${s.wins} | ${s.losses} | ${s.ties} |`;
    }),
    '',
    '| A vs B | A wins | B wins | ties |',
    '| --- | ---: | ---: | ---: |',
    ...b.pairs.map((p) => `| ${cell(p.a)} vs ${cell(p.b)} | ${p.aWins} | ${p.bWins} | ${p.ties} |`),
  ];
  return `${lines.join('\n')}\n`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export const CARD_START = '<!-- arena-leaderboard:start -->';
export const CARD_END = '<!-- arena-leaderboard:end -->';

/**
 * The model card with its arena section replaced by `table` (between the markers, which are
 * added under a "## Human preference (arena)" heading at the end when missing).
 */
export function withLeaderboard(card: string, table: string): string {
  const block = `${CARD_START}\n${table.trimEnd()}\n${CARD_END}`;
  const start = card.indexOf(CARD_START);
  const end = card.indexOf(CARD_END);
  if (start >= 0 && end > start) return card.slice(0, start) + block + card.slice(end + CARD_END.length);
  return `${card.trimEnd()}\n\n## Human preference (arena)\n\nBlind pairwise votes in the playground's arena (\`npm run arena-leaderboard\`).\n\n${block}\n`;
}
