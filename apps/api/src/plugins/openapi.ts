/**
 * OpenAPI 3 document built from the routes' zod schemas (@fastify/swagger with the zod type
 * provider's transforms), served with Swagger UI at /docs (the document itself at /docs/json and
 * /docs/yaml). Register before the routes.
 */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { problemResponses } from '../schemas/common';
import { OPERATION_IDS } from '../operation-ids';
import { PUBLIC_ROUTES, SIGNED_LINK_ROUTES, routeKey } from '../route-roles';
import { transform, transformObject } from './openapi-transforms';

/** Where the document says the API is; a deployment behind a proxy serves it under its own name. */
export type OpenApiOptions = { serverUrl: string };

export async function registerOpenApi(app: FastifyInstance, opts: OpenApiOptions): Promise<void> {
  // Every documented route gets its operationId from the one table, and the public probes say
  // so (`security: []`) instead of leaving clients to guess. Runs for routes added after this.
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    const method = Array.isArray(route.method) ? route.method[0]! : route.method;
    if (!schema || schema.hide || method === 'HEAD') return;
    const key = routeKey(method, route.url);
    const operationId = OPERATION_IDS[key];
    if (!operationId) throw new Error(`route ${key} has no operationId: add it to apps/api/src/operation-ids.ts`);
    schema.operationId = operationId;
    if (PUBLIC_ROUTES.includes(key) || SIGNED_LINK_ROUTES.includes(key)) {
      schema.security = [];
      // Any request can be refused before routing for headers over Node's limit.
      schema.response = { ...problemResponses(431), ...(schema.response as object | undefined) };
    }
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      servers: [{ url: opts.serverUrl, description: 'this deployment (HOST and PORT)' }],
      info: {
        title: 'Follow-up reminders API',
        version: '1.0.0',
        // The same as package.json: not licensed for use by others (npm's own word for it, explained there).
        license: { name: 'UNLICENSED', url: 'https://docs.npmjs.com/cli/configuring-npm/package-json#license' },
        description:
          'Activity registration, assignment contact state and admin corrections for the follow-up reminders service. ' +
          'Authenticate with `Authorization: Bearer <token>` (create one with `npx reminders token create --name N --role R`). ' +
          'Every error is application/problem+json (RFC 9457).',
      },
      tags: [
        { name: 'activities', description: 'Registering contact (moves last_contact_date)' },
        { name: 'assignments', description: 'Contact state, reminder history and corrections' },
        { name: 'tokens', description: 'API tokens (admin)' },
        { name: 'programmes', description: 'Programmes: their rules, time zone and send time; moving assignments between them' },
        { name: 'mentors', description: "A peer mentor's preferences, and the one-click unsubscribe link of the reminder e-mails (no token: the link is signed)" },
        { name: 'delivery', description: 'Bounces and complaints from the mail provider; undeliverable addresses; the digest outbox (retry or cancel failed digests)' },
        { name: 'absences', description: "A mentor's absences: reminders frozen or covered by the coordinator while they are away" },
        { name: 'health', description: 'Probes (no token)' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token: rmd_ followed by 43 characters' } },
      },
    },
    transform,
    transformObject,
  });
  // Swagger UI's own CSP (hashes of its inline code), with framing forbidden as everywhere else and
  // no forced upgrade to https (see plugins/security.ts).
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
    staticCSP: true,
    transformStaticCSP: (header) => header.replace("frame-ancestors 'self'", "frame-ancestors 'none'").replace(/ ?upgrade-insecure-requests;?/, ''),
  });
}
