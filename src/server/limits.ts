// Per-key admission: a token bucket for the request rate and a counter for requests in flight.
// Both answer with how long to wait, which becomes the Retry-After header of a 429.

export interface Admission {
  ok: boolean;
  /** Seconds until a retry could succeed (when !ok). */
  retryAfter: number;
}

/** Requests per minute per key, with bursts up to the per-minute figure. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  take(key: string, perMinute: number): Admission {
    const t = this.now();
    const rate = perMinute / 60_000; // tokens per ms
    const b = this.buckets.get(key) ?? { tokens: perMinute, at: t };
    b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * rate);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, retryAfter: 0 };
    }
    return { ok: false, retryAfter: (1 - b.tokens) / rate / 1000 };
  }
}

/** How many requests each key has in flight. */
export class ConcurrencyLimiter {
  private readonly inFlight = new Map<string, number>();

  /** Returns a release function, or undefined when the key is at its limit. */
  acquire(key: string, max: number): (() => void) | undefined {
    const n = this.inFlight.get(key) ?? 0;
    if (n >= max) return undefined;
    this.inFlight.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    };
  }

  count(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}

/**
 * Wrong API keys per client address: each failure takes a token from the address's bucket
 * (`perMinute` tokens, refilled evenly over a minute); an empty bucket blocks that address's
 * keyed requests, right or wrong, until a token is back, so guessing runs at `perMinute`.
 * Blocking right keys too is the point: answering them would still tell a guesser which key
 * was right. Clients behind one proxy or NAT share a bucket.
 */
export class AuthFailureLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number, private readonly now: () => number = () => performance.now()) {}

  private refill(address: string): { tokens: number; at: number } | undefined {
    const b = this.buckets.get(address);
    if (!b) return undefined;
    const t = this.now();
    b.tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) * this.perMinute) / 60_000);
    b.at = t;
    if (b.tokens >= this.perMinute) {
      this.buckets.delete(address);
      return undefined;
    }
    return b;
  }

  /** Seconds until the address may try again, or 0 when it may now. */
  blockedFor(address: string): number {
    const b = this.refill(address);
    if (!b || b.tokens >= 1) return 0;
    return ((1 - b.tokens) * 60) / this.perMinute;
  }

  /** Records a wrong key from the address. */
  fail(address: string): void {
    const b = this.refill(address) ?? { tokens: this.perMinute, at: this.now() };
    b.tokens = Math.max(0, b.tokens - 1);
    this.buckets.set(address, b);
    if (this.buckets.size > 100_000) for (const a of [...this.buckets.keys()].slice(0, 50_000)) this.refill(a);
  }
}

/**
 * The part of a client's address that identifies it for throttling: an IPv4 address (also when
 * IPv4-mapped), or the /64 prefix of an IPv6 one, since one IPv6 host usually holds a whole /64.
 */
export function addressGroup(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head, tail = ''] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':')}::/64`;
}
