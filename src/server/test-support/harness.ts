// Starts a real server on an ephemeral loopback port for tests, over the fake pipeline or a real
// model, with its logs captured rather than printed.
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadServerConfig, type ServerConfigInput } from '../config.ts';
import { createLogger } from '../log.ts';
import { startServer, type RunningServer, type StartOptions } from '../server.ts';

export const FAKE_PIPELINE = new URL('./fake-pipeline.ts', import.meta.url).href;

export interface TestServer extends RunningServer {
  dir: string;
  logs: () => Array<Record<string, unknown>>;
  /** Lets every [hold] job of the fake pipeline finish. */
  openGate(): void;
  closeGate(): void;
  /** Jobs the fake pipeline finished, in order. */
  executed(): Array<{ kind: string; prompt: string; n: number; width: number; height: number; steps: number; fast: boolean; model: string; seed: number; guidance?: number }>;
  stop(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<ServerConfigInput> = {},
  opts: { env?: NodeJS.ProcessEnv; fake?: Record<string, unknown>; makeQueue?: StartOptions['makeQueue']; dir?: string } = {},
): Promise<TestServer> {
  const dir = opts.dir ?? makeTestDir();
  const config = loadServerConfig({
    env: opts.env ?? {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      store: { dir: join(dir, 'store') },
      pipeline: { ...fakePipelineConfig(dir), options: { ...fakePipelineConfig(dir).options, ...opts.fake } },
      ...overrides,
    },
  });
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
  let server: RunningServer;
  try {
    server = await startServer({ config, logger: createLogger('info', sink), makeQueue: opts.makeQueue });
  } catch (err) {
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  await server.ready;
  return {
    ...server,
    dir,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    openGate: () => writeFileSync(join(dir, 'open'), ''),
    closeGate: () => rmSync(join(dir, 'open'), { force: true }),
    executed: () => existsSync(join(dir, 'executed.jsonl'))
      ? readFileSync(join(dir, 'executed.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
      : [],
    stop: async () => {
      await server.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function makeTestDir(): string {
  return mkdtempSync(join(tmpdir(), 'fp-server-'));
}

/** The fake pipeline's settings for a test directory (the gate file and the execution log). */
export function fakePipelineConfig(dir: string) {
  return { module: FAKE_PIPELINE, options: { gateDir: dir, logFile: join(dir, 'executed.jsonl') } };
}

/** A small PNG made with sharp (optionally with an alpha channel). */
export async function pngBytes(width: number, height: number, opts: { alpha?: (x: number, y: number) => number } = {}): Promise<Uint8Array> {
  const sharp = (await import('sharp')).default;
  const channels = opts.alpha ? 4 : 3;
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = 90;
      if (opts.alpha) data[i + 3] = opts.alpha(x, y);
    }
  }
  return new Uint8Array(await sharp(data, { raw: { width, height, channels } }).png().toBuffer());
}
