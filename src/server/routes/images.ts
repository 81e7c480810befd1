// POST /v1/images/generations, POST /v1/images/edits and GET /v1/images/files/:name.
// A request is admitted in a fixed order, cheapest refusal first: key rate and concurrency,
// body size (while it streams in), parameters, image bytes, then a place in the queue.
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { badRequest, JobCancelled, notFound, notReady, tooLarge, tooManyRequests, unsupportedMedia } from '../errors.ts';
import type { JobResult, JobSpec } from '../jobs.ts';
import { QueueFull, type JobQueue } from '../queue.ts';
import { buildSpec, type RequestOptions } from '../requests.ts';
import { EditFormFields, EditJsonBody, GenerateBody } from '../schemas.ts';
import { EventBuffer, streamImages } from '../sse.ts';
import { bytesFromFile, bytesFromString } from '../uploads.ts';
import type { AppEnv, AppDeps } from '../deps.ts';

export function registerImageRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const limitBody = bodyLimit({ maxSize: deps.config.limits.maxUploadBytes, onError: () => { throw tooLarge(deps.config.limits.maxUploadBytes); } });

  app.post('/v1/images/generations', limitBody, async (c) => {
    const release = admitKey(c, deps);
    try {
      const json = await readJson(c);
      const body = GenerateBody.parse(json);
      const queue = requireQueue(deps);
      const { spec, options } = buildSpec('generate', body, deps.config, queue.model.id);
      return await runImages(c, deps, queue, spec, options, release, body.user);
    } catch (err) {
      release();
      throw err;
    }
  });

  app.post('/v1/images/edits', limitBody, async (c) => {
    const release = admitKey(c, deps);
    try {
      const { body, image, mask } = await readEdit(c);
      const queue = requireQueue(deps);
      const { spec, options } = buildSpec('edit', body, deps.config, queue.model.id, { image, ...(mask ? { mask } : {}) });
      return await runImages(c, deps, queue, spec, options, release, body.user);
    } catch (err) {
      release();
      throw err;
    }
  });

  app.get('/v1/images/files/:name', async (c) => {
    const img = await deps.store.get(c.req.param('name'));
    if (!img) throw notFound('no such image (links expire)');
    const maxAge = Math.max(0, Math.floor((img.expiresAt - Date.now()) / 1000));
    return c.body(img.bytes as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': img.contentType, 'Cache-Control': `private, max-age=${maxAge}` });
  });
}

/** Rate and concurrency limits of the request's key; returns the release of its concurrency slot. */
export function admitKey(c: Context<AppEnv>, deps: AppDeps): () => void {
  const key = c.get('key');
  const rate = deps.rate.take(key.id, key.rateLimitPerMinute ?? deps.config.limits.rateLimitPerMinute);
  if (!rate.ok) throw tooManyRequests(`rate limit reached for key ${key.id}; retry after ${Math.ceil(rate.retryAfter)} s`, rate.retryAfter, 'rate_limit_exceeded');
  const max = key.maxConcurrent ?? deps.config.limits.maxConcurrentPerKey;
  const release = deps.concurrency.acquire(key.id, max);
  if (!release) throw tooManyRequests(`key ${key.id} already has ${max} requests in flight`, deps.queue()?.retryAfterSeconds() ?? 5, 'concurrency_limit_exceeded');
  return release;
}

function requireQueue(deps: AppDeps): JobQueue {
  const q = deps.queue();
  if (!q) throw notReady('the model is still loading; retry shortly');
  return q;
}

async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw unsupportedMedia('send the request as application/json');
  try {
    return await c.req.json();
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}

async function readEdit(c: Context): Promise<{ body: EditJsonBody | EditFormFields; image: Uint8Array; mask?: Uint8Array }> {
  const type = c.req.header('content-type') ?? '';
  if (/^multipart\/form-data\b/i.test(type)) {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw badRequest('the multipart body is malformed');
    }
    const fields: Record<string, string> = {};
    const images: Array<File | string> = [];
    let mask: File | string | undefined;
    for (const [name, value] of form.entries()) {
      if (name === 'image' || name === 'image[]') images.push(value);
      else if (name === 'mask') {
        if (mask !== undefined) throw badRequest('send one mask', 'mask');
        mask = value;
      } else if (typeof value === 'string') {
        if (name in fields) throw badRequest(`${name} is given twice`, name);
        fields[name] = value;
      } else throw badRequest(`${name} must be a text field, not a file`, name);
    }
    const body = EditFormFields.parse(fields);
    return { body, image: await oneImage(images), ...(mask !== undefined ? { mask: await toBytes(mask, 'mask') } : {}) };
  }
  if (/^application\/json\b/i.test(type)) {
    const body = EditJsonBody.parse(await readJson(c));
    const refs = [...(Array.isArray(body.image) ? body.image : body.image ? [body.image] : []), ...(body.images ?? [])];
    const ref = (r: (typeof refs)[number]) => (typeof r === 'string' ? r : r.image_url);
    return {
      body,
      image: await oneImage(refs.map(ref)),
      ...(body.mask !== undefined ? { mask: await toBytes(ref(body.mask), 'mask') } : {}),
    };
  }
  throw unsupportedMedia('send edits as multipart/form-data (image and mask files) or application/json (base64 or data: URLs)');
}

async function oneImage(images: Array<File | string>): Promise<Uint8Array> {
  if (images.length === 0) throw badRequest('image is required', 'image');
  // The model edits one source image; several reference images have no meaning for it.
  if (images.length > 1) throw badRequest(`flowpaint edits one image per request; got ${images.length}`, 'image');
  return toBytes(images[0]!, 'image');
}

function toBytes(v: File | string, param: string): Promise<Uint8Array> {
  return typeof v === 'string' ? Promise.resolve(bytesFromString(v, param)) : bytesFromFile(v, param);
}

async function runImages(c: Context<AppEnv>, deps: AppDeps, queue: JobQueue, spec: JobSpec, options: RequestOptions, release: () => void, user?: string): Promise<Response> {
  // The job is cancelled when the client goes away, whether it waits or runs.
  const controller = new AbortController();
  const clientGone = () => controller.abort();
  c.req.raw.signal.addEventListener('abort', clientGone, { once: true });
  const events = new EventBuffer();
  const t0 = performance.now();
  let handle;
  try {
    handle = await queue.enqueue(spec, { signal: controller.signal, onEvent: options.stream ? (e) => events.push(e) : undefined });
  } catch (err) {
    c.req.raw.signal.removeEventListener('abort', clientGone);
    if (err instanceof QueueFull) throw tooManyRequests(err.message, queue.retryAfterSeconds(), 'queue_full');
    throw err;
  }
  const log = c.get('log');
  log.info({ event: 'job.accepted', kind: spec.kind, n: spec.n, size: spec.width ? `${spec.width}x${spec.height}` : 'auto', steps: spec.steps, promptChars: spec.prompt.length, ...(user ? { user } : {}) });
  const finish = (result: JobResult | undefined, err?: unknown) => {
    c.req.raw.signal.removeEventListener('abort', clientGone);
    release();
    const seconds = (performance.now() - t0) / 1000;
    if (result) {
      deps.metrics.jobSeconds.observe({ kind: spec.kind, quality: options.quality }, seconds);
      deps.metrics.imagesGenerated.inc({ kind: spec.kind }, result.images.length);
      log.info({ event: 'job.done', kind: spec.kind, images: result.images.length, seconds: Number(seconds.toFixed(3)) });
    } else {
      const name = err instanceof Error ? err.name : 'Error';
      log[name === 'JobCancelled' ? 'info' : 'warn']({ event: 'job.failed', kind: spec.kind, error: name, seconds: Number(seconds.toFixed(3)) });
      // Refusals of plain responses are counted where they become HTTP errors (app.ts).
      if (name === 'SafetyRefusal' && options.stream) deps.metrics.reject('content_policy');
    }
  };

  if (options.stream) {
    return streamImages(c, { kind: spec.kind, size: spec.width ? `${spec.width}x${spec.height}` : 'auto', quality: options.quality, outputFormat: spec.outputFormat }, events, handle.result, {
      onAbort: clientGone,
      onEnd: finish,
      usage: usageOf,
    });
  }

  let result: JobResult;
  try {
    result = await handle.result;
  } catch (err) {
    finish(undefined, err);
    throw err;
  }
  finish(result);
  if (controller.signal.aborted) throw new JobCancelled();
  const data = options.responseFormat === 'url'
    ? await Promise.all(result.images.map(async (img) => {
        const { name } = await deps.store.put(img.bytes, spec.outputFormat);
        return { url: `${deps.config.publicUrl?.replace(/\/$/, '') ?? new URL(c.req.url).origin}/v1/images/files/${name}` };
      }))
    : result.images.map((img) => ({ b64_json: Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength).toString('base64') }));
  return c.json({
    created: Math.floor(Date.now() / 1000),
    data,
    usage: usageOf(result),
    output_format: spec.outputFormat,
    size: `${result.width}x${result.height}`,
    quality: options.quality,
    background: 'opaque',
  });
}

function usageOf(r: JobResult) {
  const input = r.usage.textTokens + r.usage.inputImageTokens;
  return {
    input_tokens: input,
    input_tokens_details: { text_tokens: r.usage.textTokens, image_tokens: r.usage.inputImageTokens },
    output_tokens: r.usage.outputImageTokens,
    output_tokens_details: { text_tokens: 0, image_tokens: r.usage.outputImageTokens },
    total_tokens: input + r.usage.outputImageTokens,
  };
}
