// `flowpaint serve`: the HTTP API (OpenAI Images API compatible). SIGTERM or Ctrl-C stops
// taking requests, finishes the jobs in flight, then exits; a second Ctrl-C exits at once.
// The same happens when the process that started it goes away: `npx flowpaint serve` runs it
// under npm and a shell, and a SIGTERM to npm ends those two without passing it on.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { type Device, parseDevice, type Quantization } from '../../engine/index.ts';
import { DEVICE_HELP, parseQuantize } from '../image-options.ts';
import { loadServerConfig } from '../../server/config.ts';
import { checkPlainKey, generateKey, hashKey } from '../../server/keys.ts';
import { startServer } from '../../server/server.ts';
import { UsageError } from '../errors.ts';

export function intArg(name: string, lo: number, hi: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || n < lo || n > hi) throw new UsageError(`${name} must be an integer from ${lo} to ${hi}, got '${v}'`);
    return n;
  };
}

interface ServeOptions {
  host?: string;
  port?: number;
  config?: string;
  keysFile?: string;
  model?: string;
  workers?: number;
  threads?: number;
  redis?: string;
  queue?: string;
  arenaModel?: string[];
  library?: string;
  hashKey?: boolean;
  newKey?: boolean;
  quantize?: Quantization;
  device?: Device;
}

/**
 * The pipeline section a command line overrides: --model sets the folder, --quantize the linear
 * layers' precision and --device where they run (both passed to the pipeline loader through pipeline.options, which also carries a
 * config file's own options: those stay unless the flag replaces them).
 */
export function pipelineOverride(o: Pick<ServeOptions, 'model' | 'quantize' | 'device'>, file?: { modelDir?: string; module?: string; options: Record<string, unknown> }) {
  if (!o.model && !o.quantize && !o.device) return {};
  const flags = { ...(o.quantize ? { quantize: o.quantize } : {}), ...(o.device ? { device: o.device } : {}) };
  return {
    pipeline: {
      ...file,
      ...(o.model ? { modelDir: o.model } : {}),
      ...(Object.keys(flags).length ? { options: { ...file?.options, ...flags } } : {}),
    },
  };
}

async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line.trim();
  }
  return '';
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the OpenAI-compatible Images API (POST /v1/images/generations, /v1/images/edits)')
    .option('--host <host>', 'address to listen on (without API keys, loopback only) [default: 127.0.0.1]')
    .option('--port <port>', 'port to listen on [default: 8080]', intArg('--port', 0, 65535))
    .option('--config <file>', 'server config (JSON): keys as hashes, limits, workers, CORS, Redis')
    .option('--keys-file <file>', 'API keys, one a line, plaintext or sha256: hashes (see docs/server.md); also FLOWPAINT_API_KEYS_FILE')
    .option('--model <dir>', 'model directory [default: models/default]')
    .option('--workers <n>', 'worker threads, each with its own copy of the model', intArg('--workers', 1, 64))
    .option('--threads <n>', 'ONNX Runtime threads per worker', intArg('--threads', 1, 256))
    .option('--quantize <mode>', 'linear layers in int8 or int4 in every worker (default none: float32; config: pipeline.options.quantize)', parseQuantize)
    .option('--device <device>', `${DEVICE_HELP} (config: pipeline.options.device)`, (v: string) => parseDevice(v))
    .option('--redis <url>', 'queue jobs in Redis for `flowpaint worker` processes instead of running them here')
    .option('--queue <name>', 'Redis queue name [default: flowpaint]')
    .option('--arena-model <dir>', 'another model folder for the playground arena to compare blindly with the served model (repeatable; config: arena.models)', (dir: string, all: string[] = []) => [...all, dir])
    .option('--library <dir>', "a folder of photos (`flowpaint photos`) for the playground's Library tab (config: library.dir)")
    .option('--hash-key', 'read an API key from standard input, print the hash to put in the config, and exit')
    .option('--new-key', 'make a new API key, print it and its config entry, and exit')
    .action(async (o: ServeOptions) => {
      if (o.hashKey) {
        const key = await readLine();
        if (!key) throw new UsageError('--hash-key reads the key from standard input; got nothing');
        checkPlainKey(key, '--hash-key');
        process.stdout.write(`${hashKey(key)}\n`);
        return;
      }
      if (o.newKey) {
        const key = generateKey();
        process.stdout.write(`${key}\n${JSON.stringify({ name: 'new-key', hash: hashKey(key) })}\n`);
        return;
      }
      const fileConfig = o.config ? loadServerConfig({ file: o.config, env: {} }) : undefined;
      const config = loadServerConfig({
        file: o.config,
        overrides: {
          host: o.host,
          port: o.port,
          keysFile: o.keysFile,
          ...pipelineOverride(o, fileConfig?.pipeline),
          ...(o.workers || o.threads ? { workers: { ...fileConfig?.workers, ...(o.workers ? { count: o.workers } : {}), ...(o.threads ? { threads: o.threads } : {}) } } : {}),
          ...(o.arenaModel?.length ? { arena: { ...fileConfig?.arena, models: [...(fileConfig?.arena.models ?? []), ...o.arenaModel.map((dir) => ({ dir }))] } } : {}),
          ...(o.library ? { library: { dir: o.library } } : {}),
          ...(o.redis ? { redis: { ...fileConfig?.redis, url: o.redis, ...(o.queue ? { queue: o.queue } : {}) } } : {}),
        },
      });
      const server = await startServer({ config });
      let signals = 0;
      const stop = () => {
        if (++signals > 1) process.exit(130);
        void server.shutdown().then(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      watchParent(() => {
        server.deps.logger.warn({ event: 'parent.gone' }, 'the process that started this server has exited; shutting down');
        stop();
      });
      // A model that fails to load leaves nothing to serve.
      await server.ready.catch(async () => {
        await server.shutdown();
        process.exitCode = 1;
      });
    });
}

/**
 * Calls `onGone` once when this process's parent exits (the process is then adopted, so its
 * parent id changes). Nothing is watched when started by init (parent id 1) or without a parent.
 */
export function watchParent(onGone: () => void, everyMs = 500): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
}
