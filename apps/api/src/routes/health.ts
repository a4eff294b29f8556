/** Liveness and readiness. /readyz checks Postgres and Redis; neither needs a token. */
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '@reminders/core/container';

const statusSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    checks: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const healthRoutes: FastifyPluginAsync<{ container: Container }> = async (app, { container }) => {
  app.get('/healthz', { schema: { summary: 'Liveness: the process is up', tags: ['health'], response: { 200: statusSchema } } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    { schema: { summary: 'Readiness: Postgres and Redis answer', tags: ['health'], response: { 200: statusSchema, 503: statusSchema } } },
    async (_req, reply) => {
      const checks: Record<string, string> = {};
      await Promise.all([
        container.prisma.$queryRaw`SELECT 1`.then(
          () => (checks.postgres = 'ok'),
          (e: Error) => (checks.postgres = `error: ${e.message.split('\n')[0]}`),
        ),
        container.redis.ping().then(
          () => (checks.redis = 'ok'),
          (e: Error) => (checks.redis = `error: ${e.message}`),
        ),
      ]);
      const ok = Object.values(checks).every((v) => v === 'ok');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
};
