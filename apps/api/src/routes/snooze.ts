/** An assignment's snooze over HTTP (the same service as `reminders snooze`); every change is audited. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { SnoozeService } from '@reminders/core/services/snooze-service';
import { AUTH_PROBLEMS, parseId, problemResponses } from '../schemas/common';
import { snoozeBody, snoozeParams, snoozeResponse } from '../schemas/snooze';
import { snoozeJson } from '../absence-presenters';

export const snoozeRoutes: FastifyPluginAsync<{ snoozes: SnoozeService }> = async (app, { snoozes }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.put(
    '/v1/assignments/:id/snooze',
    {
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Snooze an assignment',
        description:
          "No reminder for the assignment through `until` (included; today or later in its programme's time zone, at most 366 days ahead). The silence still counts: the day after, the reminder current then is sent. Setting it again replaces it. 409 for a closed assignment. Writes one admin_audit_log row (`assignment.snooze`) with the snooze before and after.",
        tags: ['assignments'],
        params: snoozeParams,
        body: snoozeBody,
        response: { 200: snoozeResponse, ...problemResponses(400, 404, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => snoozeJson(await snoozes.snooze({ assignmentId: parseId(req.params.id), until: req.body.until, reason: req.body.reason ?? null, actor: req.principal!.name })),
  );

  routes.delete(
    '/v1/assignments/:id/snooze',
    {
      schema: {
        summary: "Clear an assignment's snooze",
        description:
          'Reminders follow the rules again from the next sweep. Idempotent: with no snooze set nothing is written (`changed: false`). Writes one admin_audit_log row (`assignment.unsnooze`) with the snooze before and after.',
        tags: ['assignments'],
        params: snoozeParams,
        response: { 200: snoozeResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => snoozeJson(await snoozes.clear({ assignmentId: parseId(req.params.id), actor: req.principal!.name })),
  );
};
