/** GET /v1/assignments/:id and the admin correction of last_contact_date. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AssignmentService } from '@reminders/core/services/assignment-service';
import { AUTH_PROBLEMS, parseId, problemResponses } from '../schemas/common';
import { assignmentGetResponse, assignmentParams, correctionBody, correctionResponse } from '../schemas/assignments';
import { assignmentJson, correctionJson } from '../presenters';

export const assignmentRoutes: FastifyPluginAsync<{ assignments: AssignmentService }> = async (app, { assignments }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/v1/assignments/:id',
    {
      schema: {
        summary: "An assignment's contact state, next reminder and reminder history",
        tags: ['assignments'],
        params: assignmentParams,
        response: { 200: assignmentGetResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => assignmentJson(await assignments.get(parseId(req.params.id))),
  );

  routes.post(
    '/v1/assignments/:id/contact-correction',
    {
      bodyLimit: 16 * 1024,
      schema: {
        summary: "Correct an assignment's last_contact_date by hand",
        description:
          'Sets last_contact_date to the given day (it may move backwards), writes one admin_audit_log row (who, before, after, reason, when) in the same transaction, and answers with the assignment and its next reminder due date. The day may not be in the future (in REMINDER_TZ) nor before the assignment began.',
        tags: ['assignments'],
        params: assignmentParams,
        body: correctionBody,
        response: { 200: correctionResponse, ...problemResponses(400, 404, 413, 415, 422, ...AUTH_PROBLEMS) },
      },
    },
    async (req) =>
      correctionJson(
        await assignments.correctContact({
          assignmentId: parseId(req.params.id),
          date: req.body.last_contact_date,
          reason: req.body.reason,
          actor: req.principal!.name,
        }),
      ),
  );
};
