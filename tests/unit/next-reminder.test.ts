/** The "next reminder due date" the API shows must be the reminder the sweep will actually send. */
import { NEXT_REMINDER_HORIZON_DAYS, nextReminder, planNextReminder } from '@reminders/core/domain/next-reminder';
import { addDays } from '@reminders/core/domain/calendar';
import { reminderDue } from '@reminders/core/domain/reminder-due';

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

describe('planNextReminder steps over snoozed and frozen days', () => {
  /** The day-by-day search it replaced: the reference the faster one must agree with. */
  function dayByDay(i: Parameters<typeof planNextReminder>[0]) {
    const a = i.absence!;
    for (let k = 0; k <= NEXT_REMINDER_HORIZON_DAYS; k++) {
      const day = addDays(i.today, k);
      const r = reminderDue(i.anchorDate, day, i.rules, i.stopAfter ?? null, a);
      if (r.due && r.seq > i.lastSentSequence) {
        return {
          reminder: { sequenceNumber: r.seq, dueDate: k === 0 ? r.dueDate : day, escalated: r.seq >= i.rules.escalateAfter },
          to: a.policy === 'cover' && r.absentToday ? 'coordinator' : 'mentor',
        };
      }
      if (i.stopAfter != null && r.seq > i.stopAfter && r.silent >= i.rules.firstAfterDays) break;
    }
    return { reminder: null, to: null };
  }

  it.each([
    ['4,000 random assignments (absences, snoozes, stop rules, both policies)', 4000, 30, 14, 5],
    ['400 with long rules (first reminder after up to a year, repeats up to half a year)', 400, 365, 180, 10],
  ])('agrees with the day-by-day search on %s', (_, cases, maxFirst, maxRepeat, maxSent) => {
    // mulberry32: deterministic, and unlike a bare LCG's low bits, its draws are not correlated.
    let seed = 17;
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const today = '2026-12-04';
    const wrong: unknown[] = [];
    for (let c = 0; c < cases; c++) {
      const absences = Array.from({ length: rand(4) }, () => {
        const from = addDays(today, rand(500) - 60);
        return [from, addDays(from, rand(120))] as [string, string];
      });
      const input = {
        status: 'active' as const,
        // Contact today in one case of ten: an absence on the anchor day itself is not frozen.
        anchorDate: rand(10) === 0 ? today : addDays(today, -rand(90)),
        today,
        lastSentSequence: rand(maxSent),
        rules: { firstAfterDays: 1 + rand(maxFirst), repeatEveryDays: 1 + rand(maxRepeat), escalateAfter: 1 + rand(5) },
        stopAfter: rand(3) === 0 ? null : 1 + rand(5),
        absence: { policy: rand(2) ? ('freeze' as const) : ('cover' as const), absences, snoozedUntil: rand(3) === 0 ? null : addDays(today, rand(420) - 10) },
      };
      const fast = planNextReminder(input);
      const slow = dayByDay(input);
      if (JSON.stringify(fast) !== JSON.stringify(slow)) wrong.push({ input, fast, slow });
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });
});
