/** GET /metrics: Prometheus text format, for a token with read access (scrapers use a viewer token). */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServiceMetrics } from '../metrics/service-metrics';

export const metricsRoutes: FastifyPluginAsync<{ metrics: ServiceMetrics }> = async (app, { metrics }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics: runs, durations, reminders by outcome, lock contention, failures, queues',
        tags: ['operations'],
        produces: ['text/plain'],
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: {
              'text/plain': {
                schema: z.string(),
                example: '# HELP reminders_runs_total Sweep runs by final status\n# TYPE reminders_runs_total counter\nreminders_runs_total{status="succeeded",trigger="scheduled"} 41\n',
              },
            },
          },
        },
      },
    },
    async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()),
  );
};
