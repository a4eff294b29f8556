/** An assignment's contact state as the API and CLI show it: last contact, anchor, next reminder. */
import { daysBetween, localDate } from '../domain/calendar';
import { planNextReminder, type NextReminder, type ReminderRecipient } from '../domain/next-reminder';
import type { ContactState } from '../repositories/contact-tracking-repository';

export type ContactView = {
  assignmentId: number;
  status: ContactState['status'];
  assignedDate: string;
  lastContactDate: string | null;
  /** The day the silence is counted from: last contact, or the assignment date before any contact. */
  anchorDate: string;
  daysSinceContact: number;
  nextReminder: NextReminder | null;
  /** Who it goes to: the mentor, or (absence policy `cover`) the coordinator when the mentor is away that day; null with no next reminder. */
  nextReminderTo: ReminderRecipient | null;
  /** No reminder through this day (null: not snoozed). */
  snoozedUntil: string | null;
};

/** At `now`, on the calendar and under the rules and absence policy of the assignment's programme, with the mentor's absences and the snooze. */
export function contactView(state: ContactState, now: Date): ContactView {
  const anchorDate = state.lastContactDate ?? state.assignedDate;
  const today = localDate(now, state.timeZone);
  const rules = state.rules;
  const next = planNextReminder({ status: state.status, anchorDate, today, lastSentSequence: state.lastSentSequence, rules, stopAfter: state.stopAfter, absence: state.absence });
  return {
    assignmentId: state.assignmentId,
    status: state.status,
    assignedDate: state.assignedDate,
    lastContactDate: state.lastContactDate,
    anchorDate,
    daysSinceContact: Math.max(0, daysBetween(anchorDate, today)),
    nextReminder: next.reminder,
    nextReminderTo: next.to,
    snoozedUntil: state.absence.snoozedUntil,
  };
}
