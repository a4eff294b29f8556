/**
 * Zod pieces shared by the routes: one schema gives the handler's types, the validation, the
 * response serialisation (unknown fields dropped) and the OpenAPI document.
 */
import { z } from 'zod';
import { AppError } from '@reminders/core/errors';
import { PROBLEM_CONTENT_TYPE } from '../plugins/problem';
import { isParsableDateTime } from './date-time';
import { ID_PATTERN, SAFE_MULTILINE, SAFE_NONBLANK, SAFE_TEXT } from './patterns';

export const INT4_MAX = 2_147_483_647;

/** A pattern as the validator runs it: `u`, like ajv's unicodeRegExp (the patterns use \p{...}). */
export const regex = (pattern: string) => new RegExp(pattern, 'u');

/**
 * Length in code points, as JSON Schema's minLength / maxLength count (zod's .min/.max count
 * UTF-16 units): an emoji is one character here, as it was under ajv. The document still says
 * minLength / maxLength.
 */
const text = (min: number, max: number) =>
  z
    .string()
    .check((ctx) => {
      const n = [...ctx.value].length;
      if (n > max) ctx.issues.push({ code: 'custom', input: ctx.value, message: `must NOT have more than ${max} characters` });
      else if (n < min) ctx.issues.push({ code: 'custom', input: ctx.value, message: `must NOT have fewer than ${min} characters` });
    })
    .meta({ ...(min > 0 ? { minLength: min } : {}), maxLength: max });

export const nonBlankText = (maxLength: number, description: string, minLength = 1) =>
  text(minLength, maxLength).regex(regex(SAFE_NONBLANK)).describe(description);

export const multilineText = (maxLength: number, description: string) => text(0, maxLength).regex(regex(SAFE_MULTILINE)).describe(description);

export const safeText = (maxLength: number, description: string) => text(0, maxLength).regex(regex(SAFE_TEXT)).describe(description);

export const idSchema = (description: string) => z.int().min(1).max(INT4_MAX).describe(description);

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

/** Path ids as strings (nothing is coerced); the handler range-checks them with `parseId`. */
export const idParam = (description: string) => z.string().regex(regex(ID_PATTERN)).meta({ description, examples: ['42'] });

export const isoDate = (description: string) => z.iso.date().meta({ description, examples: ['2026-11-20'] });

/**
 * RFC 3339 date-time that JavaScript's Date reads as the same instant: zod's and ajv-formats'
 * date-time both take a leap second (23:59:60) that Date cannot read (it became a 500).
 */
export const dateTime = (description: string) =>
  z
    .string()
    .max(40)
    .refine(isParsableDateTime, { message: 'must match format "date-time"' })
    .meta({ format: 'date-time', description });

/**
 * Response fields: typed and documented, not re-validated on the way out (the serializer under
 * ajv checked types, never formats; a presenter's ISO string is trusted).
 */
export const out = {
  date: (description?: string) => z.string().meta({ format: 'date', ...(description ? { description } : {}) }),
  dateTime: (description?: string) => z.string().meta({ format: 'date-time', ...(description ? { description } : {}) }),
  nullableDate: (description?: string) => out.date(description).nullable(),
  nullableDateTime: (description?: string) => out.dateTime(description).nullable(),
};

export const problemSchema = z
  .object({
    type: z.string().describe('A relative URI naming the problem, /problems/<slug>'),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().describe('The request path'),
    request_id: z.string().describe('Identifies the request in the service logs').optional(),
    errors: z
      .array(
        z.object({
          in: z.enum(['body', 'params', 'querystring', 'headers']),
          pointer: z.string().describe('JSON pointer into the body (or the parameter name)'),
          detail: z.string(),
        }),
      )
      .describe('For validation problems: one entry per invalid field')
      .optional(),
  })
  .meta({
    // Registered under this id: the document refers to #/components/schemas/Problem everywhere.
    id: 'Problem',
    description: 'RFC 9457 problem details; every error the API returns has this shape.',
    // `example`, not `examples`: a component is an OpenAPI 3.0 Schema Object, which has only that.
    example: {
        type: '/problems/validation-error',
        title: 'The request is not valid',
        status: 400,
        detail: 'body/occurred_at: must match format "date-time"',
        instance: '/v1/activities',
        errors: [{ in: 'body', pointer: '/occurred_at', detail: 'must match format "date-time"' }],
        request_id: 'req-1',
      },
  });

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
export function problemResponses<const S extends number>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } }])) as Record<
    S,
    { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof problemSchema } } }
  >;
}

/** The problems every guarded route can answer, besides its own. */
export const AUTH_PROBLEMS = [401, 403, 429] as const;
