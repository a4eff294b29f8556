/**
 * The reminder arithmetic with absences and snoozes: the SQL functions `absence_facts` and
 * `reminder_due` (prisma/migrations/20261203000000_mentor_side) as pure functions, for the answers
 * that say when the next reminder comes. The sweep and the write use the SQL; the test
 * "reminder_due in SQL and in JS agree" (tests/integration/absences-api.test.ts) keeps the two in step.
 */
import type { AbsencePolicy } from './programme';
import { addDays, daysBetween } from './calendar';
import type { ReminderRules } from './reminder-rules';

/** A mentor's absence, both days included (`[starts_on, ends_on]`). */
export type DateRange = readonly [from: string, to: string];

/** What besides the rules decides whether a reminder is due on a day. */
export type AbsenceContext = {
  policy: AbsencePolicy;
  /** The mentor's absences that are not cancelled (any order; overlaps allowed). */
  absences: readonly DateRange[];
  /** Reminders are left out through this day (null: not snoozed). */
  snoozedUntil: string | null;
};

export type ReminderDue = { silent: number; seq: number; dueDate: string; absentToday: boolean; snoozed: boolean; due: boolean };

/** `absence_facts(after, upto)`: absent days of (after, upto], overlapping absences counted once, and whether `upto` is one. */
export function absenceFacts(absences: readonly DateRange[], after: string, upto: string): { days: number; onLast: boolean } {
  const first = addDays(after, 1);
  const clipped = absences
    .map(([from, to]) => [from > first ? from : first, to < upto ? to : upto] as const)
    .filter(([from, to]) => from <= to)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let days = 0;
  let covered: string | null = null; // the last day already counted
  for (const [from, to] of clipped) {
    const start = covered !== null && covered >= from ? addDays(covered, 1) : from;
    if (start <= to) days += daysBetween(start, to) + 1;
    if (covered === null || to > covered) covered = to;
  }
  return { days, onLast: clipped.some(([from, to]) => from <= upto && upto <= to) };
}

/**
 * `reminder_due(mentor, anchor, today, first_after, repeat_every, stop_after, policy, snoozed_until)`:
 * the silence (under `freeze` absent days are not silence), the sequence number due for it, its
 * due date, and whether a reminder is due today. Status and "already written" are the caller's.
 */
export function reminderDue(anchor: string, today: string, rules: ReminderRules, stopAfter: number | null, ctx: AbsenceContext): ReminderDue {
  const f = absenceFacts(ctx.absences, anchor, today);
  const frozen = ctx.policy === 'freeze' ? f.days : 0;
  const snoozed = ctx.snoozedUntil !== null && ctx.snoozedUntil >= today;
  const silent = daysBetween(anchor, today) - frozen;
  // SQL's integer division truncates towards zero.
  const seq = 1 + Math.trunc((silent - rules.firstAfterDays) / rules.repeatEveryDays);
  return {
    silent,
    seq,
    dueDate: addDays(anchor, rules.firstAfterDays + (seq - 1) * rules.repeatEveryDays + frozen),
    absentToday: f.onLast,
    snoozed,
    due: silent >= rules.firstAfterDays && (stopAfter === null || seq <= stopAfter) && !snoozed && !(ctx.policy === 'freeze' && f.onLast),
  };
}
