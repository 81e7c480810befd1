// The Hugging Face tokenizer.json format, restricted to what a byte-level BPE uses.
// Files outside that subset are refused with a message naming the field, rather than
// loaded and encoded differently from the reference implementation.
import { z } from 'zod';

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface ByteLevelJson {
  type: 'ByteLevel';
  add_prefix_space: boolean;
  trim_offsets: boolean;
  use_regex: boolean;
}

export interface BpeModelJson {
  type: 'BPE';
  dropout: null;
  unk_token: string | null;
  continuing_subword_prefix: null;
  end_of_word_suffix: null;
  fuse_unk: boolean;
  byte_fallback: boolean;
  ignore_merges: boolean;
  vocab: Record<string, number>;
  merges: [string, string][];
}

export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: null;
  pre_tokenizer: ByteLevelJson;
  post_processor: ByteLevelJson | null;
  decoder: ByteLevelJson;
  model: BpeModelJson;
}

const addedToken = z.object({
  id: z.number().int().nonnegative(),
  content: z.string().min(1),
  // Word-boundary and strip rules change which text an added token matches; none of
  // our tokens use them, so a file that does is refused instead of half-supported.
  single_word: z.literal(false).default(false),
  lstrip: z.literal(false).default(false),
  rstrip: z.literal(false).default(false),
  normalized: z.boolean().default(false),
  special: z.boolean().default(false),
});

const byteLevel = z.object({
  type: z.literal('ByteLevel'),
  add_prefix_space: z.boolean().default(false),
  trim_offsets: z.boolean().default(true),
  // Without the split regex a whole text would be one pre-token: legal, but not a
  // configuration anyone trains, so it is refused rather than silently slow.
  use_regex: z.literal(true).default(true),
});

const bpeModel = z.object({
  type: z.literal('BPE'),
  dropout: z.union([z.null(), z.literal(0)]).default(null).transform(() => null),
  unk_token: z.string().nullable().default(null),
  continuing_subword_prefix: z.union([z.null(), z.literal('')]).default(null).transform(() => null),
  end_of_word_suffix: z.union([z.null(), z.literal('')]).default(null).transform(() => null),
  fuse_unk: z.boolean().default(false),
  byte_fallback: z.literal(false).default(false),
  ignore_merges: z.boolean().default(false),
  vocab: z.record(z.string(), z.number().int().nonnegative()),
  // Both spellings of a merge: ["a", "b"] (tokenizers ≥ 0.20) and the older "a b".
  merges: z.array(
    z.union([
      z.tuple([z.string().min(1), z.string().min(1)]),
      z.string().transform((s, ctx) => {
        const parts = s.split(' ');
        if (parts.length !== 2 || !parts[0] || !parts[1]) {
          ctx.addIssue({ code: 'custom', message: `merge "${s}" is not two tokens separated by one space` });
          return z.NEVER;
        }
        return parts as [string, string];
      }),
    ]),
  ),
});

const tokenizerJson = z.object({
  version: z.string().default('1.0').transform(() => '1.0' as const),
  // Truncation and padding are batch-time concerns handled by the caller, not stored state.
  truncation: z.null().default(null),
  padding: z.null().default(null),
  added_tokens: z.array(addedToken).default([]),
  // A normalizer would make encode→decode lossy, and flowpaint's round trip is exact.
  normalizer: z.null({ message: 'only tokenizers without a normalizer are supported' }).default(null),
  pre_tokenizer: byteLevel,
  // The ByteLevel post-processor only adjusts offsets, which this tokenizer does not report.
  post_processor: byteLevel.nullable().default(null),
  decoder: byteLevel,
  model: bpeModel,
});

/** Checks a parsed tokenizer.json against the supported subset; throws with every problem listed. */
export function parseTokenizerJson(value: unknown, source = 'tokenizer.json'): TokenizerJson {
  const result = tokenizerJson.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(
      `${source} is not a byte-level BPE tokenizer that flowpaint can encode exactly:\n  ${problems.join('\n  ')}`,
    );
  }
  return result.data as TokenizerJson;
}

/**
 * Serializes with a fixed key order and one vocab entry or merge per line, so that the
 * same tokenizer always gives the same bytes and a diff of two files is readable.
 */
export function formatTokenizerJson(json: TokenizerJson): string {
  const s = JSON.stringify;
  const { model } = json;
  const vocab = Object.entries(model.vocab)
    .sort((a, b) => a[1] - b[1])
    .map(([token, id]) => `      ${s(token)}: ${id}`)
    .join(',\n');
  const merges = model.merges.map(([a, b]) => `      [${s(a)}, ${s(b)}]`).join(',\n');
  const addedTokens = json.added_tokens.map((t) => `    ${s(t)}`).join(',\n');
  const { vocab: _v, merges: _m, ...modelHead } = model;
  const head = Object.entries(modelHead)
    .map(([k, v]) => `    ${s(k)}: ${s(v)}`)
    .join(',\n');
  return [
    '{',
    `  "version": ${s(json.version)},`,
    `  "truncation": ${s(json.truncation)},`,
    `  "padding": ${s(json.padding)},`,
    `  "added_tokens": [\n${addedTokens}\n  ],`,
    `  "normalizer": ${s(json.normalizer)},`,
    `  "pre_tokenizer": ${s(json.pre_tokenizer)},`,
    `  "post_processor": ${s(json.post_processor)},`,
    `  "decoder": ${s(json.decoder)},`,
    `  "model": {\n${head},\n    "vocab": {\n${vocab}\n    },\n    "merges": [\n${merges}\n    ]\n  }`,
    '}',
    '',
  ].join('\n');
}
