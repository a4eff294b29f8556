/** Liveness and readiness. /readyz checks Postgres and Redis; neither needs a token. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const statusSchema = z.object({ status: z.string(), checks: z.record(z.string(), z.string()).optional() });

/** A probe answers within this, whatever a dependency does: an orchestrator must not hang on us. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Each check resolves when its dependency answers (the composition root says how it asks). */
export type HealthChecks = { postgres: () => Promise<unknown>; redis: () => Promise<unknown> };

export const healthRoutes: FastifyPluginAsync<{ checks: HealthChecks }> = async (app, { checks: probe }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get('/healthz', { schema: { summary: 'Liveness: the process is up', tags: ['health'], response: { 200: statusSchema } } }, async () => ({
    status: 'ok',
  }));

  routes.get(
    '/readyz',
    { schema: { summary: 'Readiness: Postgres and Redis answer', tags: ['health'], response: { 200: statusSchema, 503: statusSchema } } },
    async (_req, reply) => {
      const checks: Record<string, string> = {};
      await Promise.all([
        withTimeout(probe.postgres()).then(
          () => (checks.postgres = 'ok'),
          (e: Error) => (checks.postgres = `error: ${e.message.trim().split('\n').pop()}`),
        ),
        withTimeout(probe.redis()).then(
          () => (checks.redis = 'ok'),
          (e: Error) => (checks.redis = `error: ${e.message}`),
        ),
      ]);
      const ok = Object.values(checks).every((v) => v === 'ok');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
};
