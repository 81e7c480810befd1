// Text normalisation for the prompt filter. People who want a filter to miss a word write it
// so that a human still reads it but a naive matcher does not: N U D E, n.u.d.e, nüdé, n​ude
// (a zero-width space inside), ｎｕｄｅ, пude (Cyrillic п), n00d, p*rn. Every one of those is
// undone here, before the lexicons and the classifier see the text, so both layers are written
// against plain lower-case English words only.
//
// The output is a token list. Each token keeps the resolved word and a matching key (the word
// with repeated letters collapsed, so "nuuuude" and "kiiill" meet their lexicon entries).

export interface Token {
  /** The normalised word: lower-case ASCII letters and digits. */
  word: string;
  /** `word` with runs of one letter collapsed to one ("blood" -> "blod"); lexicons match on it. */
  key: string;
  /** The token was assembled from letters written apart (s e x, s.e.x). */
  joined?: boolean;
}

export interface Normalized {
  tokens: Token[];
  /** The tokens' words joined by single spaces: the classifier's input. */
  text: string;
}

/** Tells leetspeak resolution which readings are real words (the lexicons' vocabulary). */
export type KnownWord = (key: string) => boolean;

// Invisible and formatting characters: zero-width space/joiners, soft hyphen, bidi controls,
// variation selectors, Hangul fillers and tag characters. Removing them rejoins the word.
const INVISIBLE = /[\p{Cf}\u034F\u115F\u1160\u180B-\u180F\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/gu;
const MARKS = /\p{M}/gu;

// Letters from other scripts that look like Latin ones (after lower-casing and accent removal).
// Written for this project from the Unicode charts: Cyrillic, Greek, Armenian, small capitals
// and a few Latin letters with strokes that do not decompose under NFD.
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', г: 'r', е: 'e', з: '3', и: 'u', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p',
  с: 'c', т: 't', у: 'y', х: 'x', ш: 'w', щ: 'w', ь: 'b', ѕ: 's', і: 'i', ј: 'j', ԁ: 'd', ԛ: 'q',
  ԝ: 'w', һ: 'h', ӏ: 'l', ү: 'y', ҳ: 'x', ԍ: 'g', ɡ: 'g',
  // Greek
  α: 'a', β: 'b', γ: 'y', ε: 'e', ζ: 'z', η: 'n', ι: 'i', κ: 'k', μ: 'u', ν: 'v', ο: 'o', ρ: 'p',
  σ: 'o', ς: 'c', τ: 't', υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ϳ: 'j',
  // Armenian
  օ: 'o', ս: 'u', հ: 'h', ո: 'n', ց: 'g', զ: 'q',
  // Latin letters that NFD leaves alone, and small capitals
  ı: 'i', ȷ: 'j', ł: 'l', ø: 'o', đ: 'd', ħ: 'h', ŧ: 't', ƒ: 'f', ɑ: 'a', ɩ: 'i', ð: 'd', ß: 'ss',
  æ: 'ae', œ: 'oe', ʀ: 'r', ʏ: 'y', ɢ: 'g', ʜ: 'h', ɪ: 'i', ʟ: 'l', ɴ: 'n', ᴀ: 'a', ʙ: 'b', ᴄ: 'c',
  ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ᴊ: 'j', ᴋ: 'k', ᴍ: 'm', ᴏ: 'o', ᴘ: 'p', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v',
  ᴡ: 'w', ᴢ: 'z', ɐ: 'a', ǝ: 'e', ɯ: 'm', ɹ: 'r', ʇ: 't', ʌ: 'v', ʍ: 'w',
};

// Leetspeak: symbols and digits standing for letters. Several stand for more than one letter;
// the reading that makes a known word wins (k1ll -> kill, n1pple -> nipple, 1ncest -> incest).
// '*' is the usual mask for a vowel (p*rn).
const LEET: Record<string, string[]> = {
  '0': ['o'], '1': ['i', 'l'], '2': ['z'], '3': ['e'], '4': ['a'], '5': ['s'], '6': ['g', 'b'], '7': ['t'],
  '8': ['b'], '9': ['g'], '@': ['a'], $: ['s'], '!': ['i', 'l'], '|': ['l', 'i'], '+': ['t'], '€': ['e'],
  '£': ['l'], '¢': ['c'], '©': ['c'], '®': ['r'], '*': ['o', 'a', 'u', 'i', 'e', ''],
};
const MAX_READINGS = 64;

// Separators people put between the letters of one word (n.u.d.e, n-u-d-e, n_u_d_e, n~u~d~e).
const INNER_SEPARATORS = /[.\-_~^·•:,/\\]+/;
// After confusable mapping, everything that is not one of these starts a new token.
const TOKEN_CHARS = /[a-z0-9@$!|+*€£¢©®.\-_~^·•:,/\\']+/g;
// Suffixes that follow a number without being leetspeak (1990s, 4k, 3d, 12yo, 21st). They
// apply only when reading the token as leetspeak gives no known word (53x is "sex", 4nd is "and").
const NUMBER_SUFFIXES = new Set(['s', 'k', 'd', 'p', 'x', 'th', 'st', 'nd', 'rd', 'yo', 'yr', 'yrs', 'y', 'mm', 'cm', 'm', 'h', 'fps']);

export function collapseRepeats(word: string): string {
  return word.replace(/(.)\1+/g, '$1');
}

function mapChars(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    // Negative circled, negative squared letters and regional indicators have no NFKC mapping.
    if (cp >= 0x1f150 && cp <= 0x1f169) out += String.fromCharCode(97 + cp - 0x1f150);
    else if (cp >= 0x1f170 && cp <= 0x1f189) out += String.fromCharCode(97 + cp - 0x1f170);
    else if (cp >= 0x1f1e6 && cp <= 0x1f1ff) out += String.fromCharCode(97 + cp - 0x1f1e6);
    else out += CONFUSABLES[ch] ?? ch;
  }
  return out;
}

/** Steps 1–4: invisible characters, compatibility forms, case, accents, homoglyphs. */
export function foldCharacters(text: string): string {
  return mapChars(text.replace(INVISIBLE, '').normalize('NFKC').toLowerCase().normalize('NFD').replace(MARKS, ''));
}

function isLetters(s: string): boolean {
  return /^[a-z]+$/.test(s);
}

/** Resolves leetspeak in one token; the first reading that is a known word wins. */
function resolveLeet(raw: string, known: KnownWord | undefined): string {
  if (isLetters(raw) || /^[0-9]+$/.test(raw)) return raw;
  const options = [...raw].map((ch) => (/[a-z]/.test(ch) ? [ch] : (LEET[ch] ?? [''])));
  let readings = [''];
  for (const opts of options) {
    const next: string[] = [];
    for (const r of readings) for (const o of opts) if (next.length < MAX_READINGS) next.push(r + o);
    readings = next;
  }
  if (known) {
    for (const r of readings) if (known(collapseRepeats(r))) return r;
  }
  return readings[0]!;
}

function pushWord(out: Token[], word: string, joined = false): void {
  if (word.length === 0) return;
  out.push(joined ? { word, key: collapseRepeats(word), joined } : { word, key: collapseRepeats(word) });
}

/** Splits one raw chunk (no spaces) into tokens. */
function tokenizeChunk(chunk: string, known: KnownWord | undefined, out: Token[]): void {
  let c = chunk.replace(/'/g, '');
  // Trailing punctuation is punctuation; a leading '!' or '|' before letters may be a letter.
  // ('*' stays: it masks a letter as often at the end of a word as inside it, th* = the.)
  c = c.replace(/[.\-_~^·•:,/\\!|]+$/, '').replace(/^[.\-_~^·•:,/\\*]+/, '');
  if (c.length === 0) return;
  const parts = c.split(INNER_SEPARATORS).filter((p) => p.length > 0);
  if (parts.length >= 2 && parts.every((p) => p.length <= 2)) {
    // n.u.d.e, nu-de: letters written apart inside one chunk.
    pushWord(out, resolveLeet(parts.join(''), known), true);
    return;
  }
  for (const p of parts) {
    const m = /^([0-9]+)([a-z]+)$/.exec(p);
    const leet = m ? resolveLeet(p, known) : '';
    if (m && !(known && known(collapseRepeats(leet))) && (m[2]!.length >= 3 || NUMBER_SUFFIXES.has(m[2]!))) {
      // 2girls, 12yo, 1990s: a number and a word, not leetspeak.
      pushWord(out, m[1]!);
      pushWord(out, m[2]!);
      continue;
    }
    pushWord(out, resolveLeet(p, known));
  }
}

/** Joins runs of three or more one-character tokens (s e x, n u d e) into one token. */
function joinSpacedLetters(tokens: Token[], rawSingles: boolean[], known: KnownWord | undefined): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    let j = i;
    while (j < tokens.length && rawSingles[j]) j++;
    if (j - i >= 3) {
      let word = resolveLeet(tokens.slice(i, j).map((t) => t.word).join(''), known);
      // "a n u d e": the article was swept into the run.
      if ((word.startsWith('a') || word.startsWith('i')) && known && !known(collapseRepeats(word)) && known(collapseRepeats(word.slice(1)))) {
        pushWord(out, word[0]!);
        word = word.slice(1);
      }
      pushWord(out, word, true);
      i = j;
    } else {
      out.push(tokens[i]!);
      i++;
    }
  }
  return out;
}

const PLAIN_WORDS = /^[a-z]+(?: [a-z]+)*$/;

/**
 * Text that is already normal: lower-case a–z words, one space apart, never three one-letter
 * words in a row (those may spell a word: "s e x"). Every step of the full path leaves such
 * text as it is, so its tokens are its words. The prompt filter compiles its ~4,300 lexicon
 * phrases with normalizePrompt at start-up, nearly all of them plain; the full path took
 * 60–130 ms of CPU for them on the 2-core VM, this one a few (normalize.test.ts checks that
 * it gives normalizeFully's tokens for every phrase).
 */
function plainWords(text: string): Normalized | undefined {
  if (!PLAIN_WORDS.test(text)) return undefined;
  const words = text.split(' ');
  let singles = 0;
  for (const w of words) {
    singles = w.length === 1 ? singles + 1 : 0;
    if (singles === 3) return undefined;
  }
  return { tokens: words.map((word) => ({ word, key: collapseRepeats(word) })), text };
}

/**
 * Normalises a prompt into tokens. Linear in the length of the text, so a 200 KB prompt is
 * normalised in milliseconds.
 */
export function normalizePrompt(text: string, known?: KnownWord): Normalized {
  return plainWords(text) ?? normalizeFully(text, known);
}

/** normalizePrompt without the shortcut for plain text (exported for the test that compares them). */
export function normalizeFully(text: string, known?: KnownWord): Normalized {
  const folded = foldCharacters(text);
  const tokens: Token[] = [];
  const rawSingles: boolean[] = [];
  for (const m of folded.matchAll(TOKEN_CHARS)) {
    const chunk = m[0];
    const before = tokens.length;
    // A lone character (a letter, or a digit/symbol that leetspeak reads as one) may be part
    // of a spaced-out word; keep it raw so the run can be read as a whole.
    if (chunk.length === 1 && (/[a-z]/.test(chunk) || LEET[chunk])) {
      tokens.push({ word: chunk, key: chunk });
      rawSingles.push(true);
      continue;
    }
    tokenizeChunk(chunk, known, tokens);
    for (let k = before; k < tokens.length; k++) rawSingles.push(false);
  }
  const joined = joinSpacedLetters(tokens, rawSingles, known).filter((t) => /[a-z0-9]/.test(t.word));
  return { tokens: joined, text: joined.map((t) => t.word).join(' ') };
}
