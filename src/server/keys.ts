// API keys as SHA-256 hashes. Keys are long random secrets, so a plain (unsalted) hash is enough
// to keep them unrecoverable from memory dumps and config files, and lets a request's key be
// found with one hash and one map lookup. The lookup leaks nothing useful by timing: an attacker
// would have to find a key whose hash matches, not one that shares a prefix.
import { createHash, randomBytes } from 'node:crypto';

export const KEY_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A new key in the OpenAI style ("fp-" + 48 base62-ish characters). */
export function generateKey(): string {
  return `fp-${randomBytes(36).toString('base64url')}`;
}

export interface KeyIdentity {
  /** Label for logs and limits: the configured name, or the hash's first digits. */
  id: string;
  rateLimitPerMinute?: number;
  maxConcurrent?: number;
}

/** The identity used when no keys are configured (loopback only). */
export const ANONYMOUS: KeyIdentity = { id: 'anonymous' };

export class KeyStore {
  private readonly byHash = new Map<string, KeyIdentity>();

  constructor(entries: ReadonlyArray<{ hash: string; name?: string; rateLimitPerMinute?: number; maxConcurrent?: number }>) {
    for (const e of entries) {
      const id = e.name ?? e.hash.slice(7, 15);
      this.byHash.set(e.hash, { id, rateLimitPerMinute: e.rateLimitPerMinute, maxConcurrent: e.maxConcurrent });
    }
  }

  /** True when the server was started without keys (open, loopback only). */
  get open(): boolean {
    return this.byHash.size === 0;
  }

  /** The key's identity, or undefined for an unknown key. */
  lookup(key: string): KeyIdentity | undefined {
    return this.byHash.get(hashKey(key));
  }
}

/** "Bearer abc" → "abc"; also the `api-key` header Azure-style clients send. */
export function keyFromHeaders(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  return headers.get('api-key') ?? undefined;
}
