/** An assignment's contact state as the API and CLI show it: last contact, anchor, next reminder. */
import { daysBetween, localDate } from '../domain/calendar';
import { nextReminder, type NextReminder } from '../domain/next-reminder';
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

/** At `now`, on the calendar and under the rules of the assignment's programme. */
export function contactView(state: ContactState, now: Date): ContactView {
  const anchorDate = state.lastContactDate ?? state.assignedDate;
  const today = localDate(now, state.timeZone);
  const rules = state.rules;
  return {
    assignmentId: state.assignmentId,
    status: state.status,
    assignedDate: state.assignedDate,
    lastContactDate: state.lastContactDate,
    anchorDate,
    daysSinceContact: Math.max(0, daysBetween(anchorDate, today)),
    nextReminder: nextReminder({ status: state.status, anchorDate, today, lastSentSequence: state.lastSentSequence, rules, stopAfter: state.stopAfter }),
  };
}
