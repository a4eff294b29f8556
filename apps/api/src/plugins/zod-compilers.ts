/**
 * The zod schema compilers for the API's routes. Validation failures come out shaped like ajv's
 * (keyword, instancePath, params, message in ajv's words), so the problem handler turns them into
 * the same problem+json as before: one error, the same pointers, the same details. Responses are
 * encoded with their zod schema, which also drops every field the schema does not name.
 */
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { z } from 'zod';
import { safeParse, type $ZodIssue, type $ZodType } from 'zod/v4/core';
import { serializerCompiler } from 'fastify-type-provider-zod';

export { serializerCompiler };

/** What problem.ts reads from a validation error (ajv's error object, in part). */
export type AjvLikeError = FastifySchemaValidationError & { message: string };

type Path = readonly PropertyKey[];
const pointerOf = (path: Path) => path.map((p) => `/${String(p)}`).join('');

const isObject = (v: unknown): v is Record<PropertyKey, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** Past optional / nullable wrappers. */
function unwrap(s: $ZodType): $ZodType {
  for (let inner = (s._zod.def as { innerType?: $ZodType }).innerType; inner; inner = (s._zod.def as { innerType?: $ZodType }).innerType) s = inner;
  return s;
}

/** The schema at `path` (to tell an integer field from a number field). */
function schemaAt(schema: $ZodType, path: Path): $ZodType | undefined {
  let s = unwrap(schema);
  for (const key of path) {
    const def = s._zod.def as { type: string; shape?: Record<string, $ZodType>; element?: $ZodType };
    const next = def.type === 'object' ? def.shape?.[String(key)] : def.type === 'array' ? def.element : undefined;
    if (!next) return undefined;
    s = unwrap(next);
  }
  return s;
}

const isInteger = (s: $ZodType | undefined) => ['safeint', 'int32', 'uint32'].includes(String((s?._zod.def as { format?: unknown } | undefined)?.format));

const FORMATS: Record<string, string> = { date: 'date', datetime: 'date-time' };
const size = (origin: unknown) => (origin === 'array' ? 'items' : origin === 'string' ? 'characters' : 'properties');

/** One zod issue as ajv would have reported it. */
function toAjv(issue: $ZodIssue, data: unknown, schema: $ZodType): AjvLikeError {
  return { schemaPath: '#', ...ajvWords(issue, data, schema) };
}

function ajvWords(issue: $ZodIssue, data: unknown, schema: $ZodType): Omit<AjvLikeError, 'schemaPath'> {
  const path = issue.path;
  const at = pointerOf(path);
  // A field that is not there fails whatever its own rule is (a type, an enum): ajv said "required".
  const parent = valueAt(data, path.slice(0, -1));
  if (path.length > 0 && isObject(parent) && !Object.hasOwn(parent, path.at(-1)!)) {
    return { keyword: 'required', instancePath: pointerOf(path.slice(0, -1)), message: `must have required property '${String(path.at(-1))}'`, params: { missingProperty: String(path.at(-1)) } };
  }
  switch (issue.code) {
    case 'invalid_type': {
      const type = issue.expected === 'int' || (issue.expected === 'number' && isInteger(schemaAt(schema, path))) ? 'integer' : issue.expected;
      return { keyword: 'type', instancePath: at, message: `must be ${type}`, params: { type } };
    }
    case 'unrecognized_keys':
      return { keyword: 'additionalProperties', instancePath: at, message: 'must NOT have additional properties', params: { additionalProperty: issue.keys[0] } };
    case 'invalid_value':
      return { keyword: 'enum', instancePath: at, message: 'must be equal to one of the allowed values', params: { allowedValues: issue.values } };
    case 'invalid_format':
      if (issue.format === 'regex') {
        const pattern = String((issue as { pattern?: string }).pattern ?? '').replace(/^\/(.*)\/[a-z]*$/s, '$1');
        return { keyword: 'pattern', instancePath: at, message: `must match pattern "${pattern}"`, params: { pattern } };
      }
      return { keyword: 'format', instancePath: at, message: `must match format "${FORMATS[issue.format] ?? issue.format}"`, params: { format: FORMATS[issue.format] ?? issue.format } };
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'number' || issue.origin === 'int') return { keyword: 'minimum', instancePath: at, message: `must be ${issue.inclusive ? '>=' : '>'} ${n}`, params: { limit: n } };
      return { keyword: `min${issue.origin === 'array' ? 'Items' : 'Length'}`, instancePath: at, message: `must NOT have fewer than ${n} ${size(issue.origin)}`, params: { limit: n } };
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'number' || issue.origin === 'int') return { keyword: 'maximum', instancePath: at, message: `must be ${issue.inclusive ? '<=' : '<'} ${n}`, params: { limit: n } };
      return { keyword: `max${issue.origin === 'array' ? 'Items' : 'Length'}`, instancePath: at, message: `must NOT have more than ${n} ${size(issue.origin)}`, params: { limit: n } };
    }
    default:
      // Refinements (date-time, text length in code points) carry ajv's words themselves.
      return { keyword: issue.code, instancePath: at, message: issue.message, params: {} };
  }
}

/** ajv checks required before unknown fields before each property's own rules; zod goes field by field. */
const rank = (e: AjvLikeError) => (e.keyword === 'required' ? 0 : e.keyword === 'additionalProperties' ? 1 : 2);

/**
 * ajv ran with allErrors: false, so a problem listed one error: the first in ajv's order. The
 * same here (zod finds them all; the ranking picks the one ajv would have stopped at).
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const result = safeParse(schema as unknown as $ZodType, data);
    if (result.success) return { value: result.data };
    const errors = result.error.issues.map((i) => toAjv(i, data, schema as unknown as $ZodType));
    const first = errors.reduce((best, e) => (rank(e) < rank(best) ? e : best));
    return { error: [first] };
  };
