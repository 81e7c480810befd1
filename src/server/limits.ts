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
