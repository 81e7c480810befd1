// The routes around the images: the model list, health and readiness, metrics, the API's own
// description.
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import { openApiDocument } from '../openapi.ts';

export function registerMetaRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  // Liveness: the process and its event loop answer. Never depends on the model or the queue.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Readiness: take traffic only with a loaded model and while not shutting down.
  app.get('/readyz', async (c) => {
    const queue = deps.queue();
    if (deps.state.draining) return c.json({ status: 'shutting_down' }, 503);
    if (!queue) return c.json({ status: deps.state.loadError ? 'failed' : 'loading', ...(deps.state.loadError ? { error: deps.state.loadError } : {}) }, 503);
    return c.json({ status: 'ready', model: queue.model.id, ...(await queue.stats()) });
  });

  app.get('/metrics', async (c) => c.body(await deps.metrics.registry.metrics(), 200, { 'Content-Type': deps.metrics.registry.contentType }));

  const doc = openApiDocument();
  app.get('/openapi.json', (c) => c.json(doc));

  app.get('/v1/models', (c) => {
    const model = deps.queue()!.model;
    return c.json({ object: 'list', data: [{ id: model.id, object: 'model', created: deps.startedAt, owned_by: 'flowpaint', version: model.version }] });
  });

  app.get('/v1/models/:id', (c) => {
    const model = deps.queue()!.model;
    const id = c.req.param('id');
    if (id !== model.id && !deps.config.modelAliases.includes(id)) {
      return c.json({ error: { message: `model '${id}' is not served here`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } }, 404);
    }
    return c.json({ id: model.id, object: 'model', created: deps.startedAt, owned_by: 'flowpaint', version: model.version });
  });
}
