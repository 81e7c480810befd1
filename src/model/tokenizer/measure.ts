// Measures the tokenizer: training time, compression, and how fast a 32,768-token
// prompt encodes, with @huggingface/tokenizers on the same file for comparison.
// Prints a table and ends with one JSON line, like the scripts under bench/.
//   npx tsx src/model/tokenizer/measure.ts [--mb 3] [--vocab 8192] [--file corpus.txt ...]
// Without --file the corpus is generated captions; --file takes .txt (one text per
// line) or .jsonl captions, e.g. a user's own data.
import { at } from '../../at.ts';
import { readCaptions } from './corpus.ts';
import { generateCaptions } from './fixtures.ts';
import { MAX_PROMPT_TOKENS } from './prompt.ts';
import { Tokenizer } from './tokenizer.ts';
import { trainBpe } from './train.ts';
import { utf8Bytes } from './byteLevel.ts';

interface Args {
  mb: number;
  vocab: number;
  files: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { mb: 3, vocab: 8192, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--mb') args.mb = Number(value);
    else if (flag === '--vocab') args.vocab = Number(value);
    else if (flag === '--file') args.files.push(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return args;
}

async function loadCorpus(args: Args): Promise<string[]> {
  const texts: string[] = [];
  let bytes = 0;
  const budget = args.mb * 1e6;
  if (args.files.length > 0) {
    for (const f of args.files) {
      for await (const t of readCaptions(f)) {
        texts.push(t);
        bytes += utf8Bytes(t).length + 1;
        if (bytes >= budget) return texts;
      }
    }
    return texts;
  }
  for (let seed = 1; bytes < budget; seed++) {
    for (const t of generateCaptions(10000, seed)) {
      texts.push(t);
      bytes += utf8Bytes(t).length + 1;
    }
  }
  return texts;
}

/** The longest prefix of `texts` (joined by newlines) that encodes to at most `limit` tokens. */
function promptOf(tok: Tokenizer, texts: string[], limit: number): string {
  const parts: string[] = [];
  let n = 0;
  for (const t of texts) {
    const k = tok.encode(t + '\n').length;
    if (n + k > limit) break;
    parts.push(t);
    n += k;
  }
  return parts.join('\n');
}

function timeMs(fn: () => void, repeats: number): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return at(times.sort((a, b) => a - b), Math.floor(times.length / 2), 'timings');
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const corpus = await loadCorpus(args);
  const corpusBytes = corpus.reduce((s, t) => s + utf8Bytes(t).length, 0);

  let t0 = performance.now();
  const tok = trainBpe(corpus, { vocabSize: args.vocab });
  const trainMs = performance.now() - t0;

  // Compression on held-out text when there is enough of it (the last tenth), else on all.
  const held = corpus.slice(Math.floor(corpus.length * 0.9));
  const heldBytes = held.reduce((s, t) => s + utf8Bytes(t).length, 0);
  const heldTokens = held.reduce((s, t) => s + tok.encode(t).length, 0);

  const json = tok.toJSON();
  const prompt = promptOf(tok, corpus.slice(Math.floor(corpus.length / 2)), MAX_PROMPT_TOKENS);
  const promptTokens = tok.encode(prompt).length;
  // "Cold": a freshly loaded tokenizer, so no word is cached; what a server's first request sees.
  const coldMs = timeMs(() => Tokenizer.fromJSON(json).encode(prompt), 5) - timeMs(() => Tokenizer.fromJSON(json), 5);
  const warmMs = timeMs(() => tok.encode(prompt), 9);
  const loadMs = timeMs(() => Tokenizer.fromJSON(json), 5);

  // Unseen, hard text: random code points and long runs, so few words repeat or cache.
  const hard = hardPrompt(tok);
  const hardTokens = tok.encode(hard).length;
  const hardMs = timeMs(() => Tokenizer.fromJSON(json).encode(hard), 3) - loadMs;

  const { Tokenizer: HfTokenizer } = await import('@huggingface/tokenizers');
  const hf = new HfTokenizer(json, {});
  const hfColdMs = timeMs(() => new HfTokenizer(json, {}).encode(prompt, { add_special_tokens: false }), 3);
  const hfWarmMs = timeMs(() => hf.encode(prompt, { add_special_tokens: false }), 5);
  const hfSame = JSON.stringify(hf.encode(prompt, { add_special_tokens: false }).ids) === JSON.stringify([...tok.encode(prompt)]);

  const rows: [string, string][] = [
    ['corpus', `${corpus.length} texts, ${(corpusBytes / 1e6).toFixed(2)} MB${args.files.length ? ` from ${args.files.length} file(s)` : ' (generated captions)'}`],
    ['train', `${(trainMs / 1000).toFixed(2)} s → vocab ${tok.vocabSize} (${tok.mergeCount} merges; asked ${args.vocab})`],
    ['compression', `${(heldBytes / heldTokens).toFixed(2)} bytes/token on ${held.length} held-back texts`],
    ['load tokenizer.json', `${loadMs.toFixed(1)} ms`],
    [`encode ${promptTokens}-token prompt, cold`, `${coldMs.toFixed(1)} ms`],
    [`encode ${promptTokens}-token prompt, warm`, `${warmMs.toFixed(1)} ms`],
    [`encode ${hardTokens}-token random-unicode prompt, cold`, `${hardMs.toFixed(1)} ms`],
    ['@huggingface/tokenizers 0.2.0 same prompt', `cold ${hfColdMs.toFixed(1)} ms (incl. load), warm ${hfWarmMs.toFixed(1)} ms, same ids: ${hfSame}`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log(
    JSON.stringify({
      bench: 'tokenizer',
      corpusMB: corpusBytes / 1e6,
      trainSeconds: trainMs / 1000,
      vocabSize: tok.vocabSize,
      bytesPerToken: heldBytes / heldTokens,
      promptTokens,
      encodeColdMs: coldMs,
      encodeWarmMs: warmMs,
      hardPromptTokens: hardTokens,
      encodeHardColdMs: hardMs,
      hfEncodeWarmMs: hfWarmMs,
      hfSameIds: hfSame,
    }),
  );
}

function hardPrompt(tok: Tokenizer): string {
  let seed = 12345;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let s = 'x'.repeat(2000) + ' ' + '1'.repeat(2000) + ' ' + ' '.repeat(2000);
  while (tok.encode(s).length < MAX_PROMPT_TOKENS - 64) {
    let chunk = '';
    for (let i = 0; i < 512; i++) {
      let cp = Math.floor(rand() * 0x30000);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x20;
      chunk += String.fromCodePoint(cp) + (rand() < 0.2 ? ' ' : '');
    }
    s += chunk;
  }
  return s;
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
