// Validated request bodies → job specs: sizes, quality → sampler steps, model names, limits.
// Everything here is checked before a job is queued, so a bad request never costs a worker.
import { parseSize } from '../pipeline/sizes.ts';
import type { ServerConfig } from './config.ts';
import { badRequest, toApiError } from './errors.ts';
import type { JobSpec, OutputFormat, Quality } from './jobs.ts';
import type { GenerateBody } from './schemas.ts';

type Common = Omit<GenerateBody, 'prompt'> & { prompt: string };

export interface RequestOptions {
  stream: boolean;
  responseFormat: 'b64_json' | 'url';
  quality: Exclude<Quality, 'auto'>;
}

export function buildSpec(
  kind: 'generate' | 'edit',
  body: Common,
  config: ServerConfig,
  servedModel: string,
  images: { image?: Uint8Array; mask?: Uint8Array } = {},
): { spec: JobSpec; options: RequestOptions } {
  if (body.model != null && body.model !== servedModel && !config.modelAliases.includes(body.model)) {
    throw badRequest(`model '${body.model}' is not served here; use '${servedModel}'`, 'model', 'model_not_found');
  }
  const n = body.n ?? 1;
  if (n > config.limits.maxImages) throw badRequest(`n must be at most ${config.limits.maxImages} on this server, got ${n}`, 'n');
  if (body.background === 'transparent') throw badRequest('transparent backgrounds are not supported; use "opaque" or "auto"', 'background');
  const quality = qualityLevel(body.quality ?? 'auto');
  const sampler = config.quality[quality];
  const stream = body.stream ?? false;
  const outputFormat: OutputFormat = body.output_format ?? 'png';
  let size: { width?: number; height?: number } = {};
  const sizeText = body.size ?? 'auto';
  try {
    if (sizeText !== 'auto') size = parseSize(sizeText, 'size');
    else if (kind === 'generate' && config.defaultSize) size = parseSize(config.defaultSize, 'size');
  } catch (err) {
    const e = toApiError(err);
    throw badRequest(e.message, 'size', 'invalid_size');
  }
  const spec: JobSpec = {
    kind,
    prompt: body.prompt,
    n,
    ...size,
    steps: sampler.steps,
    fast: sampler.fast,
    ...(body.seed !== undefined ? { seed: body.seed } : {}),
    ...(body.guidance !== undefined ? { guidance: body.guidance } : {}),
    outputFormat,
    ...(body.output_compression != null && outputFormat !== 'png' ? { outputCompression: Math.max(1, body.output_compression) } : {}),
    partialImages: stream ? (body.partial_images ?? 0) : 0,
    moderation: body.moderation ?? 'auto',
    ...images,
  };
  return { spec, options: { stream, responseFormat: stream ? 'b64_json' : (body.response_format ?? 'b64_json'), quality } };
}

function qualityLevel(q: NonNullable<GenerateBody['quality']>): RequestOptions['quality'] {
  if (q === 'auto' || q === 'standard') return 'medium';
  if (q === 'hd') return 'high';
  return q;
}
