/** Schemas for GET /v1/assignments/:id and POST /v1/assignments/:id/contact-correction. */
import { z } from 'zod';
import { contactStateFields } from './activities';
import { idParam, isoDate, nonBlankText, out } from './common';

export const assignmentParams = z.strictObject({ id: idParam('Assignment id') });

const assignmentResponse = z.object({
  ...contactStateFields,
  peer_mentor_id: z.int(),
  contact_id: z.int(),
  coordinator_id: z.int().nullable(),
  reminders: z
    .array(
      z.object({
        id: z.int(),
        anchor_date: out.date(),
        sequence_number: z.int(),
        due_date: out.date(),
        escalated: z.boolean(),
        email_status: z.string(),
        created_at: out.dateTime(),
      }),
    )
    .describe('Reminder history, newest first (at most 50)'),
  recent_activities: z
    .array(
      z.object({
        id: z.int(),
        activity_type: z.string(),
        occurred_at: out.dateTime(),
        registration_path: z.string(),
        registered_by: z.string(),
      }),
    )
    .describe('Activities, newest first (at most 50)'),
});

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
  next_reminder_to: 'mentor',
  snoozed_until: null,
  reminders: [
    { id: 9, anchor_date: '2026-11-01', sequence_number: 2, due_date: '2026-11-22', escalated: false, email_status: 'sent', created_at: '2026-11-22T06:00:02.000Z' },
    { id: 5, anchor_date: '2026-11-01', sequence_number: 1, due_date: '2026-11-15', escalated: false, email_status: 'sent', created_at: '2026-11-15T06:00:01.000Z' },
  ],
  recent_activities: [{ id: 77, activity_type: 'visit', occurred_at: '2026-11-01T15:00:00.000Z', registration_path: 'proxy', registered_by: 'sam.proxy' }],
};

export const assignmentGetResponse = assignmentResponse.meta({ description: 'The assignment', examples: [assignmentExample] });

export const correctionBody = z
  .strictObject({
    last_contact_date: isoDate('The corrected last contact day; not in the future (in REMINDER_TZ), not before the assignment began'),
    reason: nonBlankText(1000, 'Why the correction is made; kept in the audit log', 3),
  })
  .meta({ examples: [{ last_contact_date: '2026-11-20', reason: 'Visit on 20 Nov was logged on paper; entered from the coordinator report' }] });

export const correctionResponse = z
  .object({
    assignment: assignmentResponse,
    audit: z
      .object({
        id: z.int(),
        actor: z.string(),
        before: out.nullableDate('last_contact_date before the correction'),
        after: out.date(),
        reason: z.string(),
        created_at: out.dateTime(),
      })
      .describe('The admin_audit_log row written for this correction'),
  })
  .meta({
    description: 'Corrected',
    examples: [
      {
        assignment: { ...assignmentExample, last_contact_date: '2026-11-20', anchor_date: '2026-11-20', days_since_contact: 8, next_reminder: { due_date: '2026-12-04', sequence_number: 1, escalated: false } },
        audit: { id: 3, actor: 'ops-admin', before: '2026-11-01', after: '2026-11-20', reason: 'Visit on 20 Nov was logged on paper', created_at: '2026-11-28T09:12:00.000Z' },
      },
    ],
  });
