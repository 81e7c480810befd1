// The playground's Library tab: a photo library (`flowpaint photos`, DIR/.flowpaint/) served
// with `flowpaint serve --library DIR`. Browse the photos and their versions, edit one (with a
// painted mask) or a selection (a batch in the background, resumable like the command's),
// restore any version. Every route validates its input and answers in the API's error shape;
// files are read only through the library's index and only from inside the library folder.
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { authenticate } from '../auth.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { ApiError, badRequest, notFound, tooLarge, tooManyRequests } from '../errors.ts';
import { LibraryError, LibraryService } from '../library/service.ts';
import { QueueFull } from '../queue.ts';
import { admitKey } from './images.ts';

export const LIBRARY = '/playground/api/library';

const PhotoId = z.string().regex(/^[0-9a-f]{12}$/, 'photo ids are 12 hex digits');
const VersionNumber = z.string().regex(/^\d{1,7}$/, 'a version is a whole number: 0 (the original), 1, 2, …').transform(Number);
const Seed = z.coerce.number().int().min(0).max(2 ** 32 - 1);
const Quality = z.enum(['low', 'medium', 'high']);
const Text = (what: string) => z.string().trim().min(1, `${what} must not be empty`).max(2000, `${what} is longer than 2,000 characters`);

/** What to change: an instruction, or a preset with its arguments (the command's --preset). */
const Change = {
  instruction: Text('instruction').optional(),
  preset: z.string().max(64).optional(),
  object: Text('object').optional(),
  color: Text('color').optional(),
  text: Text('text').optional(),
  quality: Quality.default('medium'),
  seed: Seed.optional(),
};

const EditFields = z.strictObject({ ...Change, from: VersionNumber.optional() });
const BatchBody = z.strictObject({ ...Change, photos: z.array(PhotoId).min(1, 'select at least one photo').max(100_000) });
const RestoreBody = z.strictObject({ version: z.number().int().min(0) });

const conflict = (message: string) => new ApiError(409, { message, type: 'invalid_request_error', code: 'library_busy' });
const unavailable = (message: string) => new ApiError(503, { message, type: 'server_error', code: 'library_unavailable', headers: { 'Retry-After': '5' } });
const forbidden = (message: string) => new ApiError(403, { message, type: 'invalid_request_error', code: 'forbidden' });

function toHttp(err: unknown): unknown {
  if (err instanceof LibraryError) {
    if (err.kind === 'not_found') return notFound(err.message);
    if (err.kind === 'busy') return conflict(err.message);
    if (err.kind === 'unavailable') return unavailable(err.message);
    return badRequest(err.message, err.param);
  }
  return err;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.length ? issue.path.map(String).join('.') : null;
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}` : param ? `${param}: ${issue.message}` : issue.message;
  throw badRequest(message, param ?? (issue.code === 'unrecognized_keys' ? issue.keys[0]! : null));
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw badRequest('send a JSON body (Content-Type: application/json)');
  }
}

export function registerLibraryRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const dir = deps.config.library.dir;
  const library = dir ? new LibraryService(dir, deps) : undefined;

  // The library holds someone's own photos: where the server has keys, only admin keys see it.
  const guard = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    if (!c.get('key')) authenticate(c, deps);
    if (!c.get('key').admin) throw forbidden('the photo library is open to admin keys only (mark the key "admin" in the key file or config)');
    if (!library) throw notFound('no photo library is served here: start the server with --library DIR (config: library.dir)');
    await next();
  };
  app.use(LIBRARY, guard);
  app.use(`${LIBRARY}/*`, guard);

  /** A handler whose library failures become API errors. */
  const route = (fn: (c: Context<AppEnv>, lib: LibraryService) => Promise<Response>) => async (c: Context<AppEnv>) => {
    try {
      return await fn(c, library!);
    } catch (err) {
      throw toHttp(err);
    }
  };
  const photoId = (c: Context<AppEnv>) => parse(PhotoId, c.req.param('id'));
  const steps = (q: z.infer<typeof Quality>) => deps.config.quality[q].steps;
  const instructionOf = async (lib: LibraryService, b: { instruction?: string; preset?: string; object?: string; color?: string; text?: string }) => {
    if (b.instruction && b.preset) throw badRequest('give an instruction or a preset, not both', 'preset');
    if (b.preset) return lib.presetInstruction(b.preset, b);
    if (!b.instruction) throw badRequest('say what to change: an instruction, or a preset', 'instruction');
    return b.instruction;
  };

  app.get(LIBRARY, route(async (c, lib) => c.json({ ...(await lib.summary()), presets: await lib.presets(), quality: deps.config.quality })));

  app.post(`${LIBRARY}/index`, route(async (c, lib) => c.json(await lib.index())));

  app.get(`${LIBRARY}/photos/:id/versions/:n/thumb`, route(async (c, lib) => {
    const n = parse(VersionNumber, c.req.param('n'));
    const bytes = await lib.thumbnail(photoId(c), n);
    // The original's thumbnail is made again when a rescan finds the file changed.
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': 'image/jpeg', 'Cache-Control': n === 0 ? 'private, no-cache' : 'private, max-age=31536000, immutable' });
  }));

  app.get(`${LIBRARY}/photos/:id/versions/:n/image`, route(async (c, lib) => {
    const { bytes, immutable } = await lib.image(photoId(c), parse(VersionNumber, c.req.param('n')));
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': 'image/png', 'Cache-Control': immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache' });
  }));

  const limitBody = bodyLimit({ maxSize: deps.config.limits.maxUploadBytes, onError: () => { throw tooLarge(deps.config.limits.maxUploadBytes); } });
  app.post(`${LIBRARY}/photos/:id/edits`, limitBody, route(async (c, lib) => {
    const id = photoId(c);
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw badRequest('send the edit as multipart/form-data (instruction or preset, optional mask file)');
    }
    const fields: Record<string, string> = {};
    let mask: Uint8Array | undefined;
    for (const [k, v] of form.entries()) {
      if (k === 'mask') {
        if (!(v instanceof File)) throw badRequest('mask must be a file (PNG: transparent or white = change)', 'mask');
        mask = new Uint8Array(await v.arrayBuffer());
      } else if (typeof v === 'string') fields[k] = v;
      else throw badRequest(`${k} must be a text field`, k);
    }
    const body = parse(EditFields, fields);
    const instruction = await instructionOf(lib, body);
    const queue = deps.queue();
    const release = admitKey(c, deps);
    try {
      const r = await lib.edit(id, { instruction, preset: body.preset, steps: steps(body.quality), seed: body.seed, from: body.from, mask }, c.req.raw.signal);
      return c.json(r, 201);
    } catch (err) {
      if (err instanceof QueueFull) throw tooManyRequests(err.message, queue?.retryAfterSeconds() ?? 5, 'queue_full');
      throw err;
    } finally {
      release();
    }
  }));

  app.post(`${LIBRARY}/photos/:id/restore`, route(async (c, lib) => {
    const id = photoId(c);
    const body = parse(RestoreBody, await readJson(c));
    return c.json(await lib.restore(id, body.version));
  }));

  app.get(`${LIBRARY}/batches`, route(async (c, lib) => c.json({ batches: (await lib.summary()).batches })));

  app.post(`${LIBRARY}/batches`, route(async (c, lib) => {
    const body = parse(BatchBody, await readJson(c));
    const instruction = await instructionOf(lib, body);
    const unique = [...new Set(body.photos)];
    return c.json(await lib.startBatch(unique, { instruction, preset: body.preset, steps: steps(body.quality), seed: body.seed }), 202);
  }));

  const batchId = (c: Context<AppEnv>) => parse(z.string().regex(/^\d{8}T\d{6}-[0-9a-f]{6}$/, 'not a batch id'), c.req.param('id'));
  app.post(`${LIBRARY}/batches/:id/resume`, route(async (c, lib) => c.json(await lib.resumeBatch(batchId(c)), 202)));
  app.post(`${LIBRARY}/batches/:id/stop`, route(async (c, lib) => {
    lib.stopBatch(batchId(c));
    return c.json({ stopping: true }, 202);
  }));
}
