// Prompt encoding with the model card's limit: prompts of up to 32,768 tokens.
import { InputError } from './errors.ts';
import type { Tokenizer } from './tokenizer.ts';

export const MAX_PROMPT_TOKENS = 32768;

export interface EncodePromptOptions {
  addBos?: boolean;
  addEos?: boolean;
  /** Defaults to MAX_PROMPT_TOKENS; a smaller model config may lower it, never raise it. */
  maxTokens?: number;
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Encodes a user's prompt. The limit counts the prompt's own tokens; <bos>/<eos> added
 * here are framing and do not count. Special-token text in a prompt ("<eos>") is
 * encoded as plain characters so that a prompt cannot inject control tokens.
 */
export function encodePrompt(tokenizer: Tokenizer, text: string, options: EncodePromptOptions = {}): Int32Array {
  const limit = Math.min(options.maxTokens ?? MAX_PROMPT_TOKENS, MAX_PROMPT_TOKENS);
  if (typeof text !== 'string') throw new InputError(`prompt must be a string, got ${typeof text}`);
  if (text.trim().length === 0) {
    throw new InputError(text.length === 0 ? 'prompt is empty' : 'prompt is empty (it has only whitespace)');
  }
  const ids = tokenizer.encode(text, { specialTokens: 'text' });
  if (ids.length > limit) {
    throw new InputError(`prompt is ${count(ids.length)} tokens; the limit is ${count(limit)}`);
  }
  if (!options.addBos && !options.addEos) return ids;
  const framed = new Int32Array(ids.length + (options.addBos ? 1 : 0) + (options.addEos ? 1 : 0));
  if (options.addBos) framed[0] = tokenizer.bosId;
  framed.set(ids, options.addBos ? 1 : 0);
  if (options.addEos) framed[framed.length - 1] = tokenizer.eosId;
  return framed;
}
