/** Schemas for POST /v1/activities and POST /v1/activities/bulk. */
import { ACTIVITY_TYPES } from './enums';
import { CLIENT_ID_PATTERN, IDEMPOTENCY_KEY_PATTERN } from './patterns';
import { dateTime, idSchema, multilineText, nonBlankText, nullableIsoDate } from './common';

export const MAX_BULK_ITEMS = 1000;

const activityFields = {
  assignment_id: idSchema('The assignment (peer mentor and contact) the activity was for'),
  activity_type: { type: 'string', enum: ACTIVITY_TYPES, description: 'What kind of contact it was' },
  occurred_at: dateTime('When the contact happened (RFC 3339, with an offset); not in the future'),
  registered_by: nonBlankText(200, 'Who registered it: the mentor, the proxy or the coordinator'),
  client_id: {
    type: 'string',
    pattern: CLIENT_ID_PATTERN,
    description: "The caller's own id for this activity; a repeat with the same client_id from the same API token is not registered twice (each token has its own client_id namespace)",
  },
  note: multilineText(2000, 'Free text'),
} as const;

const requiredFields = ['assignment_id', 'activity_type', 'occurred_at', 'registered_by'] as const;

export const activityBody = {
  type: 'object',
  additionalProperties: false,
  required: [...requiredFields, 'registration_path'],
  properties: {
    ...activityFields,
    registration_path: {
      type: 'string',
      enum: ['direct', 'proxy', 'coordinator_proxy'],
      description: 'direct: by the mentor; proxy: by someone on the mentor\'s behalf; coordinator_proxy: by the coordinator',
    },
  },
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
} as const;

export const bulkBody = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BULK_ITEMS,
      items: { type: 'object', additionalProperties: false, required: [...requiredFields], properties: activityFields },
    },
  },
  examples: [
    {
      items: [
        { assignment_id: 42, activity_type: 'visit', occurred_at: '2026-11-26T10:00:00Z', registered_by: 'cora.coordinator', client_id: 'import-2026-11-26-1' },
        { assignment_id: 43, activity_type: 'call', occurred_at: '2026-11-26T11:15:00Z', registered_by: 'cora.coordinator', client_id: 'import-2026-11-26-2' },
      ],
    },
  ],
} as const;

/** The bulk route's headers; `retentionHours` is IDEMPOTENCY_KEY_RETENTION_HOURS, so the docs state the deployed value. */
export const bulkHeaders = (retentionHours: number) =>
  ({
    type: 'object',
    properties: {
      'idempotency-key': {
        type: 'string',
        pattern: IDEMPOTENCY_KEY_PATTERN,
        description: `Makes the whole request idempotent: a retry with the same key and body gets the first answer again (Idempotent-Replayed: true); the same key with another body is refused with 422. A key is remembered for ${retentionHours} hours after its first use (per token); after that it counts as new and the request is processed again`,
      },
    },
  }) as const;

const nextReminder = {
  type: ['object', 'null'],
  description: 'The next reminder the sweep would send (null when the assignment is not active); a due_date on or before today means the next sweep sends it',
  required: ['due_date', 'sequence_number', 'escalated'],
  properties: {
    due_date: { type: 'string', format: 'date' },
    sequence_number: { type: 'integer' },
    escalated: { type: 'boolean', description: 'Whether the coordinator is notified too' },
  },
} as const;

export const contactStateSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    status: { type: 'string', enum: ['active', 'paused', 'closed'] },
    assigned_date: { type: 'string', format: 'date' },
    last_contact_date: nullableIsoDate('Last contact (calendar day in the organisation\'s time zone)'),
    anchor_date: { type: 'string', format: 'date', description: 'The day silence is counted from: last contact, else the assignment date' },
    days_since_contact: { type: 'integer' },
    next_reminder: nextReminder,
  },
} as const;

export const activityResponse = {
  type: 'object',
  properties: {
    created: { type: 'boolean', description: 'false when this client_id was registered before (nothing new was written)' },
    activity: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        assignment_id: { type: 'integer' },
        activity_type: { type: 'string' },
        occurred_at: { type: 'string', format: 'date-time' },
        registration_path: { type: 'string' },
        registered_by: { type: 'string' },
        client_id: { type: ['string', 'null'] },
        note: { type: ['string', 'null'] },
      },
    },
    assignment: contactStateSchema,
  },
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
      },
    },
  ],
} as const;

export const bulkResponse = {
  type: 'object',
  properties: {
    replayed: { type: 'boolean', description: 'true when this is the stored answer to an earlier request with the same Idempotency-Key' },
    summary: {
      type: 'object',
      properties: {
        received: { type: 'integer' },
        created: { type: 'integer' },
        duplicate: { type: 'integer' },
        conflict: { type: 'integer' },
        rejected: { type: 'integer' },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer', description: 'Position in the request' },
          assignment_id: { type: 'integer' },
          status: {
            type: 'string',
            enum: ['created', 'duplicate', 'conflict', 'rejected'],
            description: 'created; duplicate (client_id registered before, same content); conflict (client_id used with other content); rejected (see error)',
          },
          activity_id: { type: ['integer', 'null'] },
          error: {
            type: ['object', 'null'],
            properties: {
              code: { type: 'string', enum: ['assignment_not_found', 'assignment_closed', 'before_assignment', 'occurred_in_future', 'client_id_conflict'] },
              detail: { type: 'string' },
            },
          },
          last_contact_date: { type: ['string', 'null'], format: 'date' },
          next_reminder_due_date: { type: ['string', 'null'], format: 'date' },
        },
      },
    },
  },
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
} as const;
