import fc from 'fast-check';
import { addDays, daysBetween, isIsoDate, localDate } from '@reminders/core/domain/calendar';
import { currentReminder, dispatchJobId, reminderKey, nextDueDate } from '@reminders/core/domain/reminder-rules';

const rules = { firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 };

describe('calendar', () => {
  it('reads the local date in the organisation time zone, not UTC', () => {
    expect(localDate(new Date('2026-11-27T23:30:00Z'), 'Europe/Oslo')).toBe('2026-11-28');
    expect(localDate(new Date('2026-11-27T23:30:00Z'), 'UTC')).toBe('2026-11-27');
    expect(localDate(new Date('2026-03-29T00:30:00Z'), 'Europe/Oslo')).toBe('2026-03-29');
  });

  it('counts whole calendar days across DST changes', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
  });
});

describe('reminder rules', () => {
  it('is due from day 14, repeats every 7 days and escalates from reminder 3', () => {
    const anchor = '2026-11-01';
    expect(currentReminder(anchor, '2026-11-14', rules)).toBeNull();
    expect(currentReminder(anchor, '2026-11-15', rules)).toEqual({ sequenceNumber: 1, dueDate: '2026-11-15', escalated: false });
    expect(currentReminder(anchor, '2026-11-21', rules)).toEqual({ sequenceNumber: 1, dueDate: '2026-11-15', escalated: false });
    expect(currentReminder(anchor, '2026-11-22', rules)).toEqual({ sequenceNumber: 2, dueDate: '2026-11-22', escalated: false });
    expect(currentReminder(anchor, '2026-11-29', rules)).toEqual({ sequenceNumber: 3, dueDate: '2026-11-29', escalated: true });
    expect(nextDueDate(anchor, 0, rules)).toBe('2026-11-15');
    expect(nextDueDate(anchor, 2, rules)).toBe('2026-11-29');
  });

  it('gives the same key for the same (assignment, anchor, sequence), and a BullMQ-safe job id', () => {
    const key = reminderKey(42, '2026-11-01', 2);
    expect(key).toBe('a42-20261101-2');
    const jobId = dispatchJobId(7, 42);
    expect(jobId).toBe('dispatch-r7-a42');
    expect(jobId).not.toContain(':');
    expect(/^\d+$/.test(jobId)).toBe(false);
  });

  it('a reminder is never due before its due date and the due date is never in the future (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), (base, silent, first, every) => {
        const r = { firstAfterDays: first, repeatEveryDays: every, escalateAfter: 3 };
        const anchor = addDays('2024-01-01', base);
        const today = addDays(anchor, silent);
        const due = currentReminder(anchor, today, r);
        if (silent < first) return due === null;
        return due !== null && due.dueDate <= today && daysBetween(due.dueDate, today) < every && due.sequenceNumber >= 1;
      }),
    );
  });
});
