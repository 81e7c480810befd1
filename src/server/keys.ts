// API keys as SHA-256 hashes. Keys are long random secrets, so a plain (unsalted) hash is enough
// to keep them unrecoverable from memory dumps and config files, and lets a request's key be
// found with one hash and one map lookup. The lookup leaks nothing useful by timing: an attacker
// would have to find a key whose hash matches, not one that shares a prefix.
import { createHash, randomBytes } from 'node:crypto';
import { InputError } from '../errors.ts';

export const KEY_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * The shortest plaintext key the server takes. Hashing only protects a key that cannot be
 * guessed: 20 random characters are over 100 bits; `--new-key` makes 51.
 */
export const MIN_KEY_LENGTH = 20;

export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A new key in the OpenAI style ("fp-" + 48 base62-ish characters). */
export function generateKey(): string {
  return `fp-${randomBytes(36).toString('base64url')}`;
}

/**
 * Checks a plaintext key before it is hashed; `where` names its source in the error
 * ("FLOWPAINT_API_KEYS, key 2"), never the key itself.
 */
export function checkPlainKey(key: string, where: string): void {
  if (/\s/.test(key)) throw new InputError(`${where}: an API key cannot contain whitespace`);
  if (key.length < MIN_KEY_LENGTH) {
    throw new InputError(
      `${where}: the API key is ${key.length} characters; keys must be at least ${MIN_KEY_LENGTH} ` +
        '(`flowpaint serve --new-key` makes a random one)',
    );
  }
}

export interface KeyIdentity {
  /** Label for logs and limits: the configured name, or the hash's first digits. */
  id: string;
  /**
   * Whose data this is (playground history, arena votes): the key's hash, so data follows the
   * key itself rather than a label that another key could be given.
   */
  owner: string;
  /** May read every key's playground data (the arena's full vote export). */
  admin: boolean;
  rateLimitPerMinute?: number;
  maxConcurrent?: number;
}

/** The identity used when no keys are configured (loopback only): everyone shares it. */
export const ANONYMOUS: KeyIdentity = { id: 'anonymous', owner: 'anonymous', admin: true };

export interface KeyEntryLike {
  hash: string;
  name?: string;
  admin?: boolean;
  rateLimitPerMinute?: number;
  maxConcurrent?: number;
}

export class KeyStore {
  private readonly byHash = new Map<string, KeyIdentity>();

  constructor(entries: ReadonlyArray<KeyEntryLike>) {
    for (const e of entries) {
      const id = e.name ?? e.hash.slice(7, 15);
      this.byHash.set(e.hash, { id, owner: e.hash, admin: e.admin ?? false, rateLimitPerMinute: e.rateLimitPerMinute, maxConcurrent: e.maxConcurrent });
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

/**
 * A key file: one key per line, as plaintext (hashed on load) or as its `sha256:` hash,
 * optionally followed by `name=LABEL` and `admin`. Blank lines and `#` comments are skipped.
 *
 *   fp-3kZ…          name=web
 *   sha256:9f86…     name=ops admin
 */
export function parseKeyFile(text: string, file: string): KeyEntryLike[] {
  const out: KeyEntryLike[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const where = `${file}:${i + 1}`;
    const [secret, ...rest] = line.split(/\s+/);
    const entry: KeyEntryLike = { hash: '' };
    if (secret!.startsWith('sha256:')) {
      if (!KEY_HASH_PATTERN.test(secret!)) throw new InputError(`${where}: a hash must be "sha256:" and 64 hex digits`);
      entry.hash = secret!;
    } else {
      checkPlainKey(secret!, where);
      entry.hash = hashKey(secret!);
    }
    for (const word of rest) {
      if (word === 'admin') entry.admin = true;
      else if (/^name=[^\s]{1,64}$/.test(word)) entry.name = word.slice(5);
      else throw new InputError(`${where}: unknown word after the key (expected name=LABEL or admin)`);
    }
    out.push(entry);
  });
  return out;
}
