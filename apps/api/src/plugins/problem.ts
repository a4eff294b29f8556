/**
 * One error shape for every error (RFC 9457 problem+json): type, title, status, detail, instance,
 * and `errors` (field, location, message) for validation problems. Covers service refusals
 * (AppError), Fastify's own validation / body-limit / bad-JSON / media-type errors, unknown
 * routes and unexpected failures (500, details only in the log).
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppErrorKind, type FieldError } from '@reminders/core/errors';
import { patternMessage } from '../schemas/patterns';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Problem types are relative URIs: `/problems/<slug>`. */
export const problemType = (slug: string) => `/problems/${slug}`;

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { in: string; pointer: string; detail: string }[];
  request_id?: string;
  /** Extension members (e.g. the `error` / `message` Bull Board's UI shows). */
  [extension: string]: unknown;
};

const KIND_STATUS: Record<AppErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409, unprocessable: 422, forbidden: 403 };

const TITLES: Record<string, string> = {
  'validation-error': 'The request is not valid',
  'invalid-json': 'The body is not valid JSON',
  'body-too-large': 'The body is too large',
  'unsupported-media-type': 'Unsupported media type',
  'not-found': 'Not found',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed for this token',
  'too-many-auth-failures': 'Too many failed authentication attempts',
  'internal-error': 'Internal error',
};

/** A known title, else the slug as a sentence (`assignment-not-found` -> `Assignment not found`). */
const titleOf = (slug: string) => TITLES[slug] ?? (slug.charAt(0).toUpperCase() + slug.slice(1)).replace(/-/g, ' ');

/** Sends a problem; use it from hooks (auth) and handlers that answer an error themselves. */
export function sendProblem(
  req: FastifyRequest,
  reply: FastifyReply,
  p: { status: number; slug: string; detail: string; title?: string; errors?: Problem['errors']; extensions?: Record<string, string> },
): FastifyReply {
  const body: Problem = {
    type: problemType(p.slug),
    title: p.title ?? titleOf(p.slug),
    status: p.status,
    detail: p.detail,
    instance: req.url.split('?')[0] ?? req.url,
    ...(p.errors ? { errors: p.errors } : {}),
    request_id: String(req.id),
    ...p.extensions,
  };
  // A fixed serializer: route response schemas document problems but must never strip them.
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

/** Friendlier words for some ajv keywords (a pattern's regex means little to a caller). */
const DETAILS: Record<string, (params: Record<string, unknown> | undefined) => string> = {
  additionalProperties: () => 'unknown field',
  required: () => 'is required',
  pattern: (params) => patternMessage(String(params?.pattern ?? '')),
};

type AjvError = { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> };

function validationErrors(err: FastifyError & { validation?: AjvError[]; validationContext?: string }) {
  const where = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    let pointer = v.instancePath ?? '';
    if (v.keyword === 'additionalProperties' && v.params?.additionalProperty) pointer += `/${String(v.params.additionalProperty)}`;
    if (v.keyword === 'required' && v.params?.missingProperty) pointer += `/${String(v.params.missingProperty)}`;
    const detail = DETAILS[v.keyword ?? '']?.(v.params) ?? v.message ?? 'is invalid';
    return { in: where, pointer: pointer || '/', detail };
  });
}

const fieldErrors = (errors: FieldError[]) => errors.map((e) => ({ in: e.in ?? 'body', pointer: e.pointer, detail: e.detail }));

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => sendProblem(req, reply, { status: 404, slug: 'not-found', detail: `no route ${req.method} ${req.url.split('?')[0]}` }));

  app.setErrorHandler((error: FastifyError & { validation?: AjvError[]; validationContext?: string }, req, reply) => {
    if (isAppError(error)) {
      const status = KIND_STATUS[error.kind];
      return sendProblem(req, reply, {
        status,
        slug: error.code,
        detail: error.message,
        errors: error.errors ? fieldErrors(error.errors) : undefined,
      });
    }
    if (error.validation) {
      const errors = validationErrors(error);
      const first = errors[0];
      const detail = first ? `${first.in}${first.pointer === '/' ? '' : first.pointer}: ${first.detail}` : error.message;
      return sendProblem(req, reply, { status: 400, slug: 'validation-error', detail, errors });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(req, reply, { status: 413, slug: 'body-too-large', detail: `the body exceeds this route's limit of ${req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes` });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(req, reply, { status: 415, slug: 'unsupported-media-type', detail: `send the body as application/json (got ${req.headers['content-type'] ?? 'no content type'})` });
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(req, reply, { status: 400, slug: 'invalid-json', detail: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(req, reply, { status, slug: (STATUS_CODES[status] ?? 'client-error').toLowerCase().replace(/[^a-z]+/g, '-'), title: STATUS_CODES[status], detail: error.message });
    }
    req.log.error({ err: error }, 'request failed');
    return sendProblem(req, reply, { status: 500, slug: 'internal-error', detail: 'an unexpected error occurred; the request_id identifies it in the service logs' });
  });
}
