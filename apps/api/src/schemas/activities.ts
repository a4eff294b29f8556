/** Schemas for POST /v1/activities and POST /v1/activities/bulk. */
import { z } from 'zod';
import { ActivityType } from '@reminders/core/generated/prisma/enums';
import { CLIENT_ID_PATTERN, IDEMPOTENCY_KEY_PATTERN } from './patterns';
import { dateTime, idSchema, multilineText, nonBlankText, out, regex } from './common';

export const MAX_BULK_ITEMS = 1000;

const activityFields = {
  assignment_id: idSchema('The assignment (peer mentor and contact) the activity was for'),
  activity_type: z.enum(ActivityType).describe('What kind of contact it was'),
  occurred_at: dateTime('When the contact happened (RFC 3339, with an offset); not in the future'),
  registered_by: nonBlankText(200, 'Who registered it: the mentor, the proxy or the coordinator'),
  client_id: z
    .string()
    .regex(regex(CLIENT_ID_PATTERN))
    .describe("The caller's own id for this activity; a repeat with the same client_id from the same API token is not registered twice (each token has its own client_id namespace)")
    .optional(),
  note: multilineText(2000, 'Free text').optional(),
};

/** One activity as a bulk item carries it (the single route adds registration_path). */
export const activityItem = z.strictObject(activityFields);
export type ActivityItem = z.infer<typeof activityItem>;

export const activityBody = z
  .strictObject({
    ...activityFields,
    registration_path: z
      .enum(['direct', 'proxy', 'coordinator_proxy'])
      .describe("direct: by the mentor; proxy: by someone on the mentor's behalf; coordinator_proxy: by the coordinator"),
  })
  .meta({
    examples: [
      {
        assignment_id: 42,
        activity_type: 'call',
        occurred_at: '2026-11-27T14:30:00+01:00',
        registration_path: 'direct',
        registered_by: 'mia.mentor',
        client_id: 'app-7f3c9a',
        note: 'Talked for 20 minutes',
      },
    ],
  });

export const bulkBody = z
  .strictObject({ items: z.array(activityItem).min(1).max(MAX_BULK_ITEMS) })
  .meta({
    examples: [
      {
        items: [
          { assignment_id: 42, activity_type: 'visit', occurred_at: '2026-11-26T10:00:00Z', registered_by: 'cora.coordinator', client_id: 'import-2026-11-26-1' },
          { assignment_id: 43, activity_type: 'call', occurred_at: '2026-11-26T11:15:00Z', registered_by: 'cora.coordinator', client_id: 'import-2026-11-26-2' },
        ],
      },
    ],
  });

/**
 * The bulk route's headers; `retentionHours` is IDEMPOTENCY_KEY_RETENTION_HOURS, so the docs state
 * the deployed value. Loose: the validated object replaces `req.headers`, so the others must stay.
 */
export const bulkHeaders = (retentionHours: number) =>
  z.looseObject({
    'idempotency-key': z
      .string()
      .regex(regex(IDEMPOTENCY_KEY_PATTERN))
      .describe(
        `Makes the whole request idempotent: a retry with the same key and body gets the first answer again (Idempotent-Replayed: true); the same key with another body is refused with 422. A key is remembered for ${retentionHours} hours after its first use (per token); after that it counts as new and the request is processed again`,
      )
      .optional(),
  });

const nextReminder = z
  .object({
    due_date: out.date(),
    sequence_number: z.int(),
    escalated: z.boolean().describe('Whether the coordinator is notified too'),
  })
  .nullable()
  .describe(
    "The next reminder the sweep would send (null when the assignment is not active); a due_date on or before today means the next sweep sends it. It honours the mentor's absences (under `freeze` it comes as many days later as the mentor is away in the meantime, and never on an absent day) and the assignment's snooze (not before the day after it)",
  );

export const contactStateFields = {
  id: z.int(),
  status: z.enum(['active', 'paused', 'closed']),
  assigned_date: out.date(),
  last_contact_date: out.nullableDate("Last contact (calendar day in the organisation's time zone)"),
  anchor_date: out.date('The day silence is counted from: last contact, else the assignment date'),
  days_since_contact: z.int(),
  next_reminder: nextReminder,
  next_reminder_to: z
    .enum(['mentor', 'coordinator'])
    .nullable()
    .describe("Who the next reminder goes to: the mentor, or under the programme's absence policy `cover` the coordinator when the mentor is absent that day (null with no next reminder)"),
  snoozed_until: out.nullableDate('No reminder for this assignment through this day (PUT /v1/assignments/{id}/snooze); null when not snoozed'),
};

const activityResponse = z
  .object({
    created: z.boolean().describe('false when this client_id was registered before (nothing new was written)'),
    activity: z.object({
      id: z.int(),
      assignment_id: z.int(),
      activity_type: z.string(),
      occurred_at: out.dateTime(),
      registration_path: z.string(),
      registered_by: z.string(),
      client_id: z.string().nullable(),
      note: z.string().nullable(),
    }),
    assignment: z.object(contactStateFields),
  })
  .meta({
    examples: [
      {
        created: true,
        activity: {
          id: 1001,
          assignment_id: 42,
          activity_type: 'call',
          occurred_at: '2026-11-27T13:30:00.000Z',
          registration_path: 'direct',
          registered_by: 'mia.mentor',
          client_id: 'app-7f3c9a',
          note: 'Talked for 20 minutes',
        },
        assignment: {
          id: 42,
          status: 'active',
          assigned_date: '2026-09-01',
          last_contact_date: '2026-11-27',
          anchor_date: '2026-11-27',
          days_since_contact: 1,
          next_reminder: { due_date: '2026-12-11', sequence_number: 1, escalated: false },
          next_reminder_to: 'mentor',
          snoozed_until: null,
        },
      },
    ],
  });
export const activityCreated = activityResponse.describe('Registered');
export const activityRepeated = activityResponse.describe('Already registered under this client_id (nothing written)');

export const bulkResponse = z
  .object({
    replayed: z.boolean().describe('true when this is the stored answer to an earlier request with the same Idempotency-Key'),
    summary: z.object({ received: z.int(), created: z.int(), duplicate: z.int(), conflict: z.int(), rejected: z.int() }),
    items: z.array(
      z.object({
        index: z.int().describe('Position in the request'),
        assignment_id: z.int(),
        status: z
          .enum(['created', 'duplicate', 'conflict', 'rejected'])
          .describe('created; duplicate (client_id registered before, same content); conflict (client_id used with other content); rejected (see error)'),
        activity_id: z.int().nullable(),
        error: z
          .object({
            code: z.enum(['assignment_not_found', 'assignment_closed', 'before_assignment', 'occurred_in_future', 'client_id_conflict']),
            detail: z.string(),
          })
          .nullable(),
        last_contact_date: out.nullableDate(),
        next_reminder_due_date: out.nullableDate(),
      }),
    ),
  })
  .meta({
    description: 'Per-item results (also when replayed)',
    examples: [
      {
        replayed: false,
        summary: { received: 2, created: 1, duplicate: 0, conflict: 0, rejected: 1 },
        items: [
          { index: 0, assignment_id: 42, status: 'created', activity_id: 1002, error: null, last_contact_date: '2026-11-26', next_reminder_due_date: '2026-12-10' },
          {
            index: 1,
            assignment_id: 999999,
            status: 'rejected',
            activity_id: null,
            error: { code: 'assignment_not_found', detail: 'assignment 999999 does not exist' },
            last_contact_date: null,
            next_reminder_due_date: null,
          },
        ],
      },
    ],
  });
