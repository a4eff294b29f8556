/** Schemas for PUT and DELETE /v1/assignments/{id}/snooze (issue 16). */
import { z } from 'zod';
import { SNOOZE_REASON_MAX } from '@reminders/core/services/snooze-service';
import { contactStateFields } from './activities';
import { idParam, isoDate, nonBlankText, out } from './common';

export const snoozeParams = z.strictObject({ id: idParam('Assignment id') });

export const snoozeBody = z
  .strictObject({
    until: isoDate("Last day without reminders (included): today or later in the programme's time zone, at most 366 days ahead"),
    reason: nonBlankText(SNOOZE_REASON_MAX, 'Why; kept with the assignment and in the audit log (trimmed)').optional(),
  })
  .meta({ examples: [{ until: '2026-12-15', reason: 'Contact in hospital until mid-December' }] });

const snooze = z.object({ until: out.nullableDate(), reason: z.string().nullable() });

export const snoozeResponse = z
  .object({
    assignment_id: z.int(),
    snoozed_until: out.nullableDate('No reminder through this day (null: not snoozed)'),
    reason: z.string().nullable(),
    changed: z.boolean().describe('false when nothing changed (clearing a snooze that was not set): no audit row was written'),
    before: snooze.describe('The snooze before this call'),
    next_reminder: contactStateFields.next_reminder,
    next_reminder_to: contactStateFields.next_reminder_to,
  })
  .meta({
    description: 'The snooze as it now is, and the next reminder',
    examples: [
      {
        assignment_id: 42,
        snoozed_until: '2026-12-15',
        reason: 'Contact in hospital until mid-December',
        changed: true,
        before: { until: null, reason: null },
        next_reminder: { due_date: '2026-12-16', sequence_number: 2, escalated: false },
        next_reminder_to: 'mentor',
      },
    ],
  });
