// The HTTP application: middleware (request ids and logs, metrics, CORS, shutdown, auth) and
// the routes, built from injected parts so tests can run it over a fake or a real pipeline.
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { authenticate } from './auth.ts';
import type { AppDeps, AppEnv } from './deps.ts';
import { ApiError, notReady, shuttingDown, toApiError } from './errors.ts';
import { defaultPlaygroundDir, registerPlayground } from './playground.ts';
import { registerImageRoutes } from './routes/images.ts';
import { registerLibraryRoutes } from './routes/library.ts';
import { registerMetaRoutes } from './routes/meta.ts';

/** Converts a route pattern of this app ("/v1/images/files/:name", "/assets/*") to a RegExp. */
function routeRegExp(path: string): RegExp {
  const body = path.split('/').map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${body}$`);
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const id = c.req.header('x-request-id')?.slice(0, 64) || randomUUID();
    const log = deps.logger.child({ req: id });
    c.set('log', log);
    c.header('X-Request-Id', id);
    const t0 = performance.now();
    await next();
    const seconds = (performance.now() - t0) / 1000;
    const route = c.req.routePath === '/*' || !c.req.routePath ? 'other' : c.req.routePath;
    deps.metrics.requestSeconds.observe({ route, status: String(c.res.status) }, seconds);
    const key = c.get('key');
    log.info({ event: 'request', method: c.req.method, path: c.req.path, status: c.res.status, ms: Number((seconds * 1000).toFixed(1)), ...(key ? { key: key.id } : {}) });
  });

  app.onError((err, c) => {
    const e = toApiError(err);
    const log = c.get('log') ?? deps.logger;
    if (e.status >= 500 && !(err instanceof ApiError)) log.error({ event: 'error', err }, 'request failed');
    if (e.reason) deps.metrics.reject(e.reason);
    // 499 (the client left) is never seen by the client; the status only reaches the logs.
    return c.json(e.body(), e.status as 400, e.headers);
  });

  // A path that exists under other methods answers 405 with Allow, as HTTP asks (TRACE included).
  let routes: Array<{ method: string; re: RegExp }> | undefined;
  app.notFound((c) => {
    routes ??= app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ method: r.method, re: routeRegExp(r.path) }));
    const allowed = new Set(routes.filter((r) => r.re.test(c.req.path)).map((r) => r.method));
    if (allowed.size > 0) {
      if (allowed.has('GET')) allowed.add('HEAD');
      const allow = [...allowed].sort().join(', ');
      return c.json({ error: { message: `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`, type: 'invalid_request_error', param: null, code: 'method_not_allowed' } }, 405, { Allow: allow });
    }
    return c.json({ error: { message: `no route for ${c.req.method} ${c.req.path}`, type: 'invalid_request_error', param: null, code: 'not_found' } }, 404);
  });

  if (deps.config.cors.origins.length > 0) {
    const origins = deps.config.cors.origins;
    app.use('*', cors({
      origin: origins.includes('*') ? '*' : origins,
      allowHeaders: ['Authorization', 'Content-Type', 'api-key', 'X-Request-Id'],
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      exposeHeaders: ['Retry-After', 'X-Request-Id'],
      maxAge: 600,
    }));
  }

  // Images handed out as URLs carry their own unguessable id, so they need no key.
  app.use('/v1/*', async (c, next) => {
    if (c.req.path.startsWith('/v1/images/files/')) return next();
    if (deps.state.draining) throw shuttingDown();
    authenticate(c, deps);
    if (!deps.queue()) {
      throw notReady(deps.state.loadError ? `the model failed to load: ${deps.state.loadError}` : 'the model is still loading; retry shortly');
    }
    return next();
  });

  // Each route module fills a sub-app of its own, mounted at the root in this order; the
  // middleware above runs before all of them. A new module is one more line here.
  const modules: Array<(r: Hono<AppEnv>) => void> = [
    (r) => registerMetaRoutes(r, deps),
    (r) => registerImageRoutes(r, deps),
    ...(deps.config.playground.enabled ? [(r: Hono<AppEnv>) => registerPlayground(r, deps, { dir: deps.config.playground.dir ?? defaultPlaygroundDir() })] : []),
    (r) => registerLibraryRoutes(r, deps),
  ];
  for (const register of modules) app.route('/', subApp(register));
  return app;
}

function subApp(register: (r: Hono<AppEnv>) => void): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  register(r);
  return r;
}
