// Byte-level BPE tokenizer: training, the tokenizer.json format, encoding, prompt limits.
export { Tokenizer, PAD_TOKEN, BOS_TOKEN, EOS_TOKEN, UNK_TOKEN } from './tokenizer.ts';
export type { EncodeOptions, DecodeOptions } from './tokenizer.ts';
export { trainBpe, trainBpeFromCounts, WordCounts, DEFAULT_SPECIAL_TOKENS } from './train.ts';
export type { TrainBpeOptions } from './train.ts';
export { readCaptions, trainBpeFromFiles } from './corpus.ts';
export type { ReadCaptionsOptions } from './corpus.ts';
export { MAX_PROMPT_TOKENS, encodePrompt } from './prompt.ts';
export { InputError } from './errors.ts';
export type { EncodePromptOptions } from './prompt.ts';
export { parseTokenizerJson, formatTokenizerJson } from './format.ts';
export type { TokenizerJson, AddedTokenJson, BpeModelJson, ByteLevelJson } from './format.ts';
export { pretokenize, PRETOKENIZE_PATTERN } from './byteLevel.ts';
