// Issue 14's server findings, one test each: damaged uploads answer 400 (never a 500), folders
// and unknown methods answer 404/405, the declared stream events are the ones sent, keys have a
// minimum length and can come from a file, wrong keys are throttled per address, and arena and
// history data are readable only by the key that made them (an admin key exports all votes).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createApp } from './app.ts';
import { createDeps } from './deps.ts';
import { loadServerConfig } from './config.ts';
import { hashKey, KeyStore, MIN_KEY_LENGTH, parseKeyFile } from './keys.ts';
import { addressGroup, AuthFailureLimiter } from './limits.ts';
import { createLogger } from './log.ts';
import { ServerMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { registerPlayground } from './playground.ts';
import { sourceHash } from './playground-build.ts';
import { ImageStore } from './store.ts';
import { pngBytes, startTestServer, type TestServer } from './test-support/harness.ts';

const KEY = 'fp-hardening-key-0123456789';
const OTHER = 'fp-hardening-other-0123456789';
const ADMIN = 'fp-hardening-admin-0123456789';

// Response bodies are checked field by field below; their types add nothing here.
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

/** A PNG cut off in the middle of its pixel data: its header still reads fine. */
async function truncatedPng(width: number, height: number, alpha = false): Promise<Uint8Array> {
  const whole = await pngBytes(width, height, alpha ? { alpha: (x) => (x < width / 2 ? 0 : 255) } : {});
  return whole.subarray(0, Math.floor(whole.length / 2));
}

describe('damaged uploads, folders and methods', () => {
  let s: TestServer;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fp-hardening-'));
    s = await startTestServer({ playground: { dir: dataDir } }, { env: { FLOWPAINT_API_KEYS: KEY } });
  });
  after(async () => {
    await s?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const edit = (image: Uint8Array, mask?: Uint8Array) => {
    const form = new FormData();
    form.set('image', new Blob([image as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'in.png');
    if (mask) form.set('mask', new Blob([mask as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'mask.png');
    form.set('prompt', 'a green pear');
    form.set('size', '64x64');
    return fetch(`${s.url}/v1/images/edits`, { method: 'POST', headers: auth(KEY), body: form });
  };

  it('answers 400 naming the mask for a truncated mask, multipart or JSON, and for a truncated image', async () => {
    const image = await pngBytes(64, 64);
    for (const mask of [await truncatedPng(64, 64, true), await truncatedPng(64, 64)]) {
      const res = await edit(image, mask);
      const body = await json(res);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(body.error.param, 'mask');
      assert.match(body.error.message, /^mask is truncated or corrupt/);
    }
    const viaJson = await fetch(`${s.url}/v1/images/edits`, {
      method: 'POST',
      headers: { ...auth(KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'x', image: Buffer.from(image).toString('base64'), mask: `data:image/png;base64,${Buffer.from(await truncatedPng(64, 64, true)).toString('base64')}` }),
    });
    assert.equal(viaJson.status, 400);
    const res = await edit(await truncatedPng(64, 64));
    assert.equal(res.status, 400);
    assert.match((await json(res)).error.message, /^image (is truncated or corrupt|could not be decoded)/);
    assert.ok(!s.logs().some((l) => l.event === 'error'), 'no unhandled error was logged');
  });

  it('answers 400 for a truncated image saved to the playground history, whatever its kind', async () => {
    for (const kind of ['upload', 'generate', 'edit']) {
      const form = new FormData();
      form.set('image', new Blob([(await truncatedPng(96, 64)) as Uint8Array<ArrayBuffer>]), 'x.png');
      form.set('meta', JSON.stringify({ kind }));
      const res = await fetch(`${s.url}/playground/api/history`, { method: 'POST', headers: auth(KEY), body: form });
      const body = await json(res);
      assert.equal(res.status, 400, `${kind}: ${JSON.stringify(body)}`);
      assert.deepEqual([body.error.param, /truncated or corrupt/.test(body.error.message)], ['image', true]);
    }
    assert.deepEqual((await json(fetch(`${s.url}/playground/api/history`, { headers: auth(KEY) }))).items, [], 'nothing was stored');
  });

  it('answers 405 with Allow for a method a path does not take (TRACE too), 404 for no path', async () => {
    const cases: Array<[string, string, string]> = [
      ['TRACE', '/healthz', 'GET, HEAD'],
      ['TRACE', '/openapi.json', 'GET, HEAD'],
      ['DELETE', '/v1/images/generations', 'POST'],
      ['TRACE', '/v1/images/edits', 'POST'],
      ['PUT', '/v1/images/files/abc.png', 'GET, HEAD'],
      ['PATCH', '/playground/api/history', 'GET, HEAD, POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await send(`${s.url}${path}`, { method, headers: auth(KEY) });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.allow, allow, `${method} ${path}`);
      assert.equal(JSON.parse(res.body).error.code, 'method_not_allowed');
    }
    assert.equal((await send(`${s.url}/nowhere`, { method: 'TRACE' })).status, 404);
    assert.equal((await send(`${s.url}/healthz`, { method: 'HEAD' })).status, 200);
  });

  it('streams events that the schema in /openapi.json accepts, for generations and edits', async () => {
    const doc = await json(fetch(`${s.url}/openapi.json`));
    const schemas = doc.components.schemas as Record<string, unknown>;
    /** The declared schema with its $refs inlined, as zod. */
    const declared = (schema: unknown) => z.fromJSONSchema(inline(schema, schemas) as Parameters<typeof z.fromJSONSchema>[0]);
    const streamed = async (path: string, body: string | FormData, headers: Record<string, string>) => {
      const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { ...auth(KEY), ...headers }, body });
      assert.equal(res.headers.get('content-type')?.split(';')[0], 'text/event-stream');
      return parseSse(await res.text());
    };
    const form = new FormData();
    form.set('image', new Blob([(await pngBytes(64, 64)) as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'in.png');
    form.set('prompt', 'x');
    form.set('stream', 'true');
    form.set('partial_images', '2');
    const runs = [
      { path: '/v1/images/generations', events: await streamed('/v1/images/generations', JSON.stringify({ prompt: 'x', size: '64x64', stream: true, partial_images: 2 }), { 'Content-Type': 'application/json' }), prefix: 'image_generation' },
      { path: '/v1/images/edits', events: await streamed('/v1/images/edits', form, {}), prefix: 'image_edit' },
      { path: '/v1/images/generations', events: await streamed('/v1/images/generations', JSON.stringify({ prompt: '[invalid]', size: '64x64', stream: true }), { 'Content-Type': 'application/json' }), prefix: 'error' },
    ];
    for (const { path, events, prefix } of runs) {
      const media = doc.paths[path].post.responses['200'].content['text/event-stream'];
      const eventSchema = declared(media.schema);
      assert.ok(events.length > 0);
      for (const e of events) {
        assert.doesNotThrow(() => eventSchema.parse(e), `${e.event} fits the declared event schema`);
        // What `data` holds: the declared contentSchema of the branch with this event's name.
        const branch = (media.schema.oneOf as Array<{ properties: { event: { const: string }; data: { contentSchema: unknown } } }>).find((b) => b.properties.event.const === e.event);
        assert.ok(branch, `${e.event} is declared`);
        const data = JSON.parse(e.data);
        const parsed = declared(branch.properties.data.contentSchema).safeParse(data);
        assert.ok(parsed.success, `${e.event}: ${parsed.error?.message}`);
        if (e.event !== 'error') assert.equal(data.type, e.event);
      }
      if (prefix !== 'error') assert.deepEqual(events.map((e) => e.event), [`${prefix}.partial_image`, `${prefix}.partial_image`, `${prefix}.completed`]);
      else assert.deepEqual(events.map((e) => e.event), ['error']);
    }
  });

  it('declares what the server requires: a JSON edit\'s image, a size\'s form, no nulls in multipart', async () => {
    const doc = openApiDocument() as any;
    const schema = doc.components.schemas.ImageEditJsonRequest;
    assert.deepEqual(schema.oneOf, [{ required: ['image'] }, { required: ['images'] }]);
    const size = z.fromJSONSchema(doc.components.schemas.ImageGenerateRequest.properties.size);
    assert.deepEqual(['512x512', 'auto', null, '', 'big', '512'].map((x) => size.safeParse(x).success), [true, true, true, false, false, false]);
    const background = z.fromJSONSchema(doc.components.schemas.ImageGenerateRequest.properties.background);
    assert.deepEqual(['auto', 'opaque', null, 'transparent'].map((x) => background.safeParse(x).success), [true, true, true, false]);
    const multipart = doc.components.schemas.ImageEditMultipartRequest.properties;
    for (const name of ['quality', 'size', 'n', 'stream', 'background']) assert.ok(!JSON.stringify(multipart[name]).includes('"null"'), name);
    const res = await fetch(`${s.url}/v1/images/edits`, { method: 'POST', headers: { ...auth(KEY), 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'x' }) });
    assert.equal(res.status, 400);
  });
});

describe('static files', () => {
  it('answers 404 for a folder (GET /assets/) and serves files beside it', async () => {
    const web = mkdtempSync(join(tmpdir(), 'fp-web-'));
    try {
      writeFileSync(join(web, 'index.html'), '<!doctype html>');
      mkdirSync(join(web, 'dist', 'assets'), { recursive: true });
      writeFileSync(join(web, 'dist', 'index.html'), '<!doctype html>');
      writeFileSync(join(web, 'dist', 'assets', 'app.js'), 'export {};');
      writeFileSync(join(web, 'dist', 'build-hash.txt'), `${sourceHash(web)}\n`);
      const config = loadServerConfig({ env: {}, overrides: { playground: { enabled: false } } });
      const store = new ImageStore(join(web, 'store'), 60_000);
      const deps = createDeps({ config, keys: new KeyStore([]), queue: () => undefined, store, metrics: new ServerMetrics(() => undefined), logger: createLogger('silent') });
      const app = createApp(deps);
      registerPlayground(app, deps, { dir: join(web, 'data'), webDir: web });
      for (const path of ['/assets/', '/assets', '/assets/nope.js', '/assets/%2e%2e/index.html']) {
        const res = await app.request(path);
        assert.equal(res.status, 404, path);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
      }
      const ok = await app.request('/assets/app.js');
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), 'export {};');
      store.close();
    } finally {
      rmSync(web, { recursive: true, force: true });
    }
  });
});

describe('keys', () => {
  it('refuses keys shorter than the minimum at start-up, naming where, never the key', () => {
    assert.throws(() => loadServerConfig({ env: { FLOWPAINT_API_KEYS: `${KEY},ab` } }), (err: Error) => {
      assert.equal(err.name, 'InputError');
      assert.match(err.message, new RegExp(`FLOWPAINT_API_KEYS, key 2: the API key is 2 characters; keys must be at least ${MIN_KEY_LENGTH}`));
      assert.doesNotMatch(err.message, /\bab\b/);
      return true;
    });
  });

  it('reads a key file of plaintext keys and hashes, with names and admin flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp-keys-'));
    try {
      const file = join(dir, 'keys');
      writeFileSync(file, `# the web app\n${KEY} name=web\n\n${hashKey(ADMIN)}  name=ops admin  # an operator\n${OTHER}\n`);
      const c = loadServerConfig({ env: {}, overrides: { keysFile: file } });
      assert.deepEqual(c.keys, [
        { hash: hashKey(KEY), name: 'web' },
        { hash: hashKey(ADMIN), name: 'ops', admin: true },
        { hash: hashKey(OTHER) },
      ]);
      assert.ok(!JSON.stringify(c).includes(KEY), 'no plaintext key kept');
      const viaEnv = loadServerConfig({ env: { FLOWPAINT_API_KEYS_FILE: file } });
      assert.equal(viaEnv.keys.length, 3);
      const store = new KeyStore(c.keys);
      assert.deepEqual(store.lookup(ADMIN), { id: 'ops', owner: hashKey(ADMIN), admin: true, rateLimitPerMinute: undefined, maxConcurrent: undefined });
      assert.equal(store.lookup(OTHER)?.admin, false);
      assert.throws(() => parseKeyFile('short name=x\n', 'k'), /k:1: the API key is 5 characters/);
      assert.throws(() => parseKeyFile(`${KEY} nmae=x\n`, 'k'), /k:1: unknown word/);
      assert.throws(() => parseKeyFile('sha256:abc\n', 'k'), /k:1: a hash must be/);
      writeFileSync(file, '# nothing\n');
      assert.throws(() => loadServerConfig({ env: {}, overrides: { keysFile: file } }), /holds no keys/);
      assert.throws(() => loadServerConfig({ env: {}, overrides: { keysFile: join(dir, 'missing') } }), /cannot be read \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throttles wrong keys per address: a bucket per minute, IPv6 by /64', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter(3, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.blockedFor('1.2.3.4'), 0);
      limiter.fail('1.2.3.4');
    }
    assert.equal(limiter.blockedFor('1.2.3.4'), 20);
    assert.equal(limiter.blockedFor('1.2.3.5'), 0);
    now += 20_000;
    assert.equal(limiter.blockedFor('1.2.3.4'), 0);
    assert.equal(addressGroup('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(addressGroup('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:db8::1'), addressGroup('2001:0db8:0:0:ffff::2'));
    assert.equal(addressGroup(undefined), 'unknown');
  });
});

/**
 * A request by node:http, which sends any method (fetch refuses TRACE), optionally from a chosen
 * loopback address (127.0.0.2 is another client).
 */
function send(url: string, opts: { method?: string; localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', localAddress: opts.localAddress, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('wrong keys over HTTP, and data per key', () => {
  let s: TestServer;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fp-hardening-keys-'));
    // Two keys with the same label: data follows the key, not the label.
    s = await startTestServer({
      playground: { dir: dataDir },
      limits: { authFailuresPerMinute: 3 },
      keys: [{ name: 'web', hash: hashKey(KEY) }, { name: 'web', hash: hashKey(OTHER) }, { name: 'ops', hash: hashKey(ADMIN), admin: true }],
    });
  });
  after(async () => {
    await s?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 429 to an address after too many wrong keys, right key included; other addresses go on', async () => {
    const models = `${s.url}/v1/models`;
    const from = (localAddress: string, key: string, url = models) => send(url, { localAddress, headers: auth(key) });
    for (let i = 0; i < 3; i++) assert.equal((await from('127.0.0.3', `fp-guess-${i}-0123456789abcdef`)).status, 401);
    const blocked = await from('127.0.0.3', KEY);
    assert.equal(blocked.status, 429);
    assert.equal(JSON.parse(blocked.body).error.code, 'auth_failures_exceeded');
    assert.ok(Number(blocked.headers['retry-after']) >= 1);
    assert.equal((await from('127.0.0.3', KEY, `${s.url}/playground/api/history`)).status, 429, 'the playground API shares the throttle');
    assert.equal((await from('127.0.0.2', KEY)).status, 200, 'another address is not affected');
  });

  it('shows history and votes only to the key that made them; an admin key exports every vote', async () => {
    const form = new FormData();
    form.set('image', new Blob([(await pngBytes(64, 64)) as Uint8Array<ArrayBuffer>]), 'x.png');
    form.set('meta', JSON.stringify({ kind: 'upload' }));
    const item = await json(fetch(`${s.url}/playground/api/history`, { method: 'POST', headers: auth(KEY), body: form }));
    assert.equal((await json(fetch(`${s.url}/playground/api/history`, { headers: auth(KEY) }))).items.length, 1);
    assert.deepEqual((await json(fetch(`${s.url}/playground/api/history`, { headers: auth(OTHER) }))).items, []);
    assert.equal((await fetch(`${s.url}/playground/api/history/${item.id}/image`, { headers: auth(OTHER) })).status, 404);

    const vote = async (key: string, prompt: string) => {
      const post = (path: string, body: unknown) => fetch(`${s.url}/playground/api/arena/${path}`, { method: 'POST', headers: { ...auth(key), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const m = await json(post('matches', { topic: 'objects', prompt }));
      assert.equal((await post('votes', { match: m.id, winner: 'left' })).status, 201);
    };
    await vote(KEY, 'a secret prompt of the first key');
    await vote(OTHER, 'a prompt of the second key');
    const exported = async (key: string) => (await (await fetch(`${s.url}/playground/api/arena/votes.jsonl`, { headers: auth(key) })).text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const mine = await exported(KEY);
    assert.deepEqual(mine.map((v) => v.prompt), ['a secret prompt of the first key']);
    assert.deepEqual((await exported(OTHER)).map((v) => v.prompt), ['a prompt of the second key']);
    assert.deepEqual((await exported(ADMIN)).map((v) => v.prompt).sort(), ['a prompt of the second key', 'a secret prompt of the first key']);
    assert.notEqual(mine[0].rater, (await exported(OTHER))[0].rater, 'same label, different raters');
    // The leaderboard counts every vote (it shows no prompts).
    assert.equal((await json(fetch(`${s.url}/playground/api/arena/leaderboard`, { headers: auth(OTHER) }))).votes, 2);
  });
});

/** Server-sent events as {event, data} objects (the shape tools validate against the schema). */
function parseSse(text: string): Array<{ event: string; data: string }> {
  const out: Array<{ event: string; data: string }> = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const event = /^event: ?(.*)$/m.exec(block)?.[1];
    const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
    if (event) out.push({ event, data });
  }
  return out;
}

/** Replaces `#/components/schemas/X` references with the schemas themselves. */
function inline(schema: unknown, components: Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((x) => inline(x, components));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) return inline(components[ref.replace('#/components/schemas/', '')], components);
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v, components)]));
}
