// The byte-level half of a GPT-2 style tokenizer: how text is cut into pre-tokens and how
// each UTF-8 byte is written as one printable character in tokenizer.json.
//
// Byte-level BPE never needs an unknown token: every string is a sequence of bytes and
// all 256 bytes are in the base vocabulary. The byte-to-character table exists only so
// that vocab and merges are readable JSON strings (no control characters, no spaces).

/** byte value → the character that stands for it in vocab and merges. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();
/** code point of a stand-in character → byte value (-1 where none). */
const CHAR_TO_BYTE: Int16Array = buildCharToByte(BYTE_TO_CHAR);

function buildByteToChar(): string[] {
  // Printable Latin-1 bytes keep their own character; the other 68 bytes (controls,
  // space, NBSP, soft hyphen) are moved to U+0100 upwards in byte order. This is the
  // table every GPT-2 style tokenizer.json assumes, so it must not change.
  const table: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : next++);
  }
  return table;
}

function buildCharToByte(byteToChar: readonly string[]): Int16Array {
  const table = new Int16Array(512).fill(-1);
  byteToChar.forEach((ch, b) => (table[ch.charCodeAt(0)] = b));
  return table;
}

/** The byte that a stand-in character represents, or -1 if it is not one. */
export function charToByte(ch: string): number {
  const code = ch.charCodeAt(0);
  return ch.length === 1 && code < 512 ? CHAR_TO_BYTE[code]! : -1;
}

const utf8 = new TextEncoder();

/** UTF-8 bytes of `text`. Lone surrogates (not valid Unicode) become U+FFFD, as in every UTF-8 encoder. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** A string in the byte-level alphabet: what a vocab entry for these bytes looks like. */
export function bytesToTokenString(bytes: Uint8Array): string {
  let s = '';
  // A byte indexes the 256-entry table.
  for (const b of bytes) s += BYTE_TO_CHAR[b]!;
  return s;
}

/** Bytes written by a vocab string, or null if it contains a character outside the byte alphabet. */
export function tokenStringToBytes(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = charToByte(token.charAt(i));
    if (b < 0) return null;
    out[i] = b;
  }
  return out;
}

// The GPT-2 split pattern, as the reference implementation (Rust `tokenizers`, which
// compiles it with Oniguruma) reads it. Oniguruma's \s is Unicode White_Space, which
// differs from JavaScript's \s in two code points: U+0085 (NEL) is whitespace and
// U+FEFF (BOM) is not. Writing \p{White_Space} keeps us on the reference's side.
// (@huggingface/tokenizers 0.2.0 uses JavaScript's \s here, so it disagrees with the
// reference on texts containing those two characters; see tokenizer.test.ts.)
const WS = '\\p{White_Space}';
const NOT_WS = '\\P{White_Space}';
export const PRETOKENIZE_PATTERN =
  `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|${WS}+(?!${NOT_WS})|${WS}+`;

const pretokenizeRegex = new RegExp(PRETOKENIZE_PATTERN, 'gu');

/**
 * Cuts text into pre-tokens: words with their leading space, runs of digits, runs of
 * punctuation, whitespace. BPE merges never cross a pre-token boundary. The pattern
 * matches every character, so concatenating the pieces gives back `text`.
 */
export function pretokenize(text: string, addPrefixSpace = false): string[] {
  if (addPrefixSpace && !text.startsWith(' ')) text = ' ' + text;
  return text.match(pretokenizeRegex) ?? [];
}
