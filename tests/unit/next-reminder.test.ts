/** The "next reminder due date" the API shows must be the reminder the sweep will actually send. */
import { nextReminder, planNextReminder } from '@reminders/core/domain/next-reminder';

const rules = { firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 };
const next = (anchorDate: string, today: string, lastSentSequence = 0, status: 'active' | 'paused' | 'closed' = 'active') =>
  nextReminder({ status, anchorDate, today, lastSentSequence, rules });

describe('nextReminder', () => {
  it('is the first reminder while the silence is shorter than firstAfterDays', () => {
    expect(next('2026-11-20', '2026-11-28')).toEqual({ sequenceNumber: 1, dueDate: '2026-12-04', escalated: false });
  });

  it('is the reminder due today when the sweep has not sent it yet', () => {
    expect(next('2026-11-14', '2026-11-28')).toEqual({ sequenceNumber: 1, dueDate: '2026-11-28', escalated: false });
  });

  it('is the following one once the current reminder was sent', () => {
    expect(next('2026-11-14', '2026-11-28', 1)).toEqual({ sequenceNumber: 2, dueDate: '2026-12-05', escalated: false });
  });

  it('skips sequence numbers the sweep will never send after a gap (it sends only the current one)', () => {
    // Silent 27 days, nothing sent: the sweep sends reminder 2 (due 11-22), not reminder 1.
    expect(next('2026-11-01', '2026-11-28')).toEqual({ sequenceNumber: 2, dueDate: '2026-11-22', escalated: false });
    expect(next('2026-11-01', '2026-11-28', 2)).toEqual({ sequenceNumber: 3, dueDate: '2026-11-29', escalated: true });
  });

  it('is none for paused and closed assignments', () => {
    expect(next('2026-11-01', '2026-11-28', 0, 'paused')).toBeNull();
    expect(next('2026-11-01', '2026-11-28', 0, 'closed')).toBeNull();
  });
});

describe('planNextReminder with absences and a snooze (issue 16)', () => {
  const plan = (absences: [string, string][], policy: 'freeze' | 'cover', snoozedUntil: string | null = null, today = '2026-11-05') =>
    planNextReminder({ status: 'active', anchorDate: '2026-11-01', today, lastSentSequence: 0, rules, absence: { policy, absences, snoozedUntil } });

  it('freeze: a 5-day absence before the due day moves it 5 days (11-15 -> 11-20); overlaps count once', () => {
    expect(plan([['2026-11-10', '2026-11-14']], 'freeze')).toEqual({ reminder: { sequenceNumber: 1, dueDate: '2026-11-20', escalated: false }, to: 'mentor' });
    expect(plan([['2026-11-10', '2026-11-14'], ['2026-11-12', '2026-11-16']], 'freeze').reminder?.dueDate).toBe('2026-11-22');
  });

  it('cover: the date stays and an absent due day goes to the coordinator', () => {
    expect(plan([['2026-11-14', '2026-11-16']], 'cover')).toEqual({ reminder: { sequenceNumber: 1, dueDate: '2026-11-15', escalated: false }, to: 'coordinator' });
  });

  it('a snooze holds it to the day after, with the sequence current then', () => {
    expect(plan([], 'freeze', '2026-11-23').reminder).toEqual({ sequenceNumber: 2, dueDate: '2026-11-24', escalated: false });
  });

  it('with no absence in force it is exactly nextReminder', () => {
    expect(plan([], 'cover', '2026-11-01').reminder).toEqual(next('2026-11-01', '2026-11-05'));
  });
});
