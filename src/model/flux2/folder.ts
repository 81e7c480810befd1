// A FLUX.2 [klein] model folder as diffusers writes it (and as it is downloaded):
//   model_index.json, scheduler/scheduler_config.json, text_encoder/{config.json, *.safetensors},
//   tokenizer/{tokenizer.json, tokenizer_config.json}, transformer/{config.json, *.safetensors},
//   vae/{config.json, *.safetensors}
// Weights may be one file or shards with a *.safetensors.index.json, in bf16, f16 or f32. Opening
// reads every config and every safetensors header (never tensor data) and checks that the weights
// are exactly what the configs describe, so a missing or mismatched file fails at once, naming it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Checkpoint } from '../../engine/index.ts';
import { Flux2FormatError } from './errors.ts';
import { buildQwen3, type Qwen3Config, parseQwen3Config } from './qwen3.ts';
import { parseSchedulerConfig, type SchedulerConfig } from './scheduler.ts';
import { KleinTokenizer } from './tokenizer.ts';
import { buildTransformer, parseTransformerConfig, type TransformerConfig } from './transformer.ts';
import { buildVae, parseVaeConfig, type VaeConfig } from './vae.ts';

const PIPELINES = ['Flux2KleinPipeline'];
const COMPONENTS = ['scheduler', 'text_encoder', 'tokenizer', 'transformer', 'vae'] as const;

/** True when `dir` looks like a diffusers folder (it has model_index.json): the CLI's test for which loader to use. */
export function isDiffusersFolder(dir: string): boolean {
  return existsSync(join(dir, 'model_index.json'));
}

function readJson(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) throw new Flux2FormatError(`${path}: missing (${what})`);
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new Flux2FormatError(`${path}: not valid JSON (${(err as Error).message}); expected ${what}`);
  }
}

function openCheckpoint(dir: string, what: string): Checkpoint {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Flux2FormatError(`${dir}: missing folder (${what} weights)`);
  try {
    return Checkpoint.open(dir);
  } catch (err) {
    // The checkpoint's own message names the file (missing shard, truncated file, bad header).
    throw new Flux2FormatError(`${what} weights: ${(err as Error).message}`);
  }
}

export interface KleinFolder {
  dir: string;
  /** Step-distilled (klein 4B/9B): no classifier-free guidance. */
  distilled: boolean;
  scheduler: SchedulerConfig;
  transformer: TransformerConfig;
  textEncoder: Qwen3Config;
  vae: VaeConfig;
  tokenizer: KleinTokenizer;
  checkpoints: { transformer: Checkpoint; textEncoder: Checkpoint; vae: Checkpoint };
  close(): void;
}

export function openKleinFolder(dir: string): KleinFolder {
  const index = readJson(join(dir, 'model_index.json'), 'the diffusers pipeline index');
  const cls = index._class_name;
  if (typeof cls !== 'string' || !PIPELINES.includes(cls)) {
    throw new Flux2FormatError(`${join(dir, 'model_index.json')}: _class_name is ${JSON.stringify(cls)}; flowpaint runs ${PIPELINES.join(', ')} folders (FLUX.2 [klein])`);
  }
  for (const c of COMPONENTS) {
    if (!Array.isArray(index[c])) throw new Flux2FormatError(`${join(dir, 'model_index.json')}: no '${c}' component (expected ${COMPONENTS.join(', ')})`);
  }
  const scheduler = parseSchedulerConfig(readJson(join(dir, 'scheduler', 'scheduler_config.json'), 'the scheduler config'), join(dir, 'scheduler', 'scheduler_config.json'));
  const tfFile = join(dir, 'transformer', 'config.json');
  const transformer = parseTransformerConfig(readJson(tfFile, 'the transformer config'), tfFile);
  if (transformer.guidanceEmbeds) throw new Flux2FormatError(`${tfFile}: guidance_embeds true (a guidance-distilled FLUX.2 [dev]-style model) is not supported; klein has none`);
  const teFile = join(dir, 'text_encoder', 'config.json');
  const textEncoder = parseQwen3Config(readJson(teFile, 'the Qwen3 text encoder config'), teFile);
  const vaeFile = join(dir, 'vae', 'config.json');
  const vae = parseVaeConfig(readJson(vaeFile, 'the VAE config'), vaeFile);
  if (transformer.jointAttentionDim !== 3 * textEncoder.hidden) {
    throw new Flux2FormatError(`${tfFile}: joint_attention_dim ${transformer.jointAttentionDim} must be 3 × the text encoder's hidden_size ${textEncoder.hidden} (${teFile})`);
  }
  if (transformer.inChannels !== 4 * vae.latentChannels) {
    throw new Flux2FormatError(`${tfFile}: in_channels ${transformer.inChannels} must be 4 × the VAE's latent_channels ${vae.latentChannels} (${vaeFile})`);
  }
  const tokenizer = KleinTokenizer.open(join(dir, 'tokenizer'));

  const opened: Checkpoint[] = [];
  try {
    const tck = openCheckpoint(join(dir, 'transformer'), 'transformer');
    opened.push(tck);
    buildTransformer(transformer).params.check(tck, 'the transformer', { strict: true });
    const eck = openCheckpoint(join(dir, 'text_encoder'), 'text encoder');
    opened.push(eck);
    // Layers past the deepest stacked one, the final norm and the LM head are never used.
    buildQwen3(textEncoder).params.check(eck, 'the text encoder');
    const vck = openCheckpoint(join(dir, 'vae'), 'VAE');
    opened.push(vck);
    const graphs = buildVae(vae);
    graphs.encoderParams.check(vck, 'the VAE encoder');
    graphs.decoderParams.check(vck, 'the VAE decoder');
    const c4 = 4 * vae.latentChannels;
    for (const k of ['bn.running_mean', 'bn.running_var']) {
      if (!vck.has(k)) throw new Flux2FormatError(`${vck.source}: the VAE has no '${k}' (the latent batch-norm statistics)`);
      const shape = vck.info(k).shape;
      if (shape.join() !== String(c4)) throw new Flux2FormatError(`${vck.info(k).file}: '${k}' has shape [${shape}], expected [${c4}]`);
    }
    return {
      dir,
      distilled: index.is_distilled === true,
      scheduler,
      transformer,
      textEncoder,
      vae,
      tokenizer,
      checkpoints: { transformer: tck, textEncoder: eck, vae: vck },
      close() {
        for (const c of opened) c.close();
      },
    };
  } catch (err) {
    for (const c of opened) c.close();
    throw err;
  }
}
