// Compiles the lexicons and combination rules once, then scores a normalised prompt in time
// linear in its length: one pass of phrase lookups keyed on the first word, context checks in a
// small window, and a sliding window that adds up weak signals per category.
import { CATEGORIES, type Category, zeroScores } from './categories.ts';
import { COMBOS, LEXICON, STRONG_MINOR, type ComboRule, type LexiconEntry, type WordClass } from './lexicon.ts';
import { type KnownWord, type Token, collapseRepeats, normalizePrompt } from './normalize.ts';

/** Tokens either side of a hit in which an `unless` word cancels it. */
const CONTEXT_WINDOW = 6;
/** Words that negate what follows ("no gore", "without nudity", "non-violent"). */
const NEGATORS = new Set(['no', 'without', 'non', 'not', 'zero', 'never', 'free']);
/** Tokens over which weak hits of one category add up. */
const ACCUMULATE_WINDOW = 12;

interface Pattern {
  keys: string[];
  /** The normalised words before repeats were collapsed. */
  words: string[];
  /** The last key is a prefix. */
  stem: boolean;
}

interface CompiledEntry extends Pattern {
  entry: LexiconEntry;
  unless: Set<string>;
  /** The phrase's words run together, for search inside spaced-out letters. */
  joinedKey?: string;
}

export interface Hit {
  category: Category;
  weight: number;
  pos: number;
  len: number;
  /** Why it fired, without the matched text: 'lexicon', 'names-list' or 'rule:<id>'. */
  source: string;
}

export interface LexicalResult {
  scores: Record<Category, number>;
  reasons: Record<Category, string>;
  hits: Hit[];
}

function compilePattern(phrase: string): Pattern {
  const stem = phrase.endsWith('*');
  const tokens = normalizePrompt(stem ? phrase.slice(0, -1) : phrase).tokens;
  if (tokens.length === 0) throw new Error(`lexicon: phrase '${phrase}' normalises to nothing`);
  return { keys: tokens.map((t) => t.key), words: tokens.map((t) => t.word), stem };
}

function keySet(words: readonly string[] | undefined): Set<string> {
  return new Set((words ?? []).map((w) => collapseRepeats(normalizePrompt(w).tokens.map((t) => t.word).join(''))));
}

/** Phrase lookup keyed on the first word; stems also indexed by their first three letters. */
class PhraseIndex<T extends Pattern> {
  private readonly exact = new Map<string, T[]>();
  private readonly stems = new Map<string, T[]>();

  add(p: T): void {
    if (p.stem && p.keys.length === 1) {
      const k = p.keys[0]!.slice(0, 3);
      (this.stems.get(k) ?? this.stems.set(k, []).get(k)!).push(p);
    } else {
      (this.exact.get(p.keys[0]!) ?? this.exact.set(p.keys[0]!, []).get(p.keys[0]!)!).push(p);
    }
  }

  /** Patterns that match at token i, with their length in tokens. */
  *matchAt(tokens: readonly Token[], i: number): Generator<[T, number]> {
    const key = tokens[i]!.key;
    for (const p of this.exact.get(key) ?? []) {
      if (p.keys.length === 1) {
        // Short keys ("as" from "ass", "x" from "xxx") match only the exact word, so that
        // collapsing repeats does not turn ordinary words into lexicon hits.
        if (key.length > 2 || tokens[i]!.word === p.words[0]) yield [p, 1];
        continue;
      }
      let ok = i + p.keys.length <= tokens.length;
      for (let k = 1; ok && k < p.keys.length; k++) {
        const t = tokens[i + k]!.key;
        const want = p.keys[k]!;
        ok = k === p.keys.length - 1 && p.stem ? t.startsWith(want) : t === want;
      }
      if (ok) yield [p, p.keys.length];
    }
    for (const p of this.stems.get(key.slice(0, 3)) ?? []) if (key.startsWith(p.keys[0]!)) yield [p, 1];
  }

  /** Cheap pre-check: could any pattern start at a token with this key? */
  mayStart(key: string): boolean {
    return this.exact.has(key) || this.stems.has(key.slice(0, 3));
  }

  has(key: string): boolean {
    if (this.exact.has(key)) return true;
    for (const p of this.stems.get(key.slice(0, 3)) ?? []) if (key.startsWith(p.keys[0]!)) return true;
    return false;
  }

  *all(): Generator<T> {
    for (const l of this.exact.values()) yield* l;
    for (const l of this.stems.values()) yield* l;
  }
}

interface CompiledClass {
  cls: WordClass;
  index: PhraseIndex<Pattern>;
  unless: Set<string>;
}

interface CompiledCombo {
  rule: ComboRule;
  classes: CompiledClass[];
}

const SPELLED_AGES = new Set(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen']);
const AGE_UNITS = new Set(['year', 'years', 'yr', 'yrs', 'yo', 'y']);

/** "12 year old", "14yo", "aged 9", "fifteen-year-old": an age under 18 at token i. */
function isMinorAge(tokens: readonly Token[], i: number): boolean {
  const w = tokens[i]!.word;
  const young = (/^[0-9]{1,2}$/.test(w) && Number(w) < 18) || SPELLED_AGES.has(w);
  if (!young) return false;
  const next = tokens[i + 1]?.word;
  const prev = tokens[i - 1]?.word;
  return (next !== undefined && AGE_UNITS.has(next)) || prev === 'age' || prev === 'aged';
}

function hasContext(tokens: readonly Token[], start: number, len: number, words: Set<string>): boolean {
  if (words.size === 0) return false;
  const lo = Math.max(0, start - CONTEXT_WINDOW);
  const hi = Math.min(tokens.length, start + len + CONTEXT_WINDOW);
  for (let j = lo; j < hi; j++) {
    if (j >= start && j < start + len) continue;
    if (words.has(tokens[j]!.key)) return true;
  }
  return false;
}

/** A negator one or two tokens before: "no gore", "without any nudity". Never for weight-1 terms. */
function negated(tokens: readonly Token[], i: number): boolean {
  return (i >= 1 && NEGATORS.has(tokens[i - 1]!.key)) || (i >= 2 && NEGATORS.has(tokens[i - 2]!.key) && tokens[i - 1]!.key.length <= 4);
}

/** Highest noisy-or of hit weights over any window of ACCUMULATE_WINDOW tokens. */
function accumulate(hits: Hit[]): number {
  if (hits.length === 0) return 0;
  const sorted = [...hits].sort((a, b) => a.pos - b.pos);
  let best = 0;
  let logKeep = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    logKeep += Math.log(1 - Math.min(sorted[hi]!.weight, 0.999));
    while (sorted[hi]!.pos - sorted[lo]!.pos > ACCUMULATE_WINDOW) {
      logKeep -= Math.log(1 - Math.min(sorted[lo]!.weight, 0.999));
      lo++;
    }
    best = Math.max(best, 1 - Math.exp(logKeep));
  }
  return Math.min(1, best);
}

/** Positions of class members, sorted; at most one per token. */
function classPositions(c: CompiledClass, tokens: readonly Token[], lexHits: readonly Hit[]): number[] {
  const pos = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    if (c.cls.ages && isMinorAge(tokens, i)) pos.add(i);
    if (!c.index.mayStart(tokens[i]!.key)) continue;
    for (const [, len] of c.index.matchAt(tokens, i)) {
      if (!hasContext(tokens, i, len, c.unless)) pos.add(i);
      break;
    }
  }
  if (c.cls.lexiconCategories) {
    for (const h of lexHits) {
      if (c.cls.lexiconCategories.includes(h.category) && h.weight >= (c.cls.minWeight ?? 0) && !hasContext(tokens, h.pos, h.len, c.unless)) pos.add(h.pos);
    }
  }
  return [...pos].sort((a, b) => a - b);
}

function nearest(sorted: readonly number[], p: number, exclude: number): number {
  // Binary search for the closest position to p, ignoring `exclude`.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  let best = Infinity;
  for (const k of [lo - 2, lo - 1, lo, lo + 1]) {
    const q = sorted[k];
    if (q !== undefined && q !== exclude) best = Math.min(best, Math.abs(q - p));
  }
  return best;
}

export class LexicalMatcher {
  private readonly entries = new PhraseIndex<CompiledEntry>();
  private readonly combos: CompiledCombo[];
  private readonly known = new Set<string>();
  private readonly substringTerms: CompiledEntry[] = [];
  private readonly minorClass: CompiledClass;
  readonly knownWord: KnownWord;

  constructor(lexicon: readonly LexiconEntry[] = LEXICON, combos: readonly ComboRule[] = COMBOS) {
    for (const entry of lexicon) {
      const p = compilePattern(entry.phrase);
      const compiled: CompiledEntry = { ...p, entry, unless: keySet(entry.unless) };
      this.entries.add(compiled);
      for (const k of p.keys) this.known.add(k);
      // Spaced-out letters that swallow the neighbouring words ("a n u d e w o m a n",
      // "t a y l o r s w i f t") are searched for the unambiguous terms inside them.
      const joined = collapseRepeats(p.words.join(''));
      if (!p.stem && entry.weight >= 0.5 && joined.length >= (p.keys.length === 1 ? 4 : 6)) this.substringTerms.push({ ...compiled, joinedKey: joined });
    }
    const compileClass = (cls: WordClass): CompiledClass => {
      const index = new PhraseIndex<Pattern>();
      for (const phrase of cls.phrases) {
        const p = compilePattern(phrase);
        index.add(p);
        for (const k of p.keys) this.known.add(k);
      }
      return { cls, index, unless: keySet(cls.unless) };
    };
    this.combos = combos.map((rule) => ({ rule, classes: rule.classes.map(compileClass) }));
    this.minorClass = compileClass(STRONG_MINOR);
    for (const w of COMMON_WORDS) this.known.add(collapseRepeats(w));
    this.knownWord = (key: string) => this.known.has(key) || this.entries.has(key);
  }

  normalize(text: string) {
    return normalizePrompt(text, this.knownWord);
  }

  /** Whether the prompt names a minor unmistakably (an age under 18, "child", "schoolgirl", ...). */
  mentionsMinor(tokens: readonly Token[]): boolean {
    return classPositions(this.minorClass, tokens, []).length > 0;
  }

  /** Scores tokens against the lexicons and rules. */
  score(tokens: readonly Token[]): LexicalResult {
    const hits: Hit[] = [];
    for (let i = 0; i < tokens.length; i++) {
      let matched = false;
      const t = tokens[i]!;
      if (!t.joined && !this.entries.mayStart(t.key)) continue;
      for (const [p, len] of this.entries.matchAt(tokens, i)) {
        matched = true;
        if (p.entry.weight < 1 && (hasContext(tokens, i, len, p.unless) || negated(tokens, i))) continue;
        const source = p.entry.category === 'public_figures' || p.entry.category === 'trademarks' ? 'names-list' : 'lexicon';
        hits.push({ category: p.entry.category, weight: p.entry.weight, pos: i, len, source });
      }
      if (!matched && t.joined && t.key.length >= 5) {
        for (const p of this.substringTerms) {
          if (t.key.includes(p.joinedKey!)) hits.push({ category: p.entry.category, weight: p.entry.weight, pos: i, len: 1, source: 'lexicon' });
        }
      }
    }
    const lexHits = [...hits];
    // Classes shared by several rules (minors, people) are located once per prompt.
    const located = new Map<WordClass, number[]>();
    for (const c of this.combos) {
      const positions = c.classes.map((cls) => {
        let p = located.get(cls.cls);
        if (!p) {
          p = classPositions(cls, tokens, lexHits);
          located.set(cls.cls, p);
        }
        return p;
      });
      if (positions.some((p) => p.length === 0)) continue;
      for (const p of positions[0]!) {
        if (positions.slice(1).every((other) => nearest(other, p, p) <= c.rule.window)) {
          hits.push({ category: c.rule.category, weight: c.rule.weight, pos: p, len: 1, source: `rule:${c.rule.id}` });
          break;
        }
      }
    }
    const scores = zeroScores();
    const reasons = Object.fromEntries(CATEGORIES.map((k) => [k, ''])) as Record<Category, string>;
    for (const cat of CATEGORIES) {
      const own = hits.filter((h) => h.category === cat);
      scores[cat] = accumulate(own);
      if (own.length > 0) {
        const top = own.reduce((a, b) => (b.weight > a.weight ? b : a));
        reasons[cat] = own.length > 1 && top.weight < scores[cat] ? `${top.source} (+${own.length - 1} more signals)` : top.source;
      }
    }
    return { scores, reasons, hits };
  }
}

// Ordinary words that leetspeak resolution should prefer over gibberish (h3llo -> hello).
const COMMON_WORDS = [
  'a', 'the', 'and', 'of', 'in', 'on', 'with', 'at', 'photo', 'picture', 'image', 'woman', 'man', 'girl', 'boy', 'people', 'person', 'cat', 'dog', 'hello', 'world', 'love', 'cool', 'elite',
  'hacker', 'leet', 'art', 'style', 'realistic', 'painting', 'drawing', 'cartoon', 'anime', 'body', 'full', 'little', 'young', 'old', 'year', 'years', 'her', 'his', 'him', 'she', 'he', 'they', 'them',
];
