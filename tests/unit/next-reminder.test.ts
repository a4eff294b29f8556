/** The "next reminder due date" the API shows must be the reminder the sweep will actually send. */
import { nextReminder } from '@reminders/core/domain/next-reminder';

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
