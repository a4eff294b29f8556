/**
 * When the next reminder for an assignment will be due, as the sweep will see it. Pure; the
 * assignment read endpoint, the correction answer, the activity answers and the absence and
 * snooze answers all use this.
 */
import { addDays, daysBetween } from './calendar';
import { reminderDue, type AbsenceContext } from './reminder-due';
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
  /** The programme's absence policy, the mentor's absences and the assignment's snooze (none: no absences, no snooze). */
  absence?: AbsenceContext;
};

/** Who the next reminder goes to: the mentor, or under `cover` their coordinator when the mentor is away that day. */
export type ReminderRecipient = 'mentor' | 'coordinator';

/**
 * How far ahead the next reminder is looked for among absences and snoozes: the longest first
 * silence and repeat (365 days each), a snooze (366 days) and absences up to two years ahead.
 */
export const NEXT_REMINDER_HORIZON_DAYS = 2200;

/**
 * The next reminder the sweep would write, or null for an assignment that is not active (it gets
 * none). A reminder that is due but not yet written is returned as is, with its due date on or
 * before today: the next sweep sends it. The sweep never back-fills skipped sequence numbers,
 * so after a gap the next one is the reminder current today.
 */
export function nextReminder(i: NextReminderInput): NextReminder | null {
  return planNextReminder(i).reminder;
}

/**
 * The next reminder and who it goes to. With absences or a snooze it is the first day D from
 * today on on which `reminder_due` says due with a sequence number not yet written (the day the
 * sweep writes it; a reminder due today but not yet written keeps its due date, as without them).
 */
export function planNextReminder(i: NextReminderInput): { reminder: NextReminder | null; to: ReminderRecipient | null } {
  if (i.status !== 'active') return { reminder: null, to: null };
  const a = i.absence;
  const snoozed = a?.snoozedUntil != null && a.snoozedUntil >= i.today;
  if (!a || (a.absences.length === 0 && !snoozed)) {
    const reminder = plainNextReminder(i);
    return { reminder, to: reminder ? 'mentor' : null };
  }
  for (let k = 0; k <= NEXT_REMINDER_HORIZON_DAYS; k++) {
    const day = addDays(i.today, k);
    // A run of days on which nothing can be due is stepped over, not tried day by day (a year's
    // snooze was 366 tries, over a millisecond of the API's CPU per answer). The stop rule below
    // loses nothing by it: the silence and its sequence number never go down from one day to the next.
    const quietThrough = nothingDueThrough(day, i.anchorDate, a);
    if (quietThrough !== null) {
      k += daysBetween(day, quietThrough);
      continue;
    }
    const r = reminderDue(i.anchorDate, day, i.rules, i.stopAfter ?? null, a);
    if (r.due && r.seq > i.lastSentSequence) {
      return {
        reminder: { sequenceNumber: r.seq, dueDate: k === 0 ? r.dueDate : day, escalated: r.seq >= i.rules.escalateAfter },
        to: a.policy === 'cover' && r.absentToday ? 'coordinator' : 'mentor',
      };
    }
    // Past the stop rule nothing more comes.
    if (i.stopAfter != null && r.seq > i.stopAfter && r.silent >= i.rules.firstAfterDays) break;
    // Nothing comes before the silence reaches the next sequence number's; it grows at most a day
    // a day, so that many days on is the earliest it can: straight there, not a try per day (a
    // year's first_after_days was 365 tries). Landing early (an absence froze days) just goes on.
    const target = i.rules.firstAfterDays + i.lastSentSequence * i.rules.repeatEveryDays;
    if (r.silent < target) k += target - r.silent - 1;
  }
  return { reminder: null, to: null };
}

/**
 * The last day of the run of days from `day` on which reminder_due cannot say due: snoozed days,
 * and under `freeze` the mentor's absent days after the anchor. Null when `day` is not one.
 */
function nothingDueThrough(day: string, anchorDate: string, a: AbsenceContext): string | null {
  let through: string | null = a.snoozedUntil !== null && a.snoozedUntil >= day ? a.snoozedUntil : null;
  if (a.policy === 'freeze' && day > anchorDate) {
    for (const [from, to] of a.absences) if (from <= day && day <= to && (through === null || to > through)) through = to;
  }
  return through;
}

function plainNextReminder(i: NextReminderInput): NextReminder | null {
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
