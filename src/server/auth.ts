// API keys on a request: who is calling, and throttling of addresses that send wrong keys. Used
// by the Images API, the playground's API and the Library routes alike.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppDeps, AppEnv } from './deps.ts';
import { tooManyRequests, unauthorized } from './errors.ts';
import { ANONYMOUS, keyFromHeaders } from './keys.ts';
import { addressGroup } from './limits.ts';

/** The peer's address (a proxy's, behind one), grouped for throttling; "unknown" outside Node's server. */
function clientAddress(c: Context): string {
  try {
    return addressGroup(getConnInfo(c).remote.address);
  } catch {
    return 'unknown';
  }
}

/**
 * Sets the request's key identity, or throws 401 (no key, wrong key) or 429 (this address sent
 * too many wrong keys lately).
 */
export function authenticate(c: Context<AppEnv>, deps: AppDeps): void {
  if (deps.keys.open) {
    c.set('key', ANONYMOUS);
    return;
  }
  const presented = keyFromHeaders(c.req.raw.headers);
  if (!presented) throw unauthorized('missing API key: send "Authorization: Bearer <key>"');
  const address = clientAddress(c);
  const wait = deps.authFailures.blockedFor(address);
  if (wait > 0) throw tooManyRequests(`too many incorrect API keys from this address; retry after ${Math.ceil(wait)} s`, wait, 'auth_failures_exceeded');
  const key = deps.keys.lookup(presented);
  if (!key) {
    deps.authFailures.fail(address);
    throw unauthorized('incorrect API key provided');
  }
  c.set('key', key);
}
