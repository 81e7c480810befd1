// The playground's history: every generated, uploaded or edited image with its prompt and
// parameters, kept on the filesystem (one PNG and one JSON file per image) so it survives
// restarts and can be backed up or inspected with ordinary tools. Each API key sees only its
// own history; `owner` is the key's hash (see KeyIdentity.owner) and the folder name a hash of
// that, never the key.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export type HistoryKind = 'generate' | 'edit' | 'upload';

export interface HistoryItem {
  id: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  kind: HistoryKind;
  /** The prompt (generations) or instruction (edits); empty for uploads. */
  prompt: string;
  /** The request's parameters as sent (size, quality, seed, mask or not, …). */
  params: Record<string, unknown>;
  /** The version this one was edited from. */
  parent?: string;
  /** The first version of this line of edits (itself for generations and uploads). */
  root: string;
  width: number;
  height: number;
  /** MIME type of the stored bytes. */
  contentType: string;
}

export type NewHistoryItem = Omit<HistoryItem, 'id' | 'createdAt' | 'root'>;

const ID = /^[a-z0-9]{16,40}$/;
const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

let lastMs = 0;
let seq = 0;

/**
 * Ids that sort in the order they were made (base36 milliseconds, a counter for several in
 * one millisecond, then randomness), so listing newest first needs no index.
 */
function nextId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else seq++;
  return lastMs.toString(36).padStart(9, '0') + seq.toString(36).padStart(4, '0') + randomBytes(8).toString('hex');
}

export class HistoryStore {
  constructor(readonly dir: string) {}

  private ownerDir(owner: string): string {
    return join(this.dir, createHash('sha256').update(owner).digest('hex').slice(0, 24));
  }

  add(owner: string, item: NewHistoryItem, bytes: Uint8Array): HistoryItem {
    const ext = EXT[item.contentType];
    if (!ext) throw new Error(`unsupported content type ${item.contentType}`);
    let root: string | undefined;
    if (item.parent !== undefined) {
      const parent = this.get(owner, item.parent);
      if (!parent) throw new Error(`no history item ${item.parent}`);
      root = parent.root;
    }
    const id = nextId();
    const full: HistoryItem = { ...item, id, createdAt: Date.now(), root: root ?? id };
    const dir = this.ownerDir(owner);
    mkdirSync(dir, { recursive: true });
    // Image first, metadata last (by rename): a listed item always has its image.
    writeFileSync(join(dir, `${id}.${ext}`), bytes);
    writeFileSync(join(dir, `${id}.json.tmp`), JSON.stringify(full));
    renameSync(join(dir, `${id}.json.tmp`), join(dir, `${id}.json`));
    return full;
  }

  /** Newest first. */
  list(owner: string): HistoryItem[] {
    const dir = this.ownerDir(owner);
    if (!existsSync(dir)) return [];
    const items: HistoryItem[] = [];
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        items.push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as HistoryItem);
      } catch {
        // A damaged file hides one item rather than the whole history.
      }
    }
    return items.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  get(owner: string, id: string): HistoryItem | undefined {
    if (!ID.test(id)) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.ownerDir(owner), `${id}.json`), 'utf8')) as HistoryItem;
    } catch {
      return undefined;
    }
  }

  image(owner: string, id: string): { item: HistoryItem; bytes: Buffer } | undefined {
    const item = this.get(owner, id);
    if (!item) return undefined;
    return { item, bytes: readFileSync(join(this.ownerDir(owner), `${id}.${EXT[item.contentType]}`)) };
  }

  /** Removes one version. Versions edited from it keep their own images and parameters. */
  delete(owner: string, id: string): boolean {
    const item = this.get(owner, id);
    if (!item) return false;
    const dir = this.ownerDir(owner);
    rmSync(join(dir, `${id}.json`), { force: true });
    rmSync(join(dir, `${id}.${EXT[item.contentType]}`), { force: true });
    return true;
  }
}
