// The arena's votes, one JSON line each, appended to a file: the export format is the storage
// format, a crash loses at most the line being written, and restarts keep every vote.
// Matches (which two contenders a rater was shown, and on which side) live on the server, so a
// vote names only the match and the side picked; the page never learns which side was which.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Comparison } from './bradley-terry.ts';
import { TOPICS, type Topic } from './topics.ts';

export { TOPICS, type Topic };

export interface Contender {
  /** Stable name used in votes and the leaderboard (a model's `id@version`, or `quality-low` …). */
  name: string;
  /** Sampler setting the images are made with. */
  params: { quality: 'low' | 'medium' | 'high' };
  /** Which arena model makes the images (a key of the server's arena queues); unset: the served model. */
  model?: string;
  description: string;
}

/** A model's name in the arena: `id@version` (what votes and the leaderboard call it). */
export function arenaName(model: { id: string; version: string }): string {
  return `${model.id}@${model.version}`;
}

export interface Match {
  id: string;
  topic: Topic;
  prompt: string;
  seed: number;
  /** Both images are made at this size ("WxH"), so size never tells the sides apart. */
  size: string;
  left: Contender;
  right: Contender;
  rater: string;
  createdAt: number;
}

export type Winner = 'left' | 'right' | 'tie';

export interface Vote {
  match: string;
  time: string;
  /** One of TOPICS (votes cast before the topics changed may carry an older one). */
  topic: string;
  prompt: string;
  seed: number;
  /** Absent in votes cast before sizes were recorded. */
  size?: string;
  left: string;
  right: string;
  winner: Winner;
  /**
   * A hash of the rater's key hash: votes can be grouped by rater without naming keys, and only
   * someone who holds the key (or its hash, as an operator does) can tell which rater is whose.
   */
  rater: string;
}

const MATCH_TTL_MS = 60 * 60 * 1000;
const MAX_OPEN_MATCHES = 10_000;

export class Arena {
  private readonly open = new Map<string, Match>();
  private votes: Vote[] | undefined;

  /**
   * `contenders`: the current list, or a function that gives it (the models served may still be
   * loading when the arena is made). Each match is drawn from the list of its moment.
   */
  constructor(readonly file: string, private readonly contenderList: readonly Contender[] | (() => readonly Contender[])) {}

  get contenders(): readonly Contender[] {
    return typeof this.contenderList === 'function' ? this.contenderList() : this.contenderList;
  }

  /**
   * A new match: two different contenders (every pair equally likely) in random order, one seed
   * and one size for both. `rater` is the key's owner id. Undefined while fewer than two contenders are ready.
   */
  createMatch(rater: string, topic: Topic, prompt: string, size = 'auto'): Match | undefined {
    this.expire();
    const contenders = this.contenders;
    if (contenders.length < 2) return undefined;
    const i = Math.floor(Math.random() * contenders.length);
    let j = Math.floor(Math.random() * (contenders.length - 1));
    if (j >= i) j++;
    const match: Match = {
      id: randomBytes(12).toString('hex'),
      topic,
      prompt,
      seed: randomBytes(4).readUInt32BE() >>> 1,
      size,
      left: contenders[i]!,
      right: contenders[j]!,
      rater: hashRater(rater),
      createdAt: Date.now(),
    };
    this.open.set(match.id, match);
    return match;
  }

  /** The rater's open match, if it is one. */
  openMatch(rater: string, matchId: string): Match | undefined {
    const match = this.open.get(matchId);
    return match && match.rater === hashRater(rater) ? match : undefined;
  }

  /** Records the rater's pick; a match takes one vote, from the rater it was made for. */
  vote(rater: string, matchId: string, winner: Winner): Vote | undefined {
    const match = this.open.get(matchId);
    if (!match || match.rater !== hashRater(rater)) return undefined;
    this.open.delete(matchId);
    const vote: Vote = {
      match: match.id,
      time: new Date().toISOString(),
      topic: match.topic,
      prompt: match.prompt,
      seed: match.seed,
      size: match.size,
      left: match.left.name,
      right: match.right.name,
      winner,
      rater: match.rater,
    };
    // Load the earlier votes before appending, or the new one would be read back twice.
    const votes = this.all();
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(vote)}\n`);
    votes.push(vote);
    return vote;
  }

  all(): Vote[] {
    if (!this.votes) {
      this.votes = [];
      if (existsSync(this.file)) {
        for (const line of readFileSync(this.file, 'utf8').split('\n')) {
          if (!line.trim()) continue;
          try {
            this.votes.push(JSON.parse(line) as Vote);
          } catch {
            // A torn last line (a crash mid-write) is skipped, not fatal.
          }
        }
      }
    }
    return this.votes;
  }

  /** The votes one rater (a key's owner id) cast. */
  votesOf(rater: string): Vote[] {
    const hash = hashRater(rater);
    return this.all().filter((v) => v.rater === hash);
  }

  comparisons(topic?: string): Comparison[] {
    return this.all()
      .filter((v) => !topic || v.topic === topic)
      .map((v) => ({ a: v.left, b: v.right, score: v.winner === 'left' ? 1 : v.winner === 'right' ? 0 : 0.5 }));
  }

  private expire(): void {
    const cutoff = Date.now() - MATCH_TTL_MS;
    for (const [id, m] of this.open) if (m.createdAt < cutoff || this.open.size > MAX_OPEN_MATCHES) this.open.delete(id);
  }
}

function hashRater(label: string): string {
  return createHash('sha256').update(`flowpaint-rater:${label}`).digest('hex').slice(0, 16);
}
