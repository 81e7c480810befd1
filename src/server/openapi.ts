// /openapi.json: the API described from the same zod schemas that validate requests, so the
// description cannot drift from what the server accepts.
import { z } from 'zod';
import {
  EditJsonBody, EditMultipartDoc, ErrorBody, GenerateBody, ImageEditCompletedEvent, ImageEditPartialImageEvent,
  ImageGenCompletedEvent, ImageGenPartialImageEvent, ImagesResponse,
} from './schemas.ts';

/** Every request and response schema as JSON Schema, under its component name. */
function componentSchemas(): Record<string, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  registry.add(GenerateBody, { id: 'ImageGenerateRequest' });
  registry.add(EditJsonBody, { id: 'ImageEditJsonRequest' });
  registry.add(EditMultipartDoc, { id: 'ImageEditMultipartRequest' });
  registry.add(ImagesResponse, { id: 'ImagesResponse' });
  registry.add(ErrorBody, { id: 'Error' });
  registry.add(ImageGenPartialImageEvent, { id: 'ImageGenPartialImageEvent' });
  registry.add(ImageGenCompletedEvent, { id: 'ImageGenCompletedEvent' });
  registry.add(ImageEditPartialImageEvent, { id: 'ImageEditPartialImageEvent' });
  registry.add(ImageEditCompletedEvent, { id: 'ImageEditCompletedEvent' });
  const { schemas } = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, { $schema: _s, $id: _i, ...rest }] of Object.entries(schemas)) out[id] = rest as Record<string, unknown>;
  // Files in a multipart body are binary strings.
  const multipart = out.ImageEditMultipartRequest!.properties as Record<string, unknown>;
  multipart.image = { type: 'string', format: 'binary', description: 'The image to edit. Also accepted as image[] with one file.' };
  multipart.mask = { type: 'string', format: 'binary', description: 'PNG whose transparent pixels mark the area to change; without alpha, white marks it.' };
  // A multipart field is text: it cannot be null (a client sending "null" sends the word).
  for (const [name, prop] of Object.entries(multipart)) multipart[name] = withoutNull(prop);
  // What JSON Schema can say of a size; the rest (multiples of 16, the pixel limit) is in words.
  for (const id of ['ImageGenerateRequest', 'ImageEditJsonRequest', 'ImageEditMultipartRequest']) {
    const props = out[id]!.properties as Record<string, Record<string, unknown>>;
    const { description } = props.size!;
    const size = { type: 'string', pattern: SIZE_PATTERN };
    props.size = id === 'ImageEditMultipartRequest' ? { description, ...size } : { description, anyOf: [size, { type: 'null' }] };
    // "transparent" is accepted by the parser only to be refused with a clear message.
    const background = { type: 'string', enum: ['auto', 'opaque'] };
    props.background = { description: '"transparent" is refused (400): the model draws opaque images.', ...(id === 'ImageEditMultipartRequest' ? background : { anyOf: [background, { type: 'null' }] }) };
  }
  // The JSON edit takes its one source image as `image` or as `images`, not both (the zod
  // schema leaves both optional and the route counts them).
  out.ImageEditJsonRequest!.oneOf = [{ required: ['image'] }, { required: ['images'] }];
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const SIZE_PATTERN = '^(auto|[0-9]+x[0-9]+)$';

/** A property's schema without its `null` alternative (`anyOf: [X, {type: "null"}]` → X). */
function withoutNull(schema: unknown): Record<string, unknown> {
  const s = schema as Record<string, unknown>;
  const anyOf = s.anyOf as Array<Record<string, unknown>> | undefined;
  if (!anyOf) return s;
  const rest = anyOf.filter((x) => x.type !== 'null');
  const { anyOf: _a, ...others } = s;
  return rest.length === 1 ? { ...others, ...rest[0] } : { ...others, anyOf: rest };
}

const errorResponses = (codes: Record<number, string>) =>
  Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, { description, content: { 'application/json': { schema: ref('Error') } } }]));

const imageErrors = errorResponses({
  400: 'Bad parameters, or content_policy_violation when the safety filters refuse',
  401: 'Missing or incorrect API key',
  413: 'Request body over the upload limit',
  415: 'Not an image, or an unsupported content type',
  429: 'Rate, concurrency or queue limit reached (see Retry-After)',
  503: 'Shutting down, or the model is still loading (see Retry-After)',
});

/**
 * One server-sent event: its name and its data, a JSON text of the given schema. Open API 3.1
 * has no way to describe an event stream as a whole, so (as tools read it) `schema` describes
 * each event; `contentSchema` says what `data` holds once parsed.
 */
const sseEvent = (name: string, schema: string) => ({
  type: 'object',
  required: ['event', 'data'],
  properties: {
    event: { const: name },
    data: { type: 'string', contentMediaType: 'application/json', contentSchema: ref(schema) },
    id: { type: 'string' },
    retry: { type: 'integer' },
  },
});

const imageOk = (prefix: 'image_generation' | 'image_edit', partial: string, completed: string) => ({
  200: {
    description: `The images; with stream: true, server-sent events: ${prefix}.partial_image (0 to partial_images of them), ` +
      `then one ${prefix}.completed per image, or an \`error\` event (data: an Error) if the job fails after the stream began.`,
    content: {
      'application/json': { schema: ref('ImagesResponse') },
      'text/event-stream': {
        schema: {
          description: 'Each event of the stream (not the stream as a whole).',
          oneOf: [sseEvent(`${prefix}.partial_image`, partial), sseEvent(`${prefix}.completed`, completed), sseEvent('error', 'Error')],
        },
      },
    },
  },
});

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'flowpaint',
      version: '0.1.0',
      description: 'Text-to-image generation and image editing, compatible with the OpenAI Images API.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key (none needed when the server runs without keys, on loopback only).' } },
      schemas: componentSchemas(),
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/images/generations': {
        post: {
          summary: 'Create images from a prompt',
          requestBody: { required: true, content: { 'application/json': { schema: ref('ImageGenerateRequest') } } },
          responses: { ...imageOk('image_generation', 'ImageGenPartialImageEvent', 'ImageGenCompletedEvent'), ...imageErrors },
        },
      },
      '/v1/images/edits': {
        post: {
          summary: 'Edit an image by instruction, or inpaint the area a mask marks',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': { schema: ref('ImageEditMultipartRequest') },
              'application/json': { schema: ref('ImageEditJsonRequest') },
            },
          },
          responses: { ...imageOk('image_edit', 'ImageEditPartialImageEvent', 'ImageEditCompletedEvent'), ...imageErrors },
        },
      },
      '/v1/images/files/{name}': {
        get: {
          summary: 'An image returned as a URL (response_format "url"); links expire',
          security: [],
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'The image', content: { 'image/png': {}, 'image/jpeg': {}, 'image/webp': {} } }, ...errorResponses({ 404: 'Unknown or expired' }) },
        },
      },
      '/v1/models': { get: { summary: 'The served model', responses: { 200: { description: 'A list with one model' }, ...errorResponses({ 401: 'Missing or incorrect API key' }) } } },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'The process answers' } } } },
      '/readyz': { get: { summary: 'Readiness', security: [], responses: { 200: { description: 'Model loaded, accepting jobs' }, 503: { description: 'Loading or shutting down' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'Text exposition format', content: { 'text/plain': {} } } } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } } },
    },
  };
}
