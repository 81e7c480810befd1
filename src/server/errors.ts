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

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
    /** Set when this is a refusal worth counting in the rejections metric. */
    readonly reason: RejectReason | null = null,
  ) {
    super(message);
  }

  body(): { error: { message: string; type: ErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, message, 'invalid_request_error', code, param, {}, 'bad_request');

export const unauthorized = (message: string) =>
  new ApiError(401, message, 'authentication_error', 'invalid_api_key', null, { 'WWW-Authenticate': 'Bearer' }, 'unauthorized');

export const tooLarge = (limitBytes: number) =>
  new ApiError(413, `the request body is larger than the ${limitBytes}-byte upload limit`, 'invalid_request_error', 'payload_too_large', null, { Connection: 'close' }, 'too_large');

export const unsupportedMedia = (message: string, param: string | null = null) =>
  new ApiError(415, message, 'invalid_request_error', 'unsupported_media_type', param, {}, 'unsupported_media');

export const tooManyRequests = (message: string, retryAfterSeconds: number, code: 'rate_limit_exceeded' | 'concurrency_limit_exceeded' | 'queue_full' | 'auth_failures_exceeded') =>
  new ApiError(429, message, 'rate_limit_error', code, null, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    code === 'queue_full' ? 'queue_full' : code === 'concurrency_limit_exceeded' ? 'too_many_concurrent' : 'rate_limited');

export const shuttingDown = () =>
  new ApiError(503, 'the server is shutting down and takes no new requests', 'server_error', 'shutting_down', null, { 'Retry-After': '5', Connection: 'close' }, 'shutting_down');

export const notFound = (message: string) => new ApiError(404, message, 'not_found_error', 'not_found', null, {}, 'not_found');

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
      return new ApiError(400, err.message, 'invalid_request_error', 'content_policy_violation',
        stage === 'input-image' ? 'image' : 'prompt', {}, 'content_policy');
    }
    if (err.name === 'JobCancelled') return new ApiError(499, err.message, 'invalid_request_error', 'cancelled');
  }
  return new ApiError(500, 'the server failed to process the request; the failure is in its log', 'server_error', 'internal_error');
}

/** InputErrors name their subject first ("width must be ...", "image is not an image"). */
function paramFromMessage(message: string): string | null {
  const m = /^(size|width|height|image|mask|prompt|n|seed)\b/.exec(message);
  if (!m) return null;
  return m[1] === 'width' || m[1] === 'height' ? 'size' : m[1]!;
}
