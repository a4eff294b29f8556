/** Absences and snoozes as JSON (snake_case, ISO times), for the absence and snooze routes. */
import type { Absence } from '@reminders/core/repositories/absence-repository';
import type { AbsenceEffect } from '@reminders/core/services/absence-service';
import type { SnoozeResult } from '@reminders/core/services/snooze-service';
import type { NextReminder } from '@reminders/core/domain/next-reminder';

const nextJson = (n: NextReminder | null) => (n ? { due_date: n.dueDate, sequence_number: n.sequenceNumber, escalated: n.escalated } : null);

export const absenceJson = (a: Absence) => ({
  id: a.id,
  peer_mentor_id: a.peerMentorId,
  from: a.from,
  to: a.to,
  reason: a.reason,
  created_by: a.createdBy,
  created_at: a.createdAt.toISOString(),
  cancelled_at: a.cancelledAt?.toISOString() ?? null,
  cancelled_by: a.cancelledBy,
});

export const absenceAnswerJson = (r: { absence: Absence; effect: AbsenceEffect[] }) => ({
  absence: absenceJson(r.absence),
  effect: r.effect.map((e) => ({
    assignment_id: e.assignmentId,
    programme: e.programme,
    absence_policy: e.absencePolicy,
    next_reminder: nextJson(e.nextReminder),
    next_reminder_to: e.nextReminderTo,
  })),
});

export const snoozeJson = (r: SnoozeResult) => ({
  assignment_id: r.assignmentId,
  snoozed_until: r.snooze.until,
  reason: r.snooze.reason,
  changed: r.changed,
  before: r.before,
  next_reminder: nextJson(r.contact.nextReminder),
  next_reminder_to: r.contact.nextReminderTo,
});
