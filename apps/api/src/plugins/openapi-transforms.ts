/**
 * The zod type provider's OpenAPI transforms, with three fixes for this document: shared schemas
 * only as answers use them, media-type fields besides the schema kept, and no safe-integer bounds.
 */
import { createJsonSchemaTransformObject, jsonSchemaTransform } from 'fastify-type-provider-zod';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** zod writes every z.int() with ±MAX_SAFE_INTEGER bounds: true, but noise in every answer. */
function dropSafeIntBounds(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(dropSafeIntBounds);
  if (!isObject(node)) return;
  if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  Object.values(node).forEach(dropSafeIntBounds);
}

/** Per route: zod schemas to JSON Schema. */
export const transform: typeof jsonSchemaTransform = (input) => {
  const result = jsonSchemaTransform(input);
  // For a response given per media type the provider keeps only `schema`; keep its `example` too.
  const given = (input.schema as { response?: Record<string, unknown> } | undefined)?.response ?? {};
  const made = (result.schema as { response?: Record<string, unknown> } | undefined)?.response ?? {};
  for (const [status, response] of Object.entries(given)) {
    const content = isObject(response) && isObject(response.content) ? response.content : undefined;
    const madeContent = isObject(made[status]) ? (made[status] as Json).content : undefined;
    if (!content || !isObject(madeContent)) continue;
    for (const [type, media] of Object.entries(content)) {
      if (isObject(media) && isObject(madeContent[type])) madeContent[type] = { ...media, schema: (madeContent[type] as Json).schema };
    }
  }
  dropSafeIntBounds(result.schema);
  return result;
};

const sharedComponents = createJsonSchemaTransformObject({});

/**
 * The whole document: shared schemas (zod's registry, e.g. Problem) as #/components/schemas/<id>.
 * Each comes as an output and an `<id>Input` twin; the shared ones appear only in answers, so the
 * twin would be an unused component (a lint warning).
 */
export const transformObject: typeof sharedComponents = (document) => {
  const doc = sharedComponents(document) as { components?: { schemas?: Json } };
  const schemas = doc.components?.schemas ?? {};
  for (const id of Object.keys(schemas)) if (id.endsWith('Input')) delete schemas[id];
  dropSafeIntBounds(schemas);
  return doc as ReturnType<typeof sharedComponents>;
};
