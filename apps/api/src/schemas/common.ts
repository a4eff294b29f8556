/** JSON Schema pieces shared by the routes (validation, serialisation and the OpenAPI document). */
import { AppError } from '@reminders/core/errors';
import { PROBLEM_CONTENT_TYPE } from '../plugins/problem';
import { ID_PATTERN, SAFE_MULTILINE, SAFE_NONBLANK, SAFE_TEXT } from './patterns';

export const INT4_MAX = 2_147_483_647;

export const nonBlankText = (maxLength: number, description: string, minLength = 1) =>
  ({ type: 'string', minLength, maxLength, pattern: SAFE_NONBLANK, description }) as const;

export const multilineText = (maxLength: number, description: string) =>
  ({ type: 'string', maxLength, pattern: SAFE_MULTILINE, description }) as const;

export const safeText = (maxLength: number, description: string) => ({ type: 'string', maxLength, pattern: SAFE_TEXT, description }) as const;

export const idSchema = (description: string) => ({ type: 'integer', minimum: 1, maximum: INT4_MAX, description }) as const;

/**
 * A path id (validated by `idParam`) as a number; above int4 it is a 400 problem, not a database
 * error. Use it for every `:id` route.
 */
export function parseId(raw: string, param = 'id'): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1 || id > INT4_MAX) {
    throw new AppError('invalid', 'validation-error', `params/${param}: must be at most ${INT4_MAX}`, [{ in: 'params', pointer: `/${param}`, detail: `must be a whole number from 1 to ${INT4_MAX}` }]);
  }
  return id;
}

/** Path ids as strings (the ajv instance does not coerce types); the handler range-checks them with `parseId`. */
export const idParam = (description: string) => ({ type: 'string', pattern: ID_PATTERN, description, examples: ['42'] }) as const;

export const isoDate = (description: string) => ({ type: 'string', format: 'date', description, examples: ['2026-11-20'] }) as const;
export const nullableIsoDate = (description: string) => ({ type: ['string', 'null'], format: 'date', description }) as const;
export const dateTime = (description: string) => ({ type: 'string', format: 'date-time', maxLength: 40, description }) as const;

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details; every error the API returns has this shape.',
  required: ['type', 'title', 'status', 'detail', 'instance'],
  properties: {
    type: { type: 'string', description: 'A relative URI naming the problem, /problems/<slug>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
    request_id: { type: 'string', description: 'Identifies the request in the service logs' },
    errors: {
      type: 'array',
      description: 'For validation problems: one entry per invalid field',
      items: {
        type: 'object',
        properties: {
          in: { type: 'string', enum: ['body', 'params', 'querystring', 'headers'] },
          pointer: { type: 'string', description: 'JSON pointer into the body (or the parameter name)' },
          detail: { type: 'string' },
        },
      },
    },
  },
  examples: [
    {
      type: '/problems/validation-error',
      title: 'The request is not valid',
      status: 400,
      detail: 'body/occurred_at: must match format "date-time"',
      instance: '/v1/activities',
      errors: [{ in: 'body', pointer: '/occurred_at', detail: 'must match format "date-time"' }],
      request_id: 'req-1',
    },
  ],
} as const;

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: schema validation, bad JSON, unknown fields',
  401: 'Missing, malformed, unknown or revoked bearer token',
  403: "The token's role may not call this route",
  404: 'No such resource',
  409: 'Conflicts with the current state',
  413: 'Body larger than the route allows',
  415: 'Body is not application/json',
  422: 'Well-formed but refused (future date, before the assignment began, reused idempotency key)',
  429: 'Too many failed authentication attempts from this address',
  431: 'Request headers larger than the server accepts',
};

/** Response entries for problem statuses, served as application/problem+json. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'Problem#' } } } }]),
  );
}

/** The problems every guarded route can answer, besides its own. */
export const AUTH_PROBLEMS = [401, 403, 429] as const;
