/**
 * When the next reminder for an assignment will be due, as the sweep will see it. Pure; the
 * assignment read endpoint, the correction answer and the activity answers all use this.
 */
import { currentReminder, dueDateOf, type ReminderRules } from './reminder-rules';

export type NextReminder = { dueDate: string; sequenceNumber: number; escalated: boolean };

export type NextReminderInput = {
  status: 'active' | 'paused' | 'closed';
  /** `coalesce(last_contact_date, assigned_date)`: the day the silence is counted from. */
  anchorDate: string;
  /** The organisation's calendar date today. */
  today: string;
  /** Highest sequence number already written for this anchor (0 when none). */
  lastSentSequence: number;
  rules: ReminderRules;
  /** The programme's stop rule: no reminder after this many for one silence (null: none). */
  stopAfter?: number | null;
};

/**
 * The next reminder the sweep would write, or null for an assignment that is not active (it gets
 * none). A reminder that is due but not yet written is returned as is, with its due date on or
 * before today: the next sweep sends it. The sweep never back-fills skipped sequence numbers,
 * so after a gap the next one is the reminder current today.
 */
export function nextReminder(i: NextReminderInput): NextReminder | null {
  if (i.status !== 'active') return null;
  const stopped = (n: number) => i.stopAfter != null && n > i.stopAfter;
  const current = currentReminder(i.anchorDate, i.today, i.rules);
  if (current && current.sequenceNumber > i.lastSentSequence) return stopped(current.sequenceNumber) ? null : current;
  const sequenceNumber = Math.max(i.lastSentSequence, current?.sequenceNumber ?? 0) + 1;
  if (stopped(sequenceNumber)) return null;
  return {
    sequenceNumber,
    dueDate: dueDateOf(i.anchorDate, sequenceNumber, i.rules),
    escalated: sequenceNumber >= i.rules.escalateAfter,
  };
}
