// Every failure leaves the server as an OpenAI-shaped error ({"error": {message, type, param, code}})
// with the status an OpenAI client expects, so client libraries raise their usual exception types
// (BadRequestError, AuthenticationError, RateLimitError, ...) without knowing about flowpaint.
import { z } from 'zod';

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error' | 'not_found_error';

/** Why a request was refused before it produced an image; the label of the rejections metric. */
export type RejectReason =
  | 'bad_request'
  | 'unauthorized'
  | 'too_large'
  | 'unsupported_media'
  | 'rate_limited'
  | 'too_many_concurrent'
  | 'queue_full'
  | 'shutting_down'
  | 'content_policy'
  | 'not_found';

export interface ApiErrorOptions {
  message: string;
  type: ErrorType;
  /** The machine-readable code clients branch on (null: none). */
  code?: string | null;
  /** The request field at fault (null: none). */
  param?: string | null;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** Set when this is a refusal worth counting in the rejections metric. */
  reason?: RejectReason | null;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly reason: RejectReason | null;

  constructor(readonly status: number, o: ApiErrorOptions) {
    super(o.message);
    this.type = o.type;
    this.code = o.code ?? null;
    this.param = o.param ?? null;
    this.headers = o.headers ?? {};
    this.reason = o.reason ?? null;
  }

  body(): { error: { message: string; type: ErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, { message, type: 'invalid_request_error', code, param, reason: 'bad_request' });

export const unauthorized = (message: string) =>
  new ApiError(401, { message, type: 'authentication_error', code: 'invalid_api_key', headers: { 'WWW-Authenticate': 'Bearer' }, reason: 'unauthorized' });

export const tooLarge = (limitBytes: number) =>
  new ApiError(413, { message: `the request body is larger than the ${limitBytes}-byte upload limit`, type: 'invalid_request_error', code: 'payload_too_large', headers: { Connection: 'close' }, reason: 'too_large' });

export const unsupportedMedia = (message: string, param: string | null = null) =>
  new ApiError(415, { message, type: 'invalid_request_error', code: 'unsupported_media_type', param, reason: 'unsupported_media' });

export const tooManyRequests = (message: string, retryAfterSeconds: number, code: 'rate_limit_exceeded' | 'concurrency_limit_exceeded' | 'queue_full' | 'auth_failures_exceeded') =>
  new ApiError(429, {
    message, type: 'rate_limit_error', code, headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    reason: code === 'queue_full' ? 'queue_full' : code === 'concurrency_limit_exceeded' ? 'too_many_concurrent' : 'rate_limited',
  });

export const shuttingDown = () =>
  new ApiError(503, { message: 'the server is shutting down and takes no new requests', type: 'server_error', code: 'shutting_down', headers: { 'Retry-After': '5', Connection: 'close' }, reason: 'shutting_down' });

export const notFound = (message: string) => new ApiError(404, { message, type: 'not_found_error', code: 'not_found', reason: 'not_found' });

/** 503 while a model (or an arena contender) is not ready; the client retries after 5 s. */
export const notReady = (message: string) =>
  new ApiError(503, { message, type: 'server_error', code: 'model_loading', headers: { 'Retry-After': '5' } });

/** A job was cancelled because its client went away; nobody reads the answer. */
export class JobCancelled extends Error {
  override name = 'JobCancelled';
  constructor() {
    super('the job was cancelled because its client disconnected');
  }
}

/**
 * Maps anything thrown while handling a request to an ApiError. Errors from the pipeline cross
 * thread and process boundaries as plain data, so they are matched by name, not by class.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) {
    const issue = err.issues[0]!;
    const param = issue.path.length ? issue.path.map(String).join('.') : null;
    return badRequest(param ? `${param}: ${issue.message}` : issue.message, param);
  }
  if (err instanceof Error) {
    if (err.name === 'InputError') return badRequest(err.message, paramFromMessage(err.message));
    if (err.name === 'SafetyRefusal') {
      const stage = (err as Error & { stage?: string }).stage;
      return new ApiError(400, {
        message: err.message, type: 'invalid_request_error', code: 'content_policy_violation',
        param: stage === 'input-image' ? 'image' : 'prompt', reason: 'content_policy',
      });
    }
    if (err.name === 'JobCancelled') return new ApiError(499, { message: err.message, type: 'invalid_request_error', code: 'cancelled' });
  }
  return new ApiError(500, { message: 'the server failed to process the request; the failure is in its log', type: 'server_error', code: 'internal_error' });
}

/** InputErrors name their subject first ("width must be ...", "image is not an image"). */
function paramFromMessage(message: string): string | null {
  const m = /^(size|width|height|image|mask|prompt|n|seed|guidance)\b/.exec(message);
  if (!m) return null;
  return m[1] === 'width' || m[1] === 'height' ? 'size' : m[1]!;
}
