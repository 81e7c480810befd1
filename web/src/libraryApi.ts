// The Library tab's calls: the photo library the server was started with (`flowpaint serve
// --library DIR`), the same store `flowpaint photos` works on. Images need the key, so they are
// fetched as blobs; versions 1… never change, so they are fetched once per page.
import { call } from './api.ts';

export interface VersionInfo {
  n: number;
  parent: number;
  width: number;
  height: number;
  created: string;
  instruction: string;
  preset?: string;
  masked: boolean;
  seed: number;
  steps: number;
  model: string;
  modelVersion: string;
  batch?: string;
}

export interface LibraryPhoto {
  id: string;
  path: string;
  format: string;
  bytes: number;
  width: number;
  height: number;
  /** The size edits work at: version 0 as the library shows it. */
  working: { width: number; height: number };
  current: number;
  hasLocation: boolean;
  changed: boolean;
  missing: boolean;
  versions: VersionInfo[];
}

export interface BatchInfo {
  id: string;
  created: string;
  instruction: string;
  total: number;
  done: number;
  failed: number;
  pending: number;
  running: boolean;
  errors: Array<{ photo: string; error: string }>;
}

export interface Preset {
  name: string;
  needs: Array<'object' | 'color' | 'text'>;
  about: string;
}

export interface Library {
  name: string;
  indexed: boolean;
  busy: string | null;
  photos: LibraryPhoto[];
  batches: BatchInfo[];
  presets: Preset[];
  quality: Record<'low' | 'medium' | 'high', { steps: number }>;
}

/** What to change: an instruction, or a preset with its arguments. */
export interface Change {
  instruction?: string;
  preset?: string;
  object?: string;
  color?: string;
  text?: string;
  quality: 'low' | 'medium' | 'high';
  seed?: number;
}

const BASE = '/playground/api/library';
const json = async <T>(path: string, init?: RequestInit) => (await (await call(path, init)).json()) as T;
const post = <T>(path: string, body: unknown) => json<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const clean = (c: Change) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== ''));

export const getLibrary = () => json<Library>(BASE);
export const rescan = () => post<{ added: string[]; changed: string[]; missing: string[]; skipped: Array<{ path: string; reason: string }> }>(`${BASE}/index`, {});
export const restoreVersion = (id: string, version: number) => post<LibraryPhoto>(`${BASE}/photos/${id}/restore`, { version });
export const startBatch = (photos: string[], change: Change) => post<BatchInfo>(`${BASE}/batches`, { photos, ...clean(change) });
export const resumeBatch = (id: string) => post<BatchInfo>(`${BASE}/batches/${id}/resume`, {});
export const stopBatch = (id: string) => post<{ stopping: boolean }>(`${BASE}/batches/${id}/stop`, {});

export async function editPhoto(id: string, change: Change, from: number, mask?: Blob): Promise<{ photo: LibraryPhoto; version: VersionInfo }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(clean(change))) form.set(k, String(v));
  form.set('from', String(from));
  if (mask) form.set('mask', mask, 'mask.png');
  return json(`${BASE}/photos/${id}/edits`, { method: 'POST', body: form });
}

const cache = new Map<string, Promise<Blob>>();

function fetchBlob(path: string, keep: boolean): Promise<Blob> {
  let p = keep ? cache.get(path) : undefined;
  if (!p) {
    p = call(path).then((r) => r.blob());
    if (keep) {
      p.catch(() => cache.delete(path));
      cache.set(path, p);
    }
  }
  return p;
}

/** A version's image; 0 (the original, upright at the working size) may change on a rescan. */
export const versionImage = (id: string, n: number) => fetchBlob(`${BASE}/photos/${id}/versions/${n}/image`, n > 0);
/** A version's thumbnail; the original's is made again when a rescan finds the file changed. */
export const thumbnail = (id: string, n: number) => fetchBlob(`${BASE}/photos/${id}/versions/${n}/thumb`, n > 0);
