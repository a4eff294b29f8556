/** A mentor's absences over HTTP (the same service as `reminders absence ...`); every change is audited. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AbsenceService } from '@reminders/core/services/absence-service';
import { AUTH_PROBLEMS, parseId, problemResponses } from '../schemas/common';
import { absenceBody, absenceCancelled, absenceCreated, absenceListQuery, absenceListResponse, absenceParams, mentorParams } from '../schemas/absences';
import { absenceAnswerJson, absenceJson } from '../absence-presenters';

const POLICIES =
  "Under the programme's absence policy `freeze` no reminder is sent on an absent day and absent days do not count as silence (the next reminder comes as many days later as the absence lasts); under `cover` the reminders of absent days go to the mentor's coordinator.";

export const absenceRoutes: FastifyPluginAsync<{ absences: AbsenceService }> = async (app, { absences }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/v1/peer-mentors/:id/absences',
    {
      bodyLimit: 16 * 1024,
      schema: {
        summary: "Register a mentor's absence",
        description: `From \`from\` to \`to\`, both included (at most 366 days, ending at most 2 years ahead). Absences may overlap; a day is counted once. ${POLICIES} Writes one admin_audit_log row (\`absence.create\`). Answers with the absence and, for each active assignment of the mentor, the next reminder as it now stands.`,
        tags: ['absences'],
        params: mentorParams,
        body: absenceBody,
        response: { 201: absenceCreated, ...problemResponses(400, 404, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(absenceAnswerJson(await absences.add({ mentorId: parseId(req.params.id), from: req.body.from, to: req.body.to, reason: req.body.reason ?? null, actor: req.principal!.name }))),
  );

  routes.get(
    '/v1/peer-mentors/:id/absences',
    {
      schema: {
        summary: "A mentor's absences",
        description: 'Earliest first; cancelled ones only with `include_cancelled=true`.',
        tags: ['absences'],
        params: mentorParams,
        querystring: absenceListQuery,
        response: { 200: absenceListResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => ({ absences: (await absences.list(parseId(req.params.id), { includeCancelled: req.query.include_cancelled === 'true' })).map(absenceJson) }),
  );

  routes.delete(
    '/v1/peer-mentors/:id/absences/:absenceId',
    {
      schema: {
        summary: "Cancel a mentor's absence",
        description:
          'Sets cancelled_at and cancelled_by; a cancelled absence counts for nothing, and the row stays for the audit trail. Cancelling it again answers the same row and writes nothing. 404 for an absence that does not exist or is another mentor\'s. Writes one admin_audit_log row (`absence.cancel`).',
        tags: ['absences'],
        params: absenceParams,
        response: { 200: absenceCancelled, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => absenceAnswerJson(await absences.cancel({ mentorId: parseId(req.params.id), absenceId: parseId(req.params.absenceId, 'absenceId'), actor: req.principal!.name })),
  );
};
