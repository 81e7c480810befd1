// What the serve tests of the diffusers folders (klein-serve.test.ts, zimage-serve.test.ts) share:
// the real server and worker thread over a tiny folder, driven by the official `openai` client,
// with compiled components in a scratch cache and the output filter off (random weights paint
// noise, which the nudity classifier may call anything; it is the same code as for the own model,
// and the prompt filter stays on).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import OpenAI from 'openai';
import { startTestServer, type TestServer } from './harness.ts';

export interface ServedFolder {
  /** The client for the running server (set once the suite's `before` hook has run). */
  openai(): OpenAI;
}

/** Registers before/after hooks (call inside a `describe`) that serve `modelDir` with API key `key`. */
export function serveDiffusersFolder(modelDir: string, key: string): ServedFolder {
  let s: TestServer | undefined;
  let client: OpenAI | undefined;
  let cache = '';
  let savedCache: string | undefined;
  before(async () => {
    // Worker threads share this process's environment: the cache folder is set here.
    cache = mkdtempSync(join(tmpdir(), 'diffusers-serve-cache-'));
    savedCache = process.env.FLOWPAINT_CACHE;
    process.env.FLOWPAINT_CACHE = cache;
    s = await startTestServer(
      {
        pipeline: { modelDir, options: { threads: 1, safetyConfig: { output: { enabled: false } } } },
        limits: { maxUploadBytes: 300_000 },
      },
      { env: { FLOWPAINT_API_KEYS: key } },
    );
    client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  after(async () => {
    await s?.stop();
    if (savedCache === undefined) delete process.env.FLOWPAINT_CACHE;
    else process.env.FLOWPAINT_CACHE = savedCache;
    rmSync(cache, { recursive: true, force: true });
  });
  return { openai: () => client! };
}
