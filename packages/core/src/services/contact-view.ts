/** An assignment's contact state as the API and CLI show it: last contact, anchor, next reminder. */
import { daysBetween } from '../domain/calendar';
import { nextReminder, type NextReminder } from '../domain/next-reminder';
import type { ReminderRules } from '../domain/reminder-rules';
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
};

export function contactView(state: ContactState, today: string, rules: ReminderRules): ContactView {
  const anchorDate = state.lastContactDate ?? state.assignedDate;
  return {
    assignmentId: state.assignmentId,
    status: state.status,
    assignedDate: state.assignedDate,
    lastContactDate: state.lastContactDate,
    anchorDate,
    daysSinceContact: Math.max(0, daysBetween(anchorDate, today)),
    nextReminder: nextReminder({ status: state.status, anchorDate, today, lastSentSequence: state.lastSentSequence, rules }),
  };
}
