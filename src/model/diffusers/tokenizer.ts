// The prompt side of the Qwen3-conditioned diffusers pipelines (FLUX.2 [klein], Z-Image): the
// folder's own chat template (Jinja, rendered by @huggingface/jinja) wraps the prompt as one user
// turn with the generation prompt opened (klein renders it with thinking off, Z-Image with it on),
// then the folder's tokenizer.json (byte-level BPE, run by @huggingface/tokenizers) turns it into
// ids, truncated and padded to the pipeline's fixed length (512) with the pad token, on the side
// tokenizer_config.json names (right unless it says left). Both libraries are the Hugging Face JS
// ports of the reference's own components.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { DiffusersFormatError } from './errors.ts';

export interface EncodedPrompt {
  ids: number[];
  /** 1 for real tokens, 0 for padding. */
  mask: number[];
  /** The chat text the ids encode (before padding). */
  text: string;
}

function readJson(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new DiffusersFormatError(`${path}: missing (a diffusers folder with a Qwen tokenizer has it)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new DiffusersFormatError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** A token given as a string or as an AddedToken object ({content: ...}) in tokenizer_config.json. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export interface ChatTokenizerOptions {
  /** The template's enable_thinking: false renders klein's empty think block, true (Z-Image) none. */
  enableThinking: boolean;
}

export class ChatTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly template: Template,
    private readonly specials: Record<string, string>,
    readonly padId: number,
    readonly paddingSide: 'left' | 'right',
    private readonly enableThinking: boolean,
  ) {}

  /** Opens `dir` (the folder's tokenizer/): tokenizer.json, tokenizer_config.json, and the chat template there or in chat_template.jinja. */
  static open(dir: string, opts: ChatTokenizerOptions): ChatTokenizer {
    const tokFile = join(dir, 'tokenizer.json');
    const cfgFile = join(dir, 'tokenizer_config.json');
    const tokJson = readJson(tokFile);
    const cfg = readJson(cfgFile);
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(tokJson, cfg);
    } catch (err) {
      throw new DiffusersFormatError(`${tokFile}: cannot be loaded as a tokenizer (${(err as Error).message})`);
    }
    const jinjaFile = join(dir, 'chat_template.jinja');
    let source: unknown = existsSync(jinjaFile) ? readFileSync(jinjaFile, 'utf8') : cfg.chat_template;
    if (Array.isArray(source)) source = (source as Array<{ name?: string; template?: string }>).find((t) => t.name === 'default')?.template;
    if (typeof source !== 'string' || source.length === 0) {
      throw new DiffusersFormatError(`${dir}: no chat template (expected chat_template.jinja or a "chat_template" in tokenizer_config.json)`);
    }
    let template: Template;
    try {
      template = new Template(source);
    } catch (err) {
      throw new DiffusersFormatError(`${dir}: the chat template does not parse (${(err as Error).message})`);
    }
    const pad = tokenText(cfg.pad_token);
    if (!pad) throw new DiffusersFormatError(`${cfgFile}: no pad_token (the pipeline pads prompts to a fixed length)`);
    const padId = tokenizer.token_to_id(pad);
    if (padId === undefined) throw new DiffusersFormatError(`${cfgFile}: pad_token '${pad}' is not in ${tokFile}`);
    const side = cfg.padding_side ?? 'right';
    if (side !== 'left' && side !== 'right') throw new DiffusersFormatError(`${cfgFile}: padding_side must be "left" or "right", got ${JSON.stringify(side)}`);
    const specials: Record<string, string> = {};
    for (const k of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
      const t = tokenText(cfg[k]);
      if (t) specials[k] = t;
    }
    return new ChatTokenizer(tokenizer, template, specials, padId, side, opts.enableThinking);
  }

  /** The prompt as the one user turn of a chat, with the assistant's turn opened. */
  chatText(prompt: string): string {
    return this.template.render({
      messages: [{ role: 'user', content: prompt }],
      add_generation_prompt: true,
      enable_thinking: this.enableThinking,
      ...this.specials,
    });
  }

  /** Token ids of `text` (no padding). */
  ids(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  /** The chat text's ids, truncated to `maxLength` (the end is cut) and padded to it on the tokenizer's padding side. */
  encodePrompt(prompt: string, maxLength: number): EncodedPrompt {
    const text = this.chatText(prompt);
    const real = this.ids(text).slice(0, maxLength);
    const pad = new Array<number>(maxLength - real.length).fill(this.padId);
    const ones = real.map(() => 1);
    const zeros = pad.map(() => 0);
    return this.paddingSide === 'left'
      ? { ids: [...pad, ...real], mask: [...zeros, ...ones], text }
      : { ids: [...real, ...pad], mask: [...ones, ...zeros], text };
  }
}
