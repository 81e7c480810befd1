// Images handed out as URLs (response_format "url"): kept on disk under random ids for a fixed
// time, then deleted. The id is the only credential (128 random bits), as with the signed URLs
// OpenAI returns, so the files can be fetched without an API key by whatever shows them.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputFormat } from './jobs.ts';

const CONTENT_TYPES: Record<OutputFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
const NAME = /^([A-Za-z0-9_-]{22})\.(png|jpeg|webp)$/;

export interface StoredImage {
  bytes: Uint8Array;
  contentType: string;
  expiresAt: number;
}

export class ImageStore {
  private readonly expiries = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly dir: string, private readonly ttlMs: number, private readonly now: () => number = Date.now) {
    mkdirSync(dir, { recursive: true });
    // Files left by an earlier run are adopted with their age, so they still expire.
    for (const f of readdirSync(dir)) {
      if (!NAME.test(f)) continue;
      const expires = statSync(join(dir, f)).mtimeMs + ttlMs;
      if (expires <= this.now()) rmSync(join(dir, f), { force: true });
      else this.expiries.set(f, expires);
    }
    this.timer = setInterval(() => void this.sweep(), Math.min(60_000, ttlMs));
    this.timer.unref();
  }

  static defaultDir(): string {
    return join(tmpdir(), 'flowpaint-images');
  }

  /** Stores the bytes; returns the file name that get() takes ("<id>.<format>"). */
  async put(bytes: Uint8Array, format: OutputFormat): Promise<{ name: string; expiresAt: number }> {
    const name = `${randomBytes(16).toString('base64url')}.${format}`;
    await writeFile(join(this.dir, name), bytes);
    const expiresAt = this.now() + this.ttlMs;
    this.expiries.set(name, expiresAt);
    return { name, expiresAt };
  }

  async get(name: string): Promise<StoredImage | undefined> {
    const m = NAME.exec(name);
    const expiresAt = this.expiries.get(name);
    if (!m || expiresAt === undefined) return undefined;
    if (expiresAt <= this.now()) {
      await this.remove(name);
      return undefined;
    }
    try {
      return { bytes: await readFile(join(this.dir, name)), contentType: CONTENT_TYPES[m[2] as OutputFormat], expiresAt };
    } catch {
      this.expiries.delete(name);
      return undefined;
    }
  }

  async sweep(): Promise<number> {
    const t = this.now();
    const expired = [...this.expiries].filter(([, e]) => e <= t).map(([n]) => n);
    await Promise.all(expired.map((n) => this.remove(n)));
    return expired.length;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async remove(name: string): Promise<void> {
    this.expiries.delete(name);
    await rm(join(this.dir, name), { force: true });
  }
}
