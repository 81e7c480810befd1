// A loaded tokenizer.json: encodes text to ids and decodes ids to text, exactly as the
// reference implementation (Hugging Face `tokenizers`) does for the same file.
import { readFileSync, writeFileSync } from 'node:fs';
import { at } from '../../at.ts';
import { BpeModel } from './bpe.ts';
import { pretokenize, tokenStringToBytes, utf8Bytes } from './byteLevel.ts';
import { formatTokenizerJson, parseTokenizerJson, type AddedTokenJson, type TokenizerJson } from './format.ts';

export const PAD_TOKEN = '<pad>';
export const BOS_TOKEN = '<bos>';
export const EOS_TOKEN = '<eos>';
export const UNK_TOKEN = '<unk>';

export interface EncodeOptions {
  addBos?: boolean;
  addEos?: boolean;
  /**
   * 'parse' (the format's default): a special token's text inside the input, such as
   * "<eos>", becomes that token. 'text': it is encoded as ordinary characters, the
   * reference implementation's `encode_special_tokens` mode; use it for user text that
   * must not be able to inject control tokens.
   */
  specialTokens?: 'parse' | 'text';
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
}

export class Tokenizer {
  private readonly json: TokenizerJson;
  private readonly model: BpeModel;
  private readonly addedById = new Map<number, AddedTokenJson>();
  private readonly addedByContent = new Map<string, AddedTokenJson>();
  private readonly splitAll: RegExp | null;
  private readonly splitNonSpecial: RegExp | null;
  private readonly addPrefixSpace: boolean;
  private readonly idBytes: (Uint8Array | undefined)[] = [];
  /** Size of an embedding table indexed by these ids: one more than the largest id. */
  readonly vocabSize: number;

  private constructor(json: TokenizerJson) {
    this.json = json;
    this.model = new BpeModel(json.model.vocab, json.model.merges, json.model.ignore_merges);
    let maxId = this.model.idToToken.length - 1;
    for (const t of json.added_tokens) {
      const known = this.model.idToToken[t.id];
      // An added token may repeat its vocab entry (the trainer writes both) but not replace another.
      if (known !== undefined && known !== t.content) {
        throw new Error(`added token ${JSON.stringify(t.content)} has id ${t.id}, which the vocab gives to ${JSON.stringify(known)}`);
      }
      if (this.addedByContent.has(t.content) || this.addedById.has(t.id)) {
        throw new Error(`added token ${JSON.stringify(t.content)} (id ${t.id}) is listed twice`);
      }
      this.addedById.set(t.id, t);
      this.addedByContent.set(t.content, t);
      maxId = Math.max(maxId, t.id);
    }
    this.vocabSize = maxId + 1;
    this.splitAll = splitterFor(json.added_tokens);
    this.splitNonSpecial = splitterFor(json.added_tokens.filter((t) => !t.special));
    this.addPrefixSpace = json.pre_tokenizer.add_prefix_space;
  }

  /** From a parsed tokenizer.json object, or from the path of a tokenizer.json file. */
  static fromJSON(source: unknown): Tokenizer {
    if (typeof source === 'string') return Tokenizer.fromFile(source);
    return new Tokenizer(parseTokenizerJson(source));
  }

  static fromFile(path: string): Tokenizer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read tokenizer ${path}: ${(err as Error).message}`);
    }
    return new Tokenizer(parseTokenizerJson(parsed, path));
  }

  /** The tokenizer.json object (a copy: changing it does not change this tokenizer). */
  toJSON(): TokenizerJson {
    return structuredClone(this.json);
  }

  /** tokenizer.json text; identical tokenizers give identical bytes. */
  serialize(): string {
    return formatTokenizerJson(this.json);
  }

  save(path: string): void {
    writeFileSync(path, this.serialize());
  }

  get mergeCount(): number {
    return this.json.model.merges.length;
  }

  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const ids: number[] = [];
    if (options.addBos) ids.push(this.bosId);
    const splitter = options.specialTokens === 'text' ? this.splitNonSpecial : this.splitAll;
    if (splitter === null) {
      this.encodeOrdinary(text, ids);
    } else {
      // Added tokens are found in the raw text first; only the text between them is
      // pre-tokenized, so "a<eos>b" never merges across the special token.
      let start = 0;
      splitter.lastIndex = 0;
      for (let m = splitter.exec(text); m !== null; m = splitter.exec(text)) {
        if (m.index > start) this.encodeOrdinary(text.slice(start, m.index), ids);
        ids.push(this.addedByContent.get(m[0])!.id);
        start = m.index + m[0].length;
      }
      if (start < text.length) this.encodeOrdinary(text.slice(start), ids);
    }
    if (options.addEos) ids.push(this.eosId);
    return Int32Array.from(ids);
  }

  private encodeOrdinary(text: string, ids: number[]): void {
    for (const piece of pretokenize(text, this.addPrefixSpace)) this.model.encodePiece(piece, ids);
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = at(ids, i, 'ids');
      if (options.skipSpecialTokens && this.addedById.get(id)?.special) continue;
      const bytes = this.bytesOf(id);
      parts.push(bytes);
      total += bytes.length;
    }
    const all = new Uint8Array(total);
    let offset = 0;
    for (const p of parts) {
      all.set(p, offset);
      offset += p.length;
    }
    // Ids can end mid-character (a truncated sequence); like the reference, decode
    // such bytes as U+FFFD rather than fail.
    return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(all);
  }

  /** The token string of an id: the byte-level spelling for vocab tokens, the content for added tokens. */
  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.model.idToToken[id];
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.tokenToId.get(token);
  }

  get padId(): number {
    return this.requireToken(PAD_TOKEN);
  }
  get bosId(): number {
    return this.requireToken(BOS_TOKEN);
  }
  get eosId(): number {
    return this.requireToken(EOS_TOKEN);
  }
  get unkId(): number {
    return this.requireToken(UNK_TOKEN);
  }

  /** Ids of the special added tokens, which carry no text. */
  get specialIds(): number[] {
    return [...this.addedById.values()].filter((t) => t.special).map((t) => t.id);
  }

  private requireToken(content: string): number {
    const id = this.addedByContent.get(content)?.id;
    if (id === undefined) throw new Error(`this tokenizer has no ${content} token`);
    return id;
  }

  private bytesOf(id: number): Uint8Array {
    let bytes = this.idBytes[id];
    if (bytes !== undefined) return bytes;
    if (!Number.isInteger(id)) throw new RangeError(`token id ${id} is not an integer`);
    const token = this.idToToken(id);
    if (token === undefined) throw new RangeError(`token id ${id} is not in the vocabulary (size ${this.vocabSize})`);
    // The byte-level decoder reads each character as the byte it stands for; a token
    // with characters outside that alphabet (an added token such as "<pad>" is inside
    // it, "→" would not be) is written as its own UTF-8 text.
    bytes = tokenStringToBytes(token) ?? utf8Bytes(token);
    this.idBytes[id] = bytes;
    return bytes;
  }
}

/** A regex finding added tokens leftmost-first, longest-first (the reference's matching rule). */
function splitterFor(tokens: readonly AddedTokenJson[]): RegExp | null {
  if (tokens.length === 0) return null;
  const escaped = [...tokens]
    .map((t) => t.content)
    .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
    .map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(escaped.join('|'), 'g');
}
