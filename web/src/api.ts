// The page's only door to the server: the Images API (/v1/images/*, streamed as server-sent
// events) and the playground API (/playground/api/*). Every failure becomes an ApiFailure
// carrying the server's own message, so the page can always say what went wrong.

export class ApiFailure extends Error {
  constructor(message: string, readonly status: number, readonly code: string | null = null) {
    super(message);
    this.name = 'ApiFailure';
  }
  get refused(): boolean {
    return this.code === 'content_policy_violation';
  }
}

const KEY_STORAGE = 'flowpaint.apiKey';

export function storedKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

/** Called on every 401, so the page can ask for a (new) key. */
let authListener: (message: string) => void = () => {};
export function onAuthNeeded(fn: (message: string) => void): void {
  authListener = fn;
}

async function failureOf(res: Response): Promise<ApiFailure> {
  let message = `the server answered ${res.status} ${res.statusText}`;
  let code: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string | null } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
  } catch {
    // Not JSON (a proxy's error page, say): the status line is all there is.
  }
  return new ApiFailure(message, res.status, code);
}

export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = storedKey();
  if (key) headers.set('Authorization', `Bearer ${key}`);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    throw new ApiFailure(`cannot reach the server (${(err as Error).message})`, 0, 'network_error');
  }
  if (!res.ok) {
    const failure = await failureOf(res);
    if (res.status === 401) authListener(failure.message);
    throw failure;
  }
  return res;
}

const json = async <T>(path: string, init?: RequestInit) => (await (await call(path, init)).json()) as T;

export function b64ToBlob(b64: string, type = 'image/png'): Blob {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}

export interface ServerConfig {
  keyRequired: boolean;
  model: string | null;
  /** The size rules: sides multiples of sideMultiple and at least minSide, at most maxPixels in all. */
  maxPixels: number;
  minSide: number;
  sideMultiple: number;
  maxImages: number;
  quality: Record<'low' | 'medium' | 'high', { steps: number; fast: boolean }>;
  /** The served model's trained sizes; null while it loads. */
  sizes: { native: Size; buckets: Size[] } | null;
  /** What the server draws when no size is given: its configured default, else the native size. */
  defaultSize: Size | null;
  /**
   * The served model's default text guidance scale, and the range a fast request may ask for when
   * its Flash takes the scale as an input (null: any scale from 0 to 30). Null: the model takes none.
   */
  guidance: { default: number; fastRange: [number, number] | null } | null;
  topics: string[];
  arena: { mode: 'models' | 'quality'; contenders: number };
}

export interface Size {
  width: number;
  height: number;
}

export const getConfig = () => json<ServerConfig>('/playground/api/config');

export type Quality = 'low' | 'medium' | 'high';

export interface ImageParams {
  size: string;
  quality: Quality;
  seed: number;
  /** Text guidance scale (flowpaint extension); absent: the model's own. */
  guidance?: number;
  n?: number;
  partial_images?: number;
}

export interface StreamHandlers {
  onPartial?: (blob: Blob, index: number) => void;
  signal?: AbortSignal;
}

/**
 * Reads an SSE response of the Images API. Partial images go to the handler as they come; the
 * completed images are returned. An `error` event (a refusal after the stream opened, say)
 * is thrown as an ApiFailure, and a stream that ends with no image is an error too.
 */
async function readImageStream(res: Response, handlers: StreamHandlers): Promise<Blob[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const done: Blob[] = [];
  let buffer = '';
  const handle = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) return;
    const payload = JSON.parse(data.join('\n')) as { b64_json?: string; partial_image_index?: number; output_format?: string; error?: { message: string; code: string | null } };
    const type = `image/${payload.output_format === 'jpeg' ? 'jpeg' : payload.output_format ?? 'png'}`;
    if (event === 'error' || payload.error) throw new ApiFailure(payload.error?.message ?? 'the server reported an error', 400, payload.error?.code ?? null);
    if (event.endsWith('.partial_image') && payload.b64_json) handlers.onPartial?.(b64ToBlob(payload.b64_json, type), payload.partial_image_index ?? 0);
    if (event.endsWith('.completed') && payload.b64_json) done.push(b64ToBlob(payload.b64_json, type));
  };
  for (;;) {
    const { value, done: end } = await reader.read();
    if (value) buffer += value.replace(/\r\n/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      handle(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
    }
    if (end) break;
  }
  if (buffer.trim()) handle(buffer);
  if (done.length === 0) throw new ApiFailure('the server finished without sending an image', 502, 'no_image');
  return done;
}

export async function generate(prompt: string, params: ImageParams, handlers: StreamHandlers = {}): Promise<Blob[]> {
  const res = await call('/v1/images/generations', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt, ...params, stream: true, partial_images: params.partial_images ?? 0 }),
    signal: handlers.signal,
  });
  return readImageStream(res, handlers);
}

export async function edit(image: Blob, prompt: string, params: Omit<ImageParams, 'size'>, mask?: Blob, handlers: StreamHandlers = {}): Promise<Blob> {
  const form = new FormData();
  form.set('image', image, 'image.png');
  if (mask) form.set('mask', mask, 'mask.png');
  form.set('prompt', prompt);
  form.set('quality', params.quality);
  form.set('seed', String(params.seed));
  if (params.guidance !== undefined) form.set('guidance', String(params.guidance));
  form.set('stream', 'true');
  form.set('partial_images', String(params.partial_images ?? 0));
  const res = await call('/v1/images/edits', { method: 'POST', body: form, signal: handlers.signal });
  return (await readImageStream(res, handlers))[0]!;
}

export interface HistoryItem {
  id: string;
  createdAt: number;
  kind: 'generate' | 'edit' | 'upload';
  prompt: string;
  params: Record<string, unknown>;
  parent?: string;
  root: string;
  width: number;
  height: number;
  contentType: string;
}

export const listHistory = async () => (await json<{ items: HistoryItem[] }>('/playground/api/history')).items;

export async function saveHistory(image: Blob, meta: { kind: HistoryItem['kind']; prompt: string; params: Record<string, unknown>; parent?: string }): Promise<HistoryItem> {
  const form = new FormData();
  form.set('image', image, 'image');
  form.set('meta', JSON.stringify(meta));
  const item = await json<HistoryItem>('/playground/api/history', { method: 'POST', body: form });
  rememberImage(item.id, image);
  return item;
}

export const deleteHistory = (id: string) => call(`/playground/api/history/${id}`, { method: 'DELETE' });

const imageCache = new Map<string, Promise<Blob>>();

function rememberImage(id: string, blob: Blob): void {
  imageCache.set(id, Promise.resolve(blob));
}

/** History images need the key, so they are fetched as blobs rather than linked. */
export function historyImage(id: string): Promise<Blob> {
  let p = imageCache.get(id);
  if (!p) {
    p = call(`/playground/api/history/${id}/image`).then((r) => r.blob());
    p.catch(() => imageCache.delete(id));
    imageCache.set(id, p);
  }
  return p;
}

/** The server keeps which contender is on which side; the page knows only the match. */
export interface Match {
  id: string;
  seed: number;
  size: string;
}

export interface Standing {
  name: string;
  rating: number;
  ci: [number, number];
  wins: number;
  losses: number;
  ties: number;
}

export interface Leaderboard {
  topic: string | null;
  votes: number;
  method: string;
  contenders: Array<{ name: string; description: string; current: boolean }>;
  standings: Standing[];
  /** Each pair that met: a and b in name order, and how their games went. */
  pairs: Array<{ a: string; b: string; aWins: number; bWins: number; ties: number }>;
}

const post = <T>(path: string, body: unknown) => json<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

export const createMatch = (topic: string, prompt: string, size: string) => post<Match>('/playground/api/arena/matches', { topic, prompt, size });
/** One side's image, made on the server by that side's model. */
export const matchImage = async (match: string, side: 'left' | 'right') => (await call(`/playground/api/arena/matches/${match}/${side}`, { method: 'POST' })).blob();
export const suggestPrompt = async (topic: string) => (await json<{ prompt: string }>(`/playground/api/arena/suggestion?topic=${encodeURIComponent(topic)}`)).prompt;
export const vote = (match: string, winner: 'left' | 'right' | 'tie') => post<{ left: string; right: string; winner: string }>('/playground/api/arena/votes', { match, winner });
export const getLeaderboard = (topic: string) => json<Leaderboard>(`/playground/api/arena/leaderboard${topic ? `?topic=${encodeURIComponent(topic)}` : ''}`);
export const exportVotes = async () => (await call('/playground/api/arena/votes.jsonl')).blob();

export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
