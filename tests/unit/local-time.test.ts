import { nextLocalTime, zonedInstant } from '@reminders/core/domain/local-time';

it.each([
  ['2026-11-21', '09:00', 'America/New_York', '2026-11-21T14:00:00.000Z'],
  ['2026-07-01', '09:00', 'America/New_York', '2026-07-01T13:00:00.000Z'],
  ['2026-11-21', '07:00', 'Europe/Oslo', '2026-11-21T06:00:00.000Z'],
  // the repeated hour on 2026-10-25 in Oslo: its first occurrence (still CEST)
  ['2026-10-25', '02:30', 'Europe/Oslo', '2026-10-25T00:30:00.000Z'],
  // the gap on 2027-03-28 in Oslo: 02:30 does not exist; the clock jumps past it at 01:00Z
  ['2027-03-28', '02:30', 'Europe/Oslo', '2027-03-28T01:00:00.000Z'],
  ['2026-11-21', '00:00', 'UTC', '2026-11-21T00:00:00.000Z'],
])('%s %s in %s is %s', (date, hhmm, tz, iso) => {
  expect(zonedInstant(date, hhmm, tz).toISOString()).toBe(iso);
});

it('next local time: later today, or tomorrow once passed', () => {
  expect(nextLocalTime(new Date('2026-11-21T13:00:00Z'), '09:00', 'America/New_York').toISOString()).toBe('2026-11-21T14:00:00.000Z');
  expect(nextLocalTime(new Date('2026-11-21T14:00:01Z'), '09:00', 'America/New_York').toISOString()).toBe('2026-11-22T14:00:00.000Z');
});
