// The BPE model: turns one pre-token into vocabulary ids by applying merges.
//
// Semantics are those of the reference implementation: start from one symbol per byte,
// then repeatedly merge the adjacent pair with the lowest merge rank, the leftmost one
// when the same pair occurs twice, until no adjacent pair has a merge.
import { at } from '../../at.ts';
import { BYTE_TO_CHAR, bytesToTokenString, utf8Bytes } from './byteLevel.ts';

// Pair and heap keys pack two integers into one float64 (exact below 2^53), which keeps
// the hot loops free of string building and object allocation.
const ID_LIMIT = 1 << 21;
const POS_LIMIT = 2 ** 31;
const pairKey = (a: number, b: number): number => a * ID_LIMIT + b;

// Pre-tokens longer than this use the O(n log n) heap; shorter ones the O(n²) scan,
// which is faster at the lengths of ordinary words. Both compute the same merges.
const HEAP_THRESHOLD = 24;
// Words are cached because prompts repeat words; long pieces are rare and not worth it.
const CACHE_MAX_PIECE = 128;
const CACHE_MAX_ENTRIES = 1 << 16;

export class BpeModel {
  /** id → token string (undefined where an id is unused). */
  readonly idToToken: (string | undefined)[];
  readonly tokenToId: Map<string, number>;
  /** id of the single-byte token for each byte. */
  readonly byteIds: Int32Array;
  readonly ignoreMerges: boolean;
  /** pairKey(a, b) → rank * ID_LIMIT + merged id. */
  private readonly merges = new Map<number, number>();
  private cache = new Map<string, Int32Array>();

  constructor(vocab: Record<string, number>, merges: readonly (readonly [string, string])[], ignoreMerges = false) {
    this.ignoreMerges = ignoreMerges;
    this.tokenToId = new Map(Object.entries(vocab));
    this.idToToken = [];
    for (const [token, id] of this.tokenToId) {
      if (id >= ID_LIMIT) throw new Error(`token id ${id} is too large (ids must be below ${ID_LIMIT})`);
      if (this.idToToken[id] !== undefined) {
        throw new Error(`vocab gives id ${id} to both ${JSON.stringify(this.idToToken[id])} and ${JSON.stringify(token)}`);
      }
      this.idToToken[id] = token;
    }
    this.byteIds = new Int32Array(256);
    for (let b = 0; b < 256; b++) {
      const id = this.tokenToId.get(at(BYTE_TO_CHAR, b, 'byte alphabet'));
      // A byte-level vocabulary must cover every byte, or some text has no encoding.
      if (id === undefined) throw new Error(`vocab lacks the token for byte 0x${b.toString(16).padStart(2, '0')}`);
      this.byteIds[b] = id;
    }
    if (merges.length >= ID_LIMIT) throw new Error(`too many merges (${merges.length})`);
    merges.forEach(([a, b], rank) => {
      const ia = this.tokenToId.get(a);
      const ib = this.tokenToId.get(b);
      const merged = this.tokenToId.get(a + b);
      if (ia === undefined || ib === undefined || merged === undefined) {
        const missing = ia === undefined ? a : ib === undefined ? b : a + b;
        throw new Error(`merge ${rank} [${JSON.stringify(a)}, ${JSON.stringify(b)}] uses ${JSON.stringify(missing)}, which is not in the vocab`);
      }
      // A repeated pair keeps its last rank, as the reference implementation's map does.
      this.merges.set(pairKey(ia, ib), rank * ID_LIMIT + merged);
    });
  }

  get mergeCount(): number {
    return this.merges.size;
  }

  /** Appends the ids of one pre-token (raw text, not yet byte-mapped) to `out`. */
  encodePiece(piece: string, out: number[]): void {
    const cached = this.cache.get(piece);
    if (cached !== undefined) {
      for (const id of cached) out.push(id);
      return;
    }
    const ids = this.encodeUncached(piece);
    if (piece.length <= CACHE_MAX_PIECE) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache = new Map();
      this.cache.set(piece, ids);
    }
    for (const id of ids) out.push(id);
  }

  private encodeUncached(piece: string): Int32Array {
    const bytes = utf8Bytes(piece);
    // A byte indexes the 256-entry tables.
    const symbols = Int32Array.from(bytes, (b) => this.byteIds[b]!);
    if (this.ignoreMerges && bytes.length > 1) {
      const whole = this.tokenToId.get(bytesToTokenString(bytes));
      if (whole !== undefined) return Int32Array.of(whole);
    }
    return symbols.length < HEAP_THRESHOLD ? this.mergeByScan(symbols) : this.mergeByHeap(symbols);
  }

  /** Merge rank-and-id of the pair (a, b), or -1. */
  private lookup(a: number, b: number): number {
    return this.merges.get(pairKey(a, b)) ?? -1;
  }

  /** Applies merges by rescanning for the best pair each round; for short words. */
  mergeByScan(symbols: Int32Array): Int32Array {
    let n = symbols.length;
    const s = symbols;
    // Positions stay below n ≤ s.length, so the `!` reads are in range.
    while (n > 1) {
      let best = -1;
      let bestPos = -1;
      for (let i = 0; i + 1 < n; i++) {
        const m = this.lookup(s[i]!, s[i + 1]!);
        // Strictly lower wins, so among equal ranks the leftmost is kept.
        if (m >= 0 && (best < 0 || m < best)) {
          best = m;
          bestPos = i;
        }
      }
      if (best < 0) break;
      s[bestPos] = best % ID_LIMIT;
      s.copyWithin(bestPos + 1, bestPos + 2, n);
      n--;
    }
    return s.slice(0, n);
  }

  /** Applies merges with a priority queue over a linked list; for long pieces. */
  mergeByHeap(symbols: Int32Array): Int32Array {
    const n = symbols.length;
    if (n >= POS_LIMIT) throw new Error(`pre-token of ${n} bytes is too long`);
    const sym = symbols;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = new MinHeap();
    // Positions come from the heap and the links, all in [0, n); −1 ends a link. The `!` reads
    // below rely on it (this loop is the tokenizer's hot path for long pieces).
    const offer = (pos: number): void => {
      const nx = next[pos]!;
      if (nx < 0) return;
      const m = this.lookup(sym[pos]!, sym[nx]!);
      if (m >= 0) heap.push(Math.floor(m / ID_LIMIT) * POS_LIMIT + pos);
    };
    for (let i = 0; i + 1 < n; i++) offer(i);
    while (heap.size > 0) {
      const key = heap.pop();
      const rank = Math.floor(key / POS_LIMIT);
      const pos = key - rank * POS_LIMIT;
      const nx = next[pos]!;
      // Entries go stale when a neighbour was merged away; skip those whose pair changed.
      if (!alive[pos] || nx < 0) continue;
      const m = this.lookup(sym[pos]!, sym[nx]!);
      if (m < 0 || Math.floor(m / ID_LIMIT) !== rank) continue;
      sym[pos] = m % ID_LIMIT;
      alive[nx] = 0;
      const after = next[nx]!;
      next[pos] = after;
      if (after >= 0) prev[after] = pos;
      const before = prev[pos]!;
      if (before >= 0) offer(before);
      offer(pos);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]!) out.push(sym[i]!);
    return Int32Array.from(out);
  }
}

/** Binary min-heap of non-negative numbers; numbers rather than objects keep it allocation-free. */
export class MinHeap {
  private items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  // Heap indices stay below items.length, so the `!` reads are in range.
  push(value: number): void {
    const a = this.items;
    let i = a.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (p <= value) break;
      a[i] = p;
      i = parent;
    }
    a[i] = value;
  }

  pop(): number {
    const a = this.items;
    const top = a[0];
    if (top === undefined) throw new RangeError('MinHeap.pop: the heap is empty');
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        const child = a[c]!;
        if (child >= last) break;
        a[i] = child;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
