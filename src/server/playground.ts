// The playground: the web app (web/, built by Vite) at `/`, and the small API it needs beyond
// the Images API — a per-key history of images with their prompts and parameters, and the
// arena's blind pairwise votes with a Bradley–Terry leaderboard. Images themselves are made
// by the page through the server's own /v1/images endpoints, like any other client.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import sharp from 'sharp';
import { z } from 'zod';
import { fitSize, MAX_PIXELS, MIN_SIDE, parseSize, SIDE_MULTIPLE } from '../pipeline/sizes.ts';
import { authenticate } from './auth.ts';
import type { AppDeps, AppEnv } from './deps.ts';
import { Arena, arenaName, TOPICS, type Contender } from './arena/store.ts';
import { board, comparisonsOf, METHOD } from './arena/report.ts';
import { suggestPrompt, type Topic } from './arena/topics.ts';
import { ApiError, badRequest, notFound, notReady, shuttingDown, tooLarge, tooManyRequests } from './errors.ts';
import { QueueFull, type JobQueue } from './queue.ts';
import { buildSpec } from './requests.ts';
import { admitKey } from './routes/images.ts';
import { HistoryStore, type HistoryKind } from './history/store.ts';
import { ensureWebBuilt, isBuilt, WEB_DIR } from './playground-build.ts';

export const API = '/playground/api';

/** The pipeline's input limit (pipeline/image-io.ts), not imported: that module loads the engine. */
const MAX_INPUT_PIXELS = 4096 * 4096;

/** Where history and votes live unless the config says otherwise. */
export function defaultPlaygroundDir(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'flowpaint', 'playground');
}

export interface PlaygroundOptions {
  dir: string;
  webDir?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

const SavedMeta = z.strictObject({
  kind: z.enum(['generate', 'edit', 'upload']),
  prompt: z.string().max(200_000).default(''),
  params: z.record(z.string(), z.unknown()).default({}),
  parent: z.string().max(64).optional(),
});

const SizeText = z.string().regex(/^\d+x\d+$/, 'size must be WIDTHxHEIGHT, e.g. 128x128');
const MatchBody = z.strictObject({ topic: z.enum(TOPICS), prompt: z.string().min(1).max(200_000), size: SizeText.optional() });
const VoteBody = z.strictObject({ match: z.string().min(1).max(64), winner: z.enum(['left', 'right', 'tie']) });

/**
 * The arena's contenders without arena models: the served model at each configured quality. The
 * low setting is the fast mode: Flash, the distilled few-step student, when the model directory has
 * one (flash.safetensors), else the same model and sampler with fewer steps.
 */
export function qualityContenders(quality: AppDeps['config']['quality']): Contender[] {
  return (['low', 'medium', 'high'] as const).map((q) => ({
    name: `quality-${q}`,
    params: { quality: q },
    description: `${quality[q].steps} Euler steps${quality[q].fast ? ' (fast mode: Flash when the model directory has it, else these plain steps)' : ''}`,
  }));
}

const describeModel = (m: JobQueue['model'], steps: number, served: boolean) =>
  `${served ? 'served model, ' : ''}${m.id} ${m.version}${m.sizes ? `, native ${m.sizes.native.width}×${m.sizes.native.height}` : ''}, ${steps} steps`;

/**
 * The contenders now: with arena models configured, the served model (unless left out) and every
 * arena model that has loaded, all at the arena's quality; otherwise the served model's quality levels.
 */
export function arenaContenders(deps: AppDeps): Contender[] {
  const { arena, quality } = deps.config;
  if (arena.models.length === 0) return qualityContenders(quality);
  const steps = quality[arena.quality].steps;
  const served = deps.queue();
  return [
    ...(served && arena.includeServed ? [{ name: arenaName(served.model), params: { quality: arena.quality }, description: describeModel(served.model, steps, true) }] : []),
    ...[...deps.arenaQueues].map(([name, q]) => ({ name, model: name, params: { quality: arena.quality }, description: describeModel(q.model, steps, false) })),
  ];
}

/** What "auto" means for a generation on this server: the configured default size, else the model's native size. */
function defaultSize(deps: AppDeps): { width: number; height: number } | null {
  if (deps.config.defaultSize) return parseSize(deps.config.defaultSize);
  return deps.queue()?.model.sizes?.native ?? null;
}

/** The key a request was made with, by its hash: history and votes belong to it. */
const owner = (c: Context<AppEnv>) => c.get('key').owner;

export function registerPlayground(app: Hono<AppEnv>, deps: AppDeps, opts: PlaygroundOptions): void {
  const history = new HistoryStore(join(opts.dir, 'history'));
  const arena = new Arena(join(opts.dir, 'arena', 'votes.jsonl'), () => arenaContenders(deps));

  // The page reads this before it has a key, to know whether to ask for one.
  app.get(`${API}/config`, (c) => c.json(pageConfig(deps, arena)));

  // Same keys (and the same throttling of wrong ones) as the Images API. History and votes
  // belong to the key that made them, by its hash: a key with the same label is not the same key.
  app.use(`${API}/*`, async (c, next) => {
    if (c.req.path === `${API}/config`) return next();
    authenticate(c, deps);
    return next();
  });
  registerHistoryRoutes(app, deps, history);
  registerArenaRoutes(app, deps, arena);
  registerWebApp(app, deps, opts.webDir ?? WEB_DIR);
}

/** What the page learns before anything else: whether to ask for a key, the limits, the sizes, the guidance scale, the arena's mode. */
function pageConfig(deps: AppDeps, arena: Arena) {
  return {
    keyRequired: !deps.keys.open,
    model: deps.queue()?.model.id ?? null,
    // The size rules (src/data/sizes.ts): the page checks sizes against these, not a copy of its own.
    maxPixels: MAX_PIXELS,
    minSide: MIN_SIDE,
    sideMultiple: SIDE_MULTIPLE,
    maxImages: deps.config.limits.maxImages,
    quality: deps.config.quality,
    // The model's trained sizes (null while it loads: the page asks again) and what "auto" means.
    sizes: (() => {
      const sizes = deps.queue()?.model.sizes;
      return sizes ? { native: sizes.native, buckets: sizes.buckets ?? [sizes.native] } : null;
    })(),
    defaultSize: defaultSize(deps),
    // The text guidance scale a request gets by default, and the range a fast (Flash) request must keep
    // to when the Flash takes the scale as an input; null for a model without guidance, or while it loads.
    guidance: deps.queue()?.model.guidance ?? null,
    topics: TOPICS,
    arena: { mode: deps.config.arena.models.length ? 'models' : 'quality', contenders: arena.contenders.length },
  };
}

/** The per-key history: images saved with their prompts and parameters, fetched and deleted by id. */
function registerHistoryRoutes(app: Hono<AppEnv>, deps: AppDeps, history: HistoryStore): void {
  app.get(`${API}/history`, (c) => c.json({ items: history.list(owner(c)) }));

  const limitBody = bodyLimit({ maxSize: deps.config.limits.maxUploadBytes, onError: () => { throw tooLarge(deps.config.limits.maxUploadBytes); } });
  app.post(`${API}/history`, limitBody, async (c) => {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw badRequest('send the image and its metadata as multipart/form-data');
    }
    const file = form.get('image');
    if (!(file instanceof File)) throw badRequest('image (a file) is required', 'image');
    let meta: z.infer<typeof SavedMeta>;
    try {
      meta = SavedMeta.parse(JSON.parse(String(form.get('meta') ?? '{}')));
    } catch (err) {
      throw badRequest(`meta is not valid: ${err instanceof z.ZodError ? err.issues[0]?.message : (err as Error).message}`, 'meta');
    }
    if (meta.parent && !history.get(owner(c), meta.parent)) throw badRequest(`no history item ${meta.parent}`, 'parent');
    const { bytes, width, height, contentType } = await normalise(new Uint8Array(await file.arrayBuffer()), meta.kind);
    const item = history.add(owner(c), { ...meta, width, height, contentType }, bytes);
    return c.json(item, 201);
  });

  app.get(`${API}/history/:id`, (c) => {
    const item = history.get(owner(c), c.req.param('id'));
    if (!item) throw notFound('no such history item');
    return c.json(item);
  });

  app.get(`${API}/history/:id/image`, (c) => {
    const found = history.image(owner(c), c.req.param('id'));
    if (!found) throw notFound('no such history item');
    return c.body(new Uint8Array(found.bytes), 200, { 'Content-Type': found.item.contentType, 'Cache-Control': 'private, max-age=31536000, immutable' });
  });

  app.delete(`${API}/history/:id`, (c) => {
    if (!history.delete(owner(c), c.req.param('id'))) throw notFound('no such history item');
    return c.json({ deleted: true });
  });
}

/** The arena: blind matches, each side's image made on request, one vote per match, the leaderboard and the export. */
function registerArenaRoutes(app: Hono<AppEnv>, deps: AppDeps, arena: Arena): void {
  app.get(`${API}/arena/suggestion`, (c) => {
    const topic = c.req.query('topic') ?? '';
    if (!(TOPICS as readonly string[]).includes(topic)) throw badRequest(`topic must be one of ${TOPICS.join(', ')}`, 'topic');
    return c.json({ topic, prompt: suggestPrompt(topic as Topic) });
  });

  app.post(`${API}/arena/matches`, async (c) => {
    const body = MatchBody.parse(await c.req.json().catch(() => { throw badRequest('send JSON'); }));
    const fallback = defaultSize(deps);
    const size = body.size ?? (fallback ? `${fallback.width}x${fallback.height}` : undefined);
    if (!size) throw notReady('the model is still loading; retry shortly');
    try {
      parseSize(size);
    } catch (err) {
      throw badRequest((err as Error).message, 'size', 'invalid_size');
    }
    const m = arena.createMatch(owner(c), body.topic, body.prompt, size);
    if (!m) throw notReady('fewer than two arena contenders are ready; retry shortly');
    // The page learns neither the sides' names nor their settings: it asks the server for "left" and "right".
    return c.json({ id: m.id, seed: m.seed, size: m.size }, 201);
  });

  // One side's image of an open match, made by that side's model with the match's seed and size.
  app.post(`${API}/arena/matches/:id/:side{left|right}`, async (c) => {
    if (deps.state.draining) throw shuttingDown();
    const m = arena.openMatch(owner(c), c.req.param('id'));
    if (!m) throw notFound('no open match with that id (a match lasts an hour and ends with its vote)');
    const side = c.req.param('side') === 'left' ? m.left : m.right;
    const queue = side.model ? deps.arenaQueues.get(side.model) : deps.queue();
    if (!queue) throw notReady('that contender is not loaded; start a new match');
    const release = admitKey(c, deps);
    const controller = new AbortController();
    const gone = () => controller.abort();
    c.req.raw.signal.addEventListener('abort', gone, { once: true });
    try {
      const { spec } = buildSpec('generate', { prompt: m.prompt, size: m.size, seed: m.seed, quality: side.params.quality, n: 1, output_format: 'png' }, deps.config, queue.model.id);
      let handle;
      try {
        handle = await queue.enqueue(spec, { signal: controller.signal });
      } catch (err) {
        if (err instanceof QueueFull) throw tooManyRequests(err.message, queue.retryAfterSeconds(), 'queue_full');
        throw err;
      }
      const result = await handle.result;
      return c.body(new Uint8Array(result.images[0]!.bytes), 200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' });
    } finally {
      c.req.raw.signal.removeEventListener('abort', gone);
      release();
    }
  });

  app.post(`${API}/arena/votes`, async (c) => {
    const body = VoteBody.parse(await c.req.json().catch(() => { throw badRequest('send JSON'); }));
    const vote = arena.vote(owner(c), body.match, body.winner);
    if (!vote) throw notFound('no open match with that id (each match takes one vote, within an hour)');
    return c.json(vote, 201);
  });

  app.get(`${API}/arena/leaderboard`, (c) => {
    const topic = c.req.query('topic') || undefined;
    if (topic && !(TOPICS as readonly string[]).includes(topic)) throw badRequest(`topic must be one of ${TOPICS.join(', ')}`, 'topic');
    const current = arena.contenders;
    const b = board(current.map((x) => x.name), comparisonsOf(arena.all(), topic));
    const described = new Map(current.map((x) => [x.name, x.description]));
    return c.json({
      topic: topic ?? null,
      votes: b.votes,
      method: METHOD,
      contenders: b.standings.map(({ name }) => ({ name, description: described.get(name) ?? 'not served now (votes from earlier)', current: described.has(name) })),
      standings: b.standings,
      pairs: b.pairs,
    });
  });

  // Votes carry prompts, so each key exports its own; an admin key exports everyone's.
  app.get(`${API}/arena/votes.jsonl`, (c) => {
    const key = c.get('key');
    const votes = key.admin ? arena.all() : arena.votesOf(key.owner);
    const body = votes.map((v) => JSON.stringify(v)).join('\n');
    return c.body(body ? `${body}\n` : '', 200, { 'Content-Type': 'application/x-ndjson', 'Content-Disposition': 'attachment; filename="arena-votes.jsonl"' });
  });
}

/** The web app at `/`. Its first request builds it if needed; meanwhile the page says so and reloads. */
function registerWebApp(app: Hono<AppEnv>, deps: AppDeps, webDir: string): void {
  let buildError: string | undefined;
  // Checked until it holds once: hashing the sources on every request would be waste.
  let built = false;
  const serveFile = async (c: Context<AppEnv>, rel: string) => {
    if (!built && !(built = isBuilt(webDir))) {
      ensureWebBuilt({ webDir, log: (msg) => deps.logger.info({ event: 'playground.build' }, msg) }).then(
        () => { buildError = undefined; },
        (err: Error) => {
          buildError = err.message;
          deps.logger.error({ event: 'playground.build_failed', err }, 'the playground failed to build');
        },
      );
      const msg = buildError ? `The playground failed to build: ${escapeHtml(buildError)}` : 'Building the playground (first start only)… this page reloads itself.';
      return c.html(`<!doctype html><meta charset="utf-8"><title>flowpaint</title>${buildError ? '' : '<meta http-equiv="refresh" content="3">'}<p>${msg}</p>`, 503, { 'Retry-After': '3' });
    }
    const dist = join(webDir, 'dist');
    const path = normalize(join(dist, rel));
    // A folder (GET /assets/) is no file either.
    if (!path.startsWith(dist + sep) || !isFile(path)) throw notFound('no such file');
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    // Asset names carry a content hash; the page itself must be revalidated.
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return c.body(readFileSync(path), 200, { 'Content-Type': type, 'Cache-Control': cache });
  };
  app.get('/', (c) => serveFile(c, 'index.html'));
  // The docs and people's habits both say /playground; the page lives at the root.
  app.get('/playground', (c) => c.redirect('/', 301));
  app.get('/playground/', (c) => c.redirect('/', 301));
  app.get('/assets/*', (c) => serveFile(c, c.req.path.slice(1)));
}

/**
 * Uploads become PNGs at a size the model takes, so every later edit keeps that size exactly.
 * Every image is decoded in full first: a header that reads well says nothing about the rest.
 */
async function normalise(input: Uint8Array, kind: HistoryKind): Promise<{ bytes: Uint8Array; width: number; height: number; contentType: string }> {
  const open = () => sharp(input, { failOn: 'truncated', limitInputPixels: MAX_INPUT_PIXELS });
  let meta;
  try {
    meta = await open().metadata();
  } catch {
    throw badRequest('the file is not an image that can be read (PNG, JPEG or WebP)', 'image');
  }
  const { width = 0, height = 0, format } = meta;
  try {
    if (kind !== 'upload') {
      const contentType = format === 'png' ? 'image/png' : format === 'jpeg' ? 'image/jpeg' : format === 'webp' ? 'image/webp' : undefined;
      if (!contentType) throw badRequest(`unsupported image format ${format}`, 'image');
      await open().raw().toBuffer();
      // Results of the Images API are kept byte for byte: they carry the provenance marks.
      return { bytes: input, width, height, contentType };
    }
    const size = fitSize(width, height);
    const bytes = await open().rotate().resize(size.width, size.height, { fit: 'fill' }).removeAlpha().png().toBuffer();
    return { bytes, ...size, contentType: 'image/png' };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const msg = (err as Error).message;
    if (/pixel limit/i.test(msg)) throw badRequest(`the image has more than ${MAX_INPUT_PIXELS.toLocaleString('en-US')} pixels (the input limit)`, 'image');
    throw badRequest(`the image is truncated or corrupt (${msg.split('\n')[0]})`, 'image');
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
}
