/**
 * The reminder rules (DESIGN.md, "Reminder rules"), as pure functions. The sweep's SQL applies
 * the same arithmetic; tests/unit/reminder-rules.test.ts keeps the two in step.
 */
import { addDays, daysBetween } from './calendar';

export type ReminderRules = Readonly<{
  /** Days of silence before the first reminder. @defaultValue 14 */
  firstAfterDays: number;
  /** Days between repeated reminders while the silence lasts. @defaultValue 7 */
  repeatEveryDays: number;
  /** From this reminder number on, the coordinator is notified too. @defaultValue 3 */
  escalateAfter: number;
}>;

export type DueReminder = { sequenceNumber: number; dueDate: string; escalated: boolean };

/** The reminder currently due for a silence counted from `anchorDate`, or null when none is due. */
export function currentReminder(anchorDate: string, today: string, rules: ReminderRules): DueReminder | null {
  const silentDays = daysBetween(anchorDate, today);
  if (silentDays < rules.firstAfterDays) return null;
  const sequenceNumber = 1 + Math.floor((silentDays - rules.firstAfterDays) / rules.repeatEveryDays);
  return {
    sequenceNumber,
    dueDate: dueDateOf(anchorDate, sequenceNumber, rules),
    escalated: sequenceNumber >= rules.escalateAfter,
  };
}

export function dueDateOf(anchorDate: string, sequenceNumber: number, rules: ReminderRules): string {
  return addDays(anchorDate, rules.firstAfterDays + (sequenceNumber - 1) * rules.repeatEveryDays);
}

/**
 * The next date a reminder will be due for this silence, given the highest sequence number
 * already sent for the same anchor (0 when none).
 */
export function nextDueDate(anchorDate: string, lastSentSequence: number, rules: ReminderRules): string {
  return dueDateOf(anchorDate, lastSentSequence + 1, rules);
}

/** `(assignment, anchor date, sequence number)` as one string: the reminder's unique key. */
export function reminderKey(assignmentId: number, anchorDate: string, sequenceNumber: number): string {
  return `a${assignmentId}-${anchorDate.replace(/-/g, '')}-${sequenceNumber}`;
}

/**
 * The BullMQ job id of one assignment's dispatch in one run. BullMQ refuses ':' and all-digit ids;
 * the run is part of it so a newer run is never blocked by a stale run's leftover job (the
 * reminder's unique key, not the job id, is what prevents a duplicate).
 */
export function dispatchJobId(runId: number, assignmentId: number): string {
  return `dispatch-r${runId}-a${assignmentId}`;
}
