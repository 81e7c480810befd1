// Caption-like sentences for tests and measurements of the tokenizer. Deliberately
// independent of src/data's caption generator, so the tokenizer's tests do not move when
// the dataset's wording does. Seeded: the same seed gives the same corpus.
import { at } from '../../at.ts';

const COLORS = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'pink', 'brown', 'black', 'white', 'gray', 'teal', 'navy', 'gold', 'silver', 'crimson', 'turquoise', 'lavender'];
const OBJECTS = ['apple', 'cat', 'dog', 'pear', 'banana', 'car', 'house', 'tree', 'flower', 'star', 'heart', 'umbrella', 'rocket', 'guitar', 'teapot', 'bicycle', 'penguin', 'butterfly', 'lighthouse', 'sunflower', 'mushroom', 'balloon', 'crown', 'anchor'];
const POSITIONS = ['left of', 'right of', 'above', 'below', 'next to', 'behind', 'in front of', 'on top of', 'beside'];
const PLACES = ['in the top left corner', 'in the center', 'at the bottom', 'on the right side', 'near the top edge', 'in the lower half'];
const BACKGROUNDS = ['a blue background', 'a white background', 'a striped background', 'a gradient from pink to purple', 'a wooden table', 'a starry night sky', 'green grass'];
const NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'];
const WORDS = ['HELLO', 'Sale 50%', 'Open 24/7', 'café', 'Hôtel', 'OK!', 'Nº 9', 'Welcome', "Mom's Diner", 'STOP'];
const SIZES = ['small', 'large', 'tiny', 'huge', 'medium-sized'];

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCaptions(count: number, seed = 1): string[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => at(xs, Math.floor(rand() * xs.length), 'caption words');
  const thing = (): string => `${rand() < 0.4 ? pick(SIZES) + ' ' : ''}${pick(COLORS)} ${pick(OBJECTS)}`;
  const templates: (() => string)[] = [
    () => `a ${thing()} ${pick(POSITIONS)} a ${thing()} on ${pick(BACKGROUNDS)}`,
    () => `${pick(NUMBERS)} ${pick(COLORS)} ${pick(OBJECTS)}s ${pick(PLACES)}, ${pick(BACKGROUNDS)} behind them`,
    () => `A ${thing()} with the text "${pick(WORDS)}" written ${pick(PLACES)}.`,
    () => `${Math.floor(rand() * 12) + 1} ${pick(OBJECTS)}s arranged in a ${Math.floor(rand() * 4) + 2}x${Math.floor(rand() * 4) + 2} grid; the one ${pick(PLACES)} is ${pick(COLORS)}.`,
    () => `a photo of a ${thing()}, ${pick(COLORS)} and ${pick(COLORS)} tones, soft light`,
  ];
  return Array.from({ length: count }, () => pick(templates)());
}

/**
 * Hand-picked hard cases for exact encoding: contractions, whitespace runs of every
 * kind, emoji sequences, scripts without spaces, combining marks, digits of other
 * scripts, and special-token text inside ordinary text.
 */
export const VARIED_TEXTS: readonly string[] = [
  'Hello, world!', "it's I'm we'll they've she'd you're don't", "IT'S Don'T", '  leading and trailing  ',
  'tabs\tand\t\ttabs', 'new\nlines\n\n\nmany', '\r\n windows \r\n', 'a    b     c', '   ', ' ', '\n', '\t \n \t',
  'emoji 👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 ✨✨✨', '日本語のテキスト、東京。', 'العربية نص', 'Ελληνικά κείμενο', 'combining é vs é',
  'numbers 123456789 3.14159 1,000,000 ١٢٣ ४२', 'punct!!! ??? ... --- *** (((x))) [a]{b}<c>',
  'url https://example.com/a?b=c&d=e#f', 'nbsp\u00a0here', 'ideographic\u3000space', 'zero\u200bwidth',
  'special <eos> in <pad>text<bos>', '<unk><unk>', '<eos', 'mixed 3D 4K 1080p x264', '\u2028line sep\u2029para',
  'tab at end\t', 'end with spaces   ', 'ﬁ ligature ﬀ', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math', 'Ⅻ roman ½ fraction ² super',
  'x\u0301\u0302\u0303 stacked', 'a red apple left of a cat on a blue background', "''s 's's", 'caf\u00e9 CAFÉ',
  'a'.repeat(300), ' '.repeat(100) + 'x', '9'.repeat(200), '!?'.repeat(150), 'ab'.repeat(100) + ' ' + 'é'.repeat(60),
];

/** Random valid Unicode (all planes, no lone surrogates) mixed with spaces and newlines. */
export function randomUnicodeTexts(count: number, seed = 1): string[] {
  const rand = mulberry32(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = Math.floor(rand() * 40);
    for (let j = 0; j < n; j++) {
      const r = rand();
      // Mostly ASCII and Latin, where merges happen; sometimes anything up to plane 2.
      let cp = r < 0.5 ? 0x20 + Math.floor(rand() * 0x5f) : r < 0.7 ? Math.floor(rand() * 0x800) : Math.floor(rand() * 0x30000);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x1f600; // a surrogate code unit alone is not Unicode text
      s += String.fromCodePoint(cp);
      if (rand() < 0.15) s += rand() < 0.8 ? ' ' : '\n';
    }
    out.push(s);
  }
  return out;
}
