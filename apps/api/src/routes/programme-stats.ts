/** GET /v1/programmes/{slug}/stats: whether reminders work (issue 16), the same service as `reminders stats`. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EffectivenessService } from '@reminders/core/services/effectiveness-service';
import { AUTH_PROBLEMS, problemResponses } from '../schemas/common';
import { programmeSlugParams } from '../schemas/programmes';
import { statsQuery, statsResponse } from '../schemas/programme-stats';
import { toJson } from '../ops-presenters';

export const programmeStatsRoutes: FastifyPluginAsync<{ effectiveness: EffectivenessService }> = async (app, { effectiveness }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/programmes/:slug/stats',
    {
      schema: {
        summary: 'Whether reminders work: contact within 7 days, days to contact, reminders until contact, the focus list',
        description:
          "Per programme and period (`from`..`to`, local days of the programme's time zone, both included; default the last 28 days ending today). " +
          'A reminder is followed when an activity of its assignment has occurred_at >= its created_at and < created_at + 7 days; one whose 7 days are not over and that has no such activity is `pending` and left out of `share`. ' +
          'The focus list is the current state, not the period: active assignments whose current silence has at least `silent_after` reminders. Names are first names only. Reads only.',
        tags: ['programmes'],
        params: programmeSlugParams,
        querystring: statsQuery,
        response: { 200: statsResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => {
      const { from, to, silent_after } = req.query;
      return toJson(await effectiveness.forSlug(req.params.slug, { from, to, silentAfter: silent_after === undefined ? undefined : Number(silent_after) }));
    },
  );
};
