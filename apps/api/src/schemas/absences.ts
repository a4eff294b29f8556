/** Schemas for /v1/peer-mentors/{id}/absences (issue 16). */
import { z } from 'zod';
import { ABSENCE_POLICIES } from '@reminders/core/domain/programme';
import { ABSENCE_REASON_MAX } from '@reminders/core/services/absence-service';
import { contactStateFields } from './activities';
import { idParam, isoDate, nonBlankText, out } from './common';

export const mentorParams = z.strictObject({ id: idParam('Peer mentor id') });
export const absenceParams = z.strictObject({ id: idParam('Peer mentor id'), absenceId: idParam('Absence id') });

export const absenceListQuery = z.strictObject({
  include_cancelled: z.enum(['true', 'false']).describe('Also list cancelled absences (default false)').optional(),
});

export const absenceBody = z
  .strictObject({
    from: isoDate('First absent day, in the calendar of the programme'),
    to: isoDate('Last absent day (included): not before from, at most 366 days in all, at most 2 years ahead'),
    reason: nonBlankText(ABSENCE_REASON_MAX, 'Why; kept with the absence and in the audit log (trimmed)').optional(),
  })
  .meta({ examples: [{ from: '2026-12-21', to: '2027-01-03', reason: 'Christmas holiday' }] });

const absence = z.object({
  id: z.int(),
  peer_mentor_id: z.int(),
  from: out.date('First absent day'),
  to: out.date('Last absent day (included)'),
  reason: z.string().nullable(),
  created_by: z.string().describe('The token (or CLI user) that registered it'),
  created_at: out.dateTime(),
  cancelled_at: out.nullableDateTime('When it was cancelled (null: in force); a cancelled absence counts for nothing'),
  cancelled_by: z.string().nullable(),
});

const effect = z
  .array(
    z.object({
      assignment_id: z.int(),
      programme: z.string().describe("The assignment's programme"),
      absence_policy: z.enum(ABSENCE_POLICIES).describe("The programme's absence policy: `freeze` (no reminders while away, the days not counted as silence) or `cover` (the coordinator gets them)"),
      next_reminder: contactStateFields.next_reminder,
      next_reminder_to: contactStateFields.next_reminder_to,
    }),
  )
  .describe("Every active assignment of the mentor with its next reminder as it now stands, counting all the mentor's absences in force");

const absenceExample = {
  id: 12,
  peer_mentor_id: 7,
  from: '2026-12-21',
  to: '2027-01-03',
  reason: 'Christmas holiday',
  created_by: 'mentor-app',
  created_at: '2026-12-01T09:00:00.000Z',
  cancelled_at: null,
  cancelled_by: null,
};
const effectExample = [
  { assignment_id: 42, programme: 'default', absence_policy: 'freeze', next_reminder: { due_date: '2027-01-08', sequence_number: 1, escalated: false }, next_reminder_to: 'mentor' },
  { assignment_id: 43, programme: 'oslo-youth', absence_policy: 'cover', next_reminder: { due_date: '2026-12-24', sequence_number: 2, escalated: false }, next_reminder_to: 'coordinator' },
];

const answer = z.object({ absence, effect });

export const absenceCreated = answer.meta({ description: 'Registered', examples: [{ absence: absenceExample, effect: effectExample }] });
export const absenceCancelled = answer.meta({
  description: 'Cancelled (or already cancelled: the same row, nothing written)',
  examples: [{ absence: { ...absenceExample, cancelled_at: '2026-12-02T10:00:00.000Z', cancelled_by: 'ops-coordinator' }, effect: [{ ...effectExample[0], next_reminder: { due_date: '2026-12-20', sequence_number: 1, escalated: false } }] }],
});
export const absenceListResponse = z.object({ absences: z.array(absence) }).meta({ description: "The mentor's absences, earliest first", examples: [{ absences: [absenceExample] }] });
