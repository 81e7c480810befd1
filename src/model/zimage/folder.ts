// A Z-Image model folder as diffusers writes it (and as Z-Image-Turbo is downloaded):
//   model_index.json (ZImagePipeline), scheduler/scheduler_config.json,
//   text_encoder/{config.json, *.safetensors} (Qwen3, saved as Qwen3Model or Qwen3ForCausalLM),
//   tokenizer/{tokenizer.json, tokenizer_config.json, chat template}, transformer/{config.json,
//   *.safetensors} (ZImageTransformer2DModel), vae/{config.json, *.safetensors} (AutoencoderKL)
// Weights may be one file or shards with a *.safetensors.index.json, in bf16, f16 or f32. Opening
// reads every config and every safetensors header (never tensor data) and checks the weights
// against the configs and the configs against each other, so a missing or mismatched file fails at
// once, naming it and what was expected.
import { join } from 'node:path';
import type { Checkpoint } from '../../engine/index.ts';
import { DiffusersFormatError } from '../diffusers/errors.ts';
import { parseSchedulerConfig, type SchedulerConfig } from '../diffusers/flow-match.ts';
import { openComponentWeights, readJson, readModelIndex } from '../diffusers/folder.ts';
import { type Qwen3Config, parseQwen3Config } from '../diffusers/qwen3.ts';
import { ChatTokenizer } from '../diffusers/tokenizer.ts';
import { buildZImageTransformer, parseZImageTransformerConfig, type ZImageTransformerConfig } from './transformer.ts';
import { parseZImageVaeConfig, type ZImageVaeConfig } from './vae.ts';

export interface ZImageFolder {
  dir: string;
  scheduler: SchedulerConfig;
  transformer: ZImageTransformerConfig;
  textEncoder: Qwen3Config;
  /** The Qwen3 layer whose output is the prompt embedding (hidden_states[-2]: the last layer but one, 1-based). */
  promptLayer: number;
  /** 'model.' or '' (see qwen3Prefix). */
  textEncoderPrefix: string;
  vae: ZImageVaeConfig;
  tokenizer: ChatTokenizer;
  checkpoints: { transformer: Checkpoint; textEncoder: Checkpoint; vae: Checkpoint };
  close(): void;
}

export function openZImageFolder(dir: string): ZImageFolder {
  readModelIndex(dir, 'ZImagePipeline', 'Z-Image');
  const schedFile = join(dir, 'scheduler', 'scheduler_config.json');
  const scheduler = parseSchedulerConfig(readJson(schedFile, 'the scheduler config'), schedFile);
  const tfFile = join(dir, 'transformer', 'config.json');
  const transformer = parseZImageTransformerConfig(readJson(tfFile, 'the transformer config'), tfFile);
  const teFile = join(dir, 'text_encoder', 'config.json');
  const textEncoder = parseQwen3Config(readJson(teFile, 'the Qwen3 text encoder config'), teFile);
  if (textEncoder.layers < 2) throw new DiffusersFormatError(`${teFile}: num_hidden_layers ${textEncoder.layers}: the Z-Image pipeline takes the output of the last layer but one, so at least 2 are needed`);
  const vaeFile = join(dir, 'vae', 'config.json');
  const vae = parseZImageVaeConfig(readJson(vaeFile, 'the VAE config'), vaeFile);
  if (transformer.capFeatDim !== textEncoder.hidden) {
    throw new DiffusersFormatError(`${tfFile}: cap_feat_dim ${transformer.capFeatDim} must equal the text encoder's hidden_size ${textEncoder.hidden} (${teFile})`);
  }
  if (transformer.inChannels !== vae.latentChannels) {
    throw new DiffusersFormatError(`${tfFile}: in_channels ${transformer.inChannels} must equal the VAE's latent_channels ${vae.latentChannels} (${vaeFile})`);
  }
  const tokenizer = ChatTokenizer.open(join(dir, 'tokenizer'), { enableThinking: true });
  const promptLayer = textEncoder.layers - 1;

  // The last layer, the final norm and an LM head (if saved) are never used.
  const weights = openComponentWeights(dir, { transformer: buildZImageTransformer(transformer).params, textEncoder, layers: [promptLayer], vae });
  return { dir, scheduler, transformer, textEncoder, promptLayer, vae, tokenizer, ...weights };
}
