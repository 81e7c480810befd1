// The server's settings: a JSON file (--config), a key file, the FLOWPAINT_API_KEYS environment
// variable, and command-line flags, in rising precedence. The server keeps only hashes of keys:
// the config file holds hashes, and plaintext keys from a key file or the environment are hashed
// on load. (What the environment still shows after that is in docs/server.md, "Keys".)
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { defaultStepsFor, diffusersKind, isDiffusersFolder } from '../model/diffusers/detect.ts';
import { checkPlainKey, hashKey, KEY_HASH_PATTERN, parseKeyFile } from './keys.ts';

const positiveInt = z.number().int().positive();

const KeyEntrySchema = z.strictObject({
  /** A label for logs and errors; defaults to the first hex digits of the hash. */
  name: z.string().min(1).max(64).optional(),
  hash: z.string().regex(KEY_HASH_PATTERN, 'must be "sha256:" and 64 hex digits (flowpaint serve --hash-key prints one)'),
  /** May read every key's playground data (the arena's full vote export). */
  admin: z.boolean().optional(),
  rateLimitPerMinute: positiveInt.optional(),
  maxConcurrent: positiveInt.optional(),
});

const QualityStepsSchema = z.strictObject({ steps: positiveInt.max(1000), fast: z.boolean().default(false) });

export const ServerConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Base of the URLs handed out for response_format "url" (default: the request's own origin). */
  publicUrl: z.url().optional(),
  keys: z.array(KeyEntrySchema).default([]),
  /** A file of keys, one a line, plaintext or hashed (see parseKeyFile); keeps keys out of the environment. */
  keysFile: z.string().min(1).optional(),
  limits: z
    .strictObject({
      /** Requests per minute per key (a token bucket with this many tokens). */
      rateLimitPerMinute: positiveInt.default(120),
      /** Requests one key may have in flight at once. */
      maxConcurrentPerKey: positiveInt.default(8),
      /** Largest request body, enforced while it streams in. */
      maxUploadBytes: positiveInt.default(25 * 1024 * 1024),
      /** Jobs that may wait for a worker; more are refused with 429. */
      maxQueue: z.number().int().min(0).default(16),
      /** Most images per request (OpenAI allows 1–10). */
      maxImages: positiveInt.max(10).default(4),
      /** Wrong keys one client address may send per minute; past that its requests get 429 until the budget refills. */
      authFailuresPerMinute: positiveInt.default(10),
    })
    .prefault({}),
  workers: z
    .strictObject({
      /** Worker threads, each with its own copy of the model. */
      count: positiveInt.max(64).default(1),
      /** Intra-op threads of each worker's ONNX Runtime sessions. */
      threads: positiveInt.max(256).optional(),
    })
    .prefault({}),
  pipeline: z
    .strictObject({
      modelDir: z.string().optional(),
      /** A module exporting createPipeline(options) to use instead of flowpaint's own pipeline. */
      module: z.string().optional(),
      /** Passed to the pipeline loader as they are (e.g. a safety section). */
      options: z.record(z.string(), z.unknown()).default({}),
    })
    .prefault({}),
  /** Sampler settings per OpenAI quality level; "auto" uses medium. "low" is the few-step mode. */
  quality: z
    .strictObject({
      low: QualityStepsSchema.default({ steps: 4, fast: true }),
      medium: QualityStepsSchema.default({ steps: 20, fast: false }),
      high: QualityStepsSchema.default({ steps: 40, fast: false }),
    })
    .prefault({}),
  /** What size "auto" means for generations; unset, the served model's native size. */
  defaultSize: z.string().regex(/^\d+x\d+$/).optional(),
  /** Model names clients may send besides the served model's id (existing code often names an OpenAI model). */
  modelAliases: z.array(z.string()).default(['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5', 'dall-e-2', 'dall-e-3']),
  cors: z
    .strictObject({
      /** Allowed origins; ["*"] for any. Empty: no CORS headers. */
      origins: z.array(z.string()).default([]),
    })
    .prefault({}),
  store: z
    .strictObject({
      /** Where images for response_format "url" are kept (default: a folder under the OS temp dir). */
      dir: z.string().optional(),
      ttlSeconds: positiveInt.default(3600),
    })
    .prefault({}),
  /** Set to share one queue among servers and `flowpaint worker` processes. */
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
      queue: z.string().regex(/^[A-Za-z0-9_-]+$/).default('flowpaint'),
      /** How long a worker's claim on a job lasts without renewal; a dead worker's job is retaken after about this. */
      lockMs: positiveInt.default(30_000),
    })
    .optional(),
  /**
   * The playground arena's contenders. With `models`, blind comparisons are between models: the
   * served model and each folder here (each in its own worker thread), all at one `quality`.
   * Without, between the served model's quality settings.
   */
  arena: z
    .strictObject({
      models: z
        .array(z.strictObject({
          dir: z.string().min(1),
          /** The name in votes and the leaderboard; default: the model's `id@version` from its config.json. */
          name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@+:-]{0,63}$/, 'letters, digits and . _ @ + : - (at most 64)').optional(),
        }))
        .default([]),
      quality: z.enum(['low', 'medium', 'high']).default('medium'),
      /** Whether the served model is a contender beside `models`. */
      includeServed: z.boolean().default(true),
    })
    .prefault({}),
  /** The playground web app at `/`; its history and arena votes live in `dir` (default: ~/.local/share/flowpaint/playground). */
  playground: z.strictObject({ enabled: z.boolean().default(true), dir: z.string().optional() }).prefault({}),
  /**
   * A photo library (`flowpaint photos`) for the playground's Library tab: the folder whose
   * DIR/.flowpaint/ store it browses and edits. Unset: no library is served.
   */
  library: z.strictObject({ dir: z.string().min(1).optional() }).prefault({}),
  /** How long SIGTERM waits for in-flight jobs before exiting anyway. */
  shutdownTimeoutSeconds: positiveInt.default(600),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;
export type KeyEntry = z.infer<typeof KeyEntrySchema>;

/**
 * Reads and validates the config, then adds the keys of the key file (`keysFile`, or the
 * FLOWPAINT_API_KEYS_FILE variable) and of FLOWPAINT_API_KEYS, hashed. FLOWPAINT_API_KEYS is
 * deleted from `process.env` so worker threads and child processes do not inherit it; the
 * operating system still shows the environment the process started with (/proc/PID/environ).
 */
export function loadServerConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Partial<ServerConfigInput> } = {}): ServerConfig {
  let raw: Record<string, unknown> = {};
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new InputError(`config ${opts.file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new InputError(`config ${opts.file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const merged = { ...raw, ...stripUndefined(opts.overrides ?? {}) };
  const parsed = ServerConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`config${opts.file ? ` ${opts.file}` : ''}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const config = parsed.data;
  // The diffusers checkpoints (FLUX.2 [klein], Z-Image-Turbo) are distilled for a few steps: unless
  // the settings name their own, every quality level samples the folder's default (4 or 8; the own
  // models' 20 and 40 would cost several times as much for nothing).
  if (merged.quality === undefined && isDiffusersFolder(config.pipeline.modelDir)) {
    const steps = { steps: defaultStepsFor(diffusersKind(config.pipeline.modelDir)), fast: false };
    config.quality = { low: steps, medium: steps, high: steps };
  }
  const env = opts.env ?? process.env;
  const keysFile = config.keysFile ?? (env.FLOWPAINT_API_KEYS_FILE || undefined);
  if (keysFile) {
    let text: string;
    try {
      text = readFileSync(keysFile, 'utf8');
    } catch (err) {
      throw new InputError(`key file ${keysFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const entries = parseKeyFile(text, keysFile);
    if (entries.length === 0) throw new InputError(`key file ${keysFile} holds no keys`);
    config.keysFile = keysFile;
    config.keys.push(...entries);
  }
  const fromEnv = (env.FLOWPAINT_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  delete env.FLOWPAINT_API_KEYS;
  fromEnv.forEach((key, i) => {
    checkPlainKey(key, `FLOWPAINT_API_KEYS, key ${i + 1}`);
    config.keys.push({ name: `env-${i + 1}`, hash: hashKey(key) });
  });
  return config;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Without keys anyone who can reach the port can use the machine, so only loopback is allowed then. */
export function checkBindAllowed(config: Pick<ServerConfig, 'host' | 'keys'>): void {
  if (config.keys.length === 0 && !isLoopback(config.host)) {
    throw new InputError(
      `refusing to listen on ${config.host} without API keys: anyone who reaches it could use the server. ` +
        'Give keys with --keys-file, "keys" (hashes) in the config file or FLOWPAINT_API_KEYS, or listen on 127.0.0.1.',
    );
  }
}
