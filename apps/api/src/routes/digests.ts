/** The digest outbox for operators over HTTP (issue 16), the same service as `reminders digests`. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DigestAdminService } from '@reminders/core/services/digest-admin';
import { AUTH_PROBLEMS, problemResponses } from '../schemas/common';
import { digestListQuery, digestListResponse, digestResolveBody, digestResolveResponse } from '../schemas/digests';
import { toJson } from '../ops-presenters';

export const digestRoutes: FastifyPluginAsync<{ digests: DigestAdminService }> = async (app, { digests }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/v1/digests',
    {
      schema: {
        summary: 'The digest outbox',
        description:
          'Mentor digests, coordinator digests and messages, and undeliverable notices, newest first, with their delivery state. `failed`: every attempt (EMAIL_MAX_ATTEMPTS, DIGEST_RETRY_SECONDS apart, doubling) was refused; retry or cancel them. Recipients are ids, not addresses. Reads only.',
        tags: ['delivery'],
        querystring: digestListQuery,
        response: { 200: digestListResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => {
      const { status, date, programme, limit } = req.query;
      return toJson({ digests: await digests.list({ status, date, programme, limit: limit === undefined ? undefined : Number(limit) }) });
    },
  );

  for (const action of ['retry', 'cancel'] as const) {
    routes.post(
      `/v1/digests/${action}`,
      {
        bodyLimit: 16 * 1024,
        schema: {
          summary: action === 'retry' ? 'Send the failed digests again' : 'Give the failed digests up',
          description:
            action === 'retry'
              ? 'Failed digests in scope become pending, due now, with a fresh EMAIL_MAX_ATTEMPTS: the next programme tick sends each once, with its own Message-ID. Only `failed` digests change. One admin_audit_log row (`digests.retry`) with the keys; none when nothing changed.'
              : 'Failed digests in scope are cancelled: their reminders stay in-app only. Only `failed` digests change. One admin_audit_log row (`digests.cancel`) with the keys; none when nothing changed.',
          tags: ['delivery'],
          body: digestResolveBody,
          response: { 200: digestResolveResponse, ...problemResponses(400, 404, 413, 415, ...AUTH_PROBLEMS) },
        },
      },
      async (req) => toJson(await digests[action]({ date: req.body.date, programme: req.body.programme, reason: req.body.reason ?? null, actor: req.principal!.name })),
    );
  }
};
