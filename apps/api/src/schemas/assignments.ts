/** Schemas for GET /v1/assignments/:id and POST /v1/assignments/:id/contact-correction. */
import { contactStateSchema } from './activities';
import { idParam, isoDate, nonBlankText, nullableIsoDate } from './common';

export const assignmentParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: idParam('Assignment id') },
} as const;

export const assignmentResponse = {
  type: 'object',
  properties: {
    ...contactStateSchema.properties,
    peer_mentor_id: { type: 'integer' },
    contact_id: { type: 'integer' },
    coordinator_id: { type: ['integer', 'null'] },
    reminders: {
      type: 'array',
      description: 'Reminder history, newest first (at most 50)',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          anchor_date: { type: 'string', format: 'date' },
          sequence_number: { type: 'integer' },
          due_date: { type: 'string', format: 'date' },
          escalated: { type: 'boolean' },
          email_status: { type: 'string' },
          created_at: { type: 'string', format: 'date-time' },
        },
      },
    },
    recent_activities: {
      type: 'array',
      description: 'Activities, newest first (at most 50)',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          activity_type: { type: 'string' },
          occurred_at: { type: 'string', format: 'date-time' },
          registration_path: { type: 'string' },
          registered_by: { type: 'string' },
        },
      },
    },
  },
} as const;

const assignmentExample = {
  id: 42,
  status: 'active',
  peer_mentor_id: 7,
  contact_id: 42,
  coordinator_id: 1,
  assigned_date: '2026-09-01',
  last_contact_date: '2026-11-01',
  anchor_date: '2026-11-01',
  days_since_contact: 27,
  next_reminder: { due_date: '2026-11-29', sequence_number: 3, escalated: true },
  reminders: [
    { id: 9, anchor_date: '2026-11-01', sequence_number: 2, due_date: '2026-11-22', escalated: false, email_status: 'sent', created_at: '2026-11-22T06:00:02.000Z' },
    { id: 5, anchor_date: '2026-11-01', sequence_number: 1, due_date: '2026-11-15', escalated: false, email_status: 'sent', created_at: '2026-11-15T06:00:01.000Z' },
  ],
  recent_activities: [{ id: 77, activity_type: 'visit', occurred_at: '2026-11-01T15:00:00.000Z', registration_path: 'proxy', registered_by: 'sam.proxy' }],
};

export const assignmentGetResponse = { ...assignmentResponse, examples: [assignmentExample] } as const;

export const correctionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['last_contact_date', 'reason'],
  properties: {
    last_contact_date: isoDate('The corrected last contact day; not in the future (in REMINDER_TZ), not before the assignment began'),
    reason: nonBlankText(1000, 'Why the correction is made; kept in the audit log', 3),
  },
  examples: [{ last_contact_date: '2026-11-20', reason: 'Visit on 20 Nov was logged on paper; entered from the coordinator report' }],
} as const;

export const correctionResponse = {
  type: 'object',
  properties: {
    assignment: assignmentResponse,
    audit: {
      type: 'object',
      description: 'The admin_audit_log row written for this correction',
      properties: {
        id: { type: 'integer' },
        actor: { type: 'string' },
        before: nullableIsoDate('last_contact_date before the correction'),
        after: { type: 'string', format: 'date' },
        reason: { type: 'string' },
        created_at: { type: 'string', format: 'date-time' },
      },
    },
  },
  examples: [
    {
      assignment: { ...assignmentExample, last_contact_date: '2026-11-20', anchor_date: '2026-11-20', days_since_contact: 8, next_reminder: { due_date: '2026-12-04', sequence_number: 1, escalated: false } },
      audit: { id: 3, actor: 'ops-admin', before: '2026-11-01', after: '2026-11-20', reason: 'Visit on 20 Nov was logged on paper', created_at: '2026-11-28T09:12:00.000Z' },
    },
  ],
} as const;
