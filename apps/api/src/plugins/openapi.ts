/**
 * OpenAPI 3 document built from the route schemas (@fastify/swagger), served with Swagger UI at
 * /docs (the document itself at /docs/json and /docs/yaml). Register before the routes.
 */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { problemSchema } from '../schemas/common';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(problemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Follow-up reminders API',
        version: '1.0.0',
        description:
          'Activity registration, assignment contact state and admin corrections for the follow-up reminders service. ' +
          'Authenticate with `Authorization: Bearer <token>` (create one with `npx reminders token create --name N --role R`). ' +
          'Every error is application/problem+json (RFC 9457).',
      },
      tags: [
        { name: 'activities', description: 'Registering contact (moves last_contact_date)' },
        { name: 'assignments', description: 'Contact state, reminder history and corrections' },
        { name: 'tokens', description: 'API tokens (admin)' },
        { name: 'health', description: 'Probes (no token)' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token: rmd_ followed by 43 characters' } },
      },
    },
    // Shared schemas appear under their own $id (e.g. #/components/schemas/Problem), not def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
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
