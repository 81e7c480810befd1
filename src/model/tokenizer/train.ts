// Learns a byte-level BPE from text.
//
// Merges never cross pre-token boundaries, so the corpus is reduced to its distinct
// pre-tokens with their counts; captions repeat their words heavily, which makes this
// small. Pair counts are then kept up to date incrementally: a merge only revisits the
// words that contain the merged pair (an index from pair to words), and the best pair
// comes from a heap whose stale entries are skipped when popped.
import { at } from '../../at.ts';
import { BpeModel } from './bpe.ts';
import { BYTE_TO_CHAR, pretokenize, utf8Bytes } from './byteLevel.ts';
import type { AddedTokenJson, TokenizerJson } from './format.ts';
import { BOS_TOKEN, EOS_TOKEN, PAD_TOKEN, Tokenizer, UNK_TOKEN } from './tokenizer.ts';

export const DEFAULT_SPECIAL_TOKENS: readonly string[] = [PAD_TOKEN, BOS_TOKEN, EOS_TOKEN, UNK_TOKEN];

export interface TrainBpeOptions {
  /** Final vocabulary size, special and byte tokens included. Training stops earlier if no pair is frequent enough. */
  vocabSize: number;
  /** A pair seen fewer times than this is never merged (default 2: a pair seen once teaches nothing). */
  minFrequency?: number;
  /** Added as special tokens with ids 0, 1, …; default <pad>, <bos>, <eos>, <unk>. Ignored when `base` is given. */
  specialTokens?: readonly string[];
  /**
   * Continue from an existing tokenizer: all its ids and merges are kept (so a model's
   * embedding rows stay valid) and new merges learned from `texts` are appended.
   */
  base?: Tokenizer;
}

/** Distinct pre-tokens of a corpus and how often each occurs. */
export class WordCounts {
  readonly counts = new Map<string, number>();
  texts = 0;

  add(text: string): void {
    this.texts++;
    for (const piece of pretokenize(text)) this.counts.set(piece, (this.counts.get(piece) ?? 0) + 1);
  }

  addAll(texts: Iterable<string>): this {
    for (const t of texts) this.add(t);
    return this;
  }
}

export function trainBpe(texts: Iterable<string>, options: TrainBpeOptions): Tokenizer {
  return trainBpeFromCounts(new WordCounts().addAll(texts), options);
}

const ID_LIMIT = 1 << 21;
const pairKey = (a: number, b: number): number => a * ID_LIMIT + b;

export function trainBpeFromCounts(words: WordCounts, options: TrainBpeOptions): Tokenizer {
  const minFrequency = checkOptions(options);
  const start = options.base ? startFromBase(options.base) : startFromBytes(options.specialTokens ?? DEFAULT_SPECIAL_TOKENS);
  if (options.vocabSize < start.idToToken.length) {
    throw new RangeError(
      `vocabSize ${options.vocabSize} is smaller than the ${start.idToToken.length} tokens it must hold ` +
        (options.base ? '(the base tokenizer)' : '(special tokens + 256 bytes)'),
    );
  }
  const corpus = SymbolCorpus.of(words, start.encodePiece);
  while (start.idToToken.length < options.vocabSize) {
    const best = corpus.mostFrequentPair();
    if (best === undefined || best.count < minFrequency) break;
    const a = Math.floor(best.key / ID_LIMIT);
    const b = best.key - a * ID_LIMIT;
    corpus.merge(best.key, a, b, addMerge(start, a, b));
  }

  const vocab: Record<string, number> = {};
  start.idToToken.forEach((t, id) => {
    if (t !== undefined) vocab[t] = id;
  });
  return Tokenizer.fromJSON(buildJson(vocab, start.merges, start.addedTokens));
}

/** minFrequency (default 2), after checking the options' numbers. */
function checkOptions(options: TrainBpeOptions): number {
  const minFrequency = options.minFrequency ?? 2;
  if (!Number.isInteger(options.vocabSize) || options.vocabSize >= ID_LIMIT) {
    throw new RangeError(`vocabSize must be an integer below ${ID_LIMIT}, got ${options.vocabSize}`);
  }
  if (!(minFrequency >= 1)) throw new RangeError(`minFrequency must be at least 1, got ${minFrequency}`);
  return minFrequency;
}

/** Records the merge a + b and returns the id of the merged token (new unless another merge path spelled it). */
function addMerge(start: StartState, a: number, b: number): number {
  const { idToToken, tokenToId, merges } = start;
  const [left, right] = [at(idToToken, a, 'vocabulary'), at(idToToken, b, 'vocabulary')];
  const merged = left + right;
  // Two merge paths can spell the same string ("ab"+"c", "a"+"bc"); like the reference
  // trainer, both merges are kept and they share one id.
  let z = tokenToId.get(merged);
  if (z === undefined) {
    z = idToToken.length;
    idToToken.push(merged);
    tokenToId.set(merged, z);
  }
  merges.push([left, right]);
  return z;
}

/**
 * The corpus as symbol sequences with their pair counts, kept up to date merge by merge: an index
 * from each pair to the words that contain it, and a heap of (count, pair) whose stale entries
 * are skipped when popped.
 */
class SymbolCorpus {
  private readonly pairCounts = new Map<number, number>();
  private readonly wordsWithPair = new Map<number, number[]>();
  private readonly heap = new PairHeap();
  /** The merge that last visited each word, so a word listed twice under a pair is merged once. */
  private readonly visited: Int32Array;
  private merges = 0;

  private constructor(
    /** Symbols are merged in place; `lens` tracks each word's shrinking length. */
    private readonly seqs: Int32Array[],
    private readonly freqs: number[],
    private readonly lens: Int32Array,
  ) {
    this.visited = new Int32Array(seqs.length).fill(-1);
    seqs.forEach((s, w) => {
      const f = at(freqs, w, 'word counts');
      for (let i = 0; i + 1 < s.length; i++) {
        const k = pairKey(s[i]!, s[i + 1]!); // i + 1 < s.length
        this.pairCounts.set(k, (this.pairCounts.get(k) ?? 0) + f);
        this.noteWord(k, w);
      }
    });
    for (const [k, c] of this.pairCounts) this.heap.push(c, k);
  }

  static of(words: WordCounts, encodePiece: (piece: string) => Int32Array): SymbolCorpus {
    const seqs: Int32Array[] = [];
    const freqs: number[] = [];
    for (const [piece, count] of words.counts) {
      const seq = encodePiece(piece);
      if (seq.length < 2) continue; // nothing to merge, and it cannot affect any pair
      seqs.push(seq);
      freqs.push(count);
    }
    return new SymbolCorpus(seqs, freqs, Int32Array.from(seqs, (s) => s.length));
  }

  private noteWord(key: number, w: number): void {
    const list = this.wordsWithPair.get(key);
    if (list === undefined) this.wordsWithPair.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w); // a word's pairs are noted together, so repeats are adjacent
  }

  /** The pair with the highest current count (taken off the heap), or undefined when none is left. */
  mostFrequentPair(): { key: number; count: number } | undefined {
    // Pop until an entry matches its pair's current count; other entries are stale.
    while (this.heap.size > 0) {
      const top = this.heap.pop();
      if (this.pairCounts.get(top.key) === top.count) return top;
    }
    return undefined;
  }

  /** Replaces every a b (the pair `best`) by z in the words that hold it, and updates the pair counts. */
  merge(best: number, a: number, b: number, z: number): void {
    const step = this.merges++;
    const { seqs, lens, freqs, visited } = this;
    const delta = new Map<number, number>();
    const bump = (k: number, d: number): void => void delta.set(k, (delta.get(k) ?? 0) + d);
    for (const w of this.wordsWithPair.get(best) ?? []) {
      if (visited[w] === step) continue;
      visited[w] = step;
      const [s, f] = [at(seqs, w, 'words'), at(freqs, w, 'word counts')];
      const n = lens[w]!; // lens has one entry per word
      // Positions below n ≤ s.length: the `!` reads in this hot loop are in range.
      let present = false;
      for (let i = 0; i + 1 < n && !present; i++) present = s[i] === a && s[i + 1] === b;
      if (!present) continue; // the index is append-only, so it can name words that lost the pair
      // Words are short, so recounting a word's pairs before and after is cheaper to get
      // right than patching neighbours, and costs about the same.
      for (let i = 0; i + 1 < n; i++) bump(pairKey(s[i]!, s[i + 1]!), -f);
      let out = 0;
      for (let i = 0; i < n; ) {
        if (i + 1 < n && s[i] === a && s[i + 1] === b) {
          s[out++] = z;
          i += 2;
        } else {
          s[out++] = s[i++]!;
        }
      }
      lens[w] = out;
      for (let i = 0; i + 1 < out; i++) {
        const k = pairKey(s[i]!, s[i + 1]!);
        bump(k, f);
        if (s[i] === z || s[i + 1] === z) this.noteWord(k, w);
      }
    }
    this.wordsWithPair.delete(best);
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const c = (this.pairCounts.get(k) ?? 0) + d;
      if (c > 0) {
        this.pairCounts.set(k, c);
        this.heap.push(c, k);
      } else {
        this.pairCounts.delete(k);
      }
    }
  }
}

interface StartState {
  idToToken: string[];
  tokenToId: Map<string, number>;
  merges: [string, string][];
  addedTokens: AddedTokenJson[];
  encodePiece: (piece: string) => Int32Array;
}

function startFromBytes(specialTokens: readonly string[]): StartState {
  const idToToken: string[] = [];
  const tokenToId = new Map<string, number>();
  for (const t of [...specialTokens, ...BYTE_TO_CHAR]) {
    if (t.length === 0) throw new Error('special tokens must not be empty');
    if (tokenToId.has(t)) throw new Error(`token ${JSON.stringify(t)} is given twice (special tokens must differ from each other and from byte tokens)`);
    tokenToId.set(t, idToToken.length);
    idToToken.push(t);
  }
  const byteBase = specialTokens.length;
  return {
    idToToken,
    tokenToId,
    merges: [],
    addedTokens: specialTokens.map((content, id) => addedToken(content, id)),
    encodePiece: (piece) => Int32Array.from(utf8Bytes(piece), (byte) => byteBase + byte),
  };
}

function startFromBase(base: Tokenizer): StartState {
  const json = base.toJSON();
  const model = new BpeModel(json.model.vocab, json.model.merges, json.model.ignore_merges);
  // Reserve every id the base uses, added tokens included, so new tokens never collide.
  const idToToken: string[] = new Array(base.vocabSize);
  for (const [t, id] of Object.entries(json.model.vocab)) idToToken[id] = t;
  return {
    idToToken,
    tokenToId: new Map(Object.entries(json.model.vocab)),
    merges: json.model.merges.map(([a, b]) => [a, b] as [string, string]),
    addedTokens: json.added_tokens,
    encodePiece: (piece) => {
      const ids: number[] = [];
      model.encodePiece(piece, ids);
      return Int32Array.from(ids);
    },
  };
}

function addedToken(content: string, id: number): AddedTokenJson {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

function buildJson(vocab: Record<string, number>, merges: [string, string][], addedTokens: AddedTokenJson[]): TokenizerJson {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true } as const;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** Max-heap of (count, pair): highest count first, then the smaller pair key, so ties break the same way every run. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  private before(c1: number, k1: number, c2: number, k2: number): boolean {
    return c1 > c2 || (c1 === c2 && k1 < k2);
  }

  // Heap indices stay below counts.length (= keys.length), so the `!` reads are in range.
  push(count: number, key: number): void {
    const { counts, keys } = this;
    let i = counts.length;
    counts.push(count);
    keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const [pc, pk] = [counts[p]!, keys[p]!];
      if (!this.before(count, key, pc, pk)) break;
      counts[i] = pc;
      keys[i] = pk;
      i = p;
    }
    counts[i] = count;
    keys[i] = key;
  }

  pop(): { count: number; key: number } {
    const { counts, keys } = this;
    const [topCount, topKey] = [counts[0], keys[0]];
    if (topCount === undefined || topKey === undefined) throw new RangeError('PairHeap.pop: the heap is empty');
    const top = { count: topCount, key: topKey };
    const c = counts.pop()!;
    const k = keys.pop()!;
    const n = counts.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.before(counts[r]!, keys[r]!, counts[l]!, keys[l]!) ? r : l;
        const [mc, mk] = [counts[m]!, keys[m]!];
        if (!this.before(mc, mk, c, k)) break;
        counts[i] = mc;
        keys[i] = mk;
        i = m;
      }
      counts[i] = c;
      keys[i] = k;
    }
    return top;
  }
}
