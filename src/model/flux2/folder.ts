// A FLUX.2 [klein] model folder as diffusers writes it (and as it is downloaded):
//   model_index.json, scheduler/scheduler_config.json, text_encoder/{config.json, *.safetensors},
//   tokenizer/{tokenizer.json, tokenizer_config.json}, transformer/{config.json, *.safetensors},
//   vae/{config.json, *.safetensors}
// Weights may be one file or shards with a *.safetensors.index.json, in bf16, f16 or f32. Opening
// reads every config and every safetensors header (never tensor data) and checks that the weights
// are exactly what the configs describe, so a missing or mismatched file fails at once, naming it.
import { join } from 'node:path';
import type { Checkpoint } from '../../engine/index.ts';
import { DiffusersFormatError } from '../diffusers/errors.ts';
import { parseSchedulerConfig, type SchedulerConfig } from '../diffusers/flow-match.ts';
import { openComponentWeights, readJson, readModelIndex } from '../diffusers/folder.ts';
import { type Qwen3Config, parseQwen3Config } from '../diffusers/qwen3.ts';
import { ChatTokenizer } from '../diffusers/tokenizer.ts';
import { buildTransformer, parseTransformerConfig, type TransformerConfig } from './transformer.ts';
import { parseVaeConfig, type VaeConfig } from './vae.ts';

/** The Qwen3 layers whose outputs the klein pipeline stacks (hidden_states indices 9, 18, 27). */
export const KLEIN_HIDDEN_LAYERS = [9, 18, 27] as const;

export interface KleinFolder {
  dir: string;
  /** Step-distilled (klein 4B/9B): no classifier-free guidance. */
  distilled: boolean;
  scheduler: SchedulerConfig;
  transformer: TransformerConfig;
  textEncoder: Qwen3Config;
  vae: VaeConfig;
  tokenizer: ChatTokenizer;
  /** 'model.' or '' (see qwen3Prefix). */
  textEncoderPrefix: string;
  checkpoints: { transformer: Checkpoint; textEncoder: Checkpoint; vae: Checkpoint };
  close(): void;
}

export function openKleinFolder(dir: string): KleinFolder {
  const index = readModelIndex(dir, 'Flux2KleinPipeline', 'FLUX.2 [klein]');
  const scheduler = parseSchedulerConfig(readJson(join(dir, 'scheduler', 'scheduler_config.json'), 'the scheduler config'), join(dir, 'scheduler', 'scheduler_config.json'));
  const tfFile = join(dir, 'transformer', 'config.json');
  const transformer = parseTransformerConfig(readJson(tfFile, 'the transformer config'), tfFile);
  if (transformer.guidanceEmbeds) throw new DiffusersFormatError(`${tfFile}: guidance_embeds true (a guidance-distilled FLUX.2 [dev]-style model) is not supported; klein has none`);
  const teFile = join(dir, 'text_encoder', 'config.json');
  const textEncoder = parseQwen3Config(readJson(teFile, 'the Qwen3 text encoder config'), teFile);
  if (textEncoder.layers < Math.max(...KLEIN_HIDDEN_LAYERS)) {
    throw new DiffusersFormatError(`${teFile}: num_hidden_layers ${textEncoder.layers} is fewer than the ${Math.max(...KLEIN_HIDDEN_LAYERS)} whose outputs the klein pipeline stacks`);
  }
  const vaeFile = join(dir, 'vae', 'config.json');
  const vae = parseVaeConfig(readJson(vaeFile, 'the VAE config'), vaeFile);
  if (transformer.jointAttentionDim !== 3 * textEncoder.hidden) {
    throw new DiffusersFormatError(`${tfFile}: joint_attention_dim ${transformer.jointAttentionDim} must be 3 × the text encoder's hidden_size ${textEncoder.hidden} (${teFile})`);
  }
  if (transformer.inChannels !== 4 * vae.latentChannels) {
    throw new DiffusersFormatError(`${tfFile}: in_channels ${transformer.inChannels} must be 4 × the VAE's latent_channels ${vae.latentChannels} (${vaeFile})`);
  }
  const tokenizer = ChatTokenizer.open(join(dir, 'tokenizer'), { enableThinking: false });

  const weights = openComponentWeights(dir, {
    transformer: buildTransformer(transformer).params,
    textEncoder,
    layers: KLEIN_HIDDEN_LAYERS,
    vae,
    more: ({ vae: vck }) => {
      const c4 = 4 * vae.latentChannels;
      for (const k of ['bn.running_mean', 'bn.running_var']) {
        if (!vck.has(k)) throw new DiffusersFormatError(`${vck.source}: the VAE has no '${k}' (the latent batch-norm statistics)`);
        const shape = vck.info(k).shape;
        if (shape.join() !== String(c4)) throw new DiffusersFormatError(`${vck.info(k).file}: '${k}' has shape [${shape}], expected [${c4}]`);
      }
    },
  });
  return { dir, distilled: index.is_distilled === true, scheduler, transformer, textEncoder, vae, tokenizer, ...weights };
}
