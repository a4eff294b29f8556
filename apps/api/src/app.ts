/** Builds the Fastify app (no port): routes, schemas, error shape. `server.ts` listens. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Container } from '@reminders/core/container';
import { healthRoutes } from './routes/health';

export type AppOptions = { container: Container };

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.container.logger as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  await app.register(healthRoutes, { container: opts.container });
  return app;
}
