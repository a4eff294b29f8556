/** POST /v1/activities and POST /v1/activities/bulk: validate, call the registration service, map the answer. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ActivityRegistrationService } from '@reminders/core/services/activity-registration-service';
import type { ActivityRequest } from '@reminders/core/services/activity-registration-service';
import { AUTH_PROBLEMS, problemResponses } from '../schemas/common';
import { activityBody, activityCreated, activityRepeated, bulkBody, bulkHeaders, bulkResponse, type ActivityItem } from '../schemas/activities';
import { bulkJson, contactJson } from '../presenters';

const toRequest = (b: ActivityItem): ActivityRequest => ({
  assignmentId: b.assignment_id,
  activityType: b.activity_type,
  occurredAt: b.occurred_at,
  registeredBy: b.registered_by,
  clientId: b.client_id ?? null,
  note: b.note ?? null,
});

/** Single registrations are small; bulk carries up to 1000 items. */
const SINGLE_BODY_LIMIT = 16 * 1024;
const BULK_BODY_LIMIT = 2 * 1024 * 1024;

export const activityRoutes: FastifyPluginAsync<{ activities: ActivityRegistrationService; idempotencyKeyRetentionHours: number }> = async (app, { activities, idempotencyKeyRetentionHours }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/v1/activities',
    {
      bodyLimit: SINGLE_BODY_LIMIT,
      schema: {
        summary: 'Register one activity',
        description:
          "Registers a contact (call, visit, ...) on an assignment. In the same transaction the assignment's last_contact_date moves forward to the activity's calendar day in the organisation's time zone (never backwards), so the next sweep sends no reminder for the silence it ended. A repeat with the same client_id from the same API token registers nothing and answers 200 with the first activity (each token has its own client_id namespace).",
        tags: ['activities'],
        body: activityBody,
        response: {
          201: activityCreated,
          200: activityRepeated,
          ...problemResponses(400, 404, 409, 413, 415, 422, ...AUTH_PROBLEMS),
        },
      },
    },
    async (req, reply) => {
      const r = await activities.registerOne({ ...toRequest(req.body), registrationPath: req.body.registration_path }, req.principal!.name);
      return reply.code(r.created ? 201 : 200).send({
        created: r.created,
        activity: {
          id: r.activityId,
          assignment_id: r.activity.assignmentId,
          activity_type: r.activity.activityType,
          occurred_at: r.activity.occurredAt.toISOString(),
          registration_path: r.activity.registrationPath,
          registered_by: r.activity.registeredBy,
          client_id: r.activity.clientId,
          note: r.activity.note,
        },
        assignment: contactJson(r.contact),
      });
    },
  );

  routes.post(
    '/v1/activities/bulk',
    {
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        summary: 'Register up to 1000 activities',
        description:
          'Registers each item (stored with registration_path "bulk") and reports each item\'s result; one bad item does not stop the others. Idempotent: under an Idempotency-Key header a retry with the same body gets the first answer again (while the key is remembered, see the header), and items with a client_id are never registered twice.',
        tags: ['activities'],
        headers: bulkHeaders(idempotencyKeyRetentionHours),
        body: bulkBody,
        response: {
          200: bulkResponse,
          ...problemResponses(400, 413, 415, 422, ...AUTH_PROBLEMS),
        },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const { replayed, result } = await activities.registerBulk(req.body.items.map(toRequest), {
        clientScope: req.principal!.name,
        idempotency: key ? { tokenName: req.principal!.name, key } : undefined,
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(200).send(bulkJson(result, replayed));
    },
  );
};
