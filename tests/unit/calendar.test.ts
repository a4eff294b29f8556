import { addDays, daysBetween, isIsoDate, localDate } from '@reminders/core/domain/calendar';

const direct = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);

// Days with a change of offset (DST, 30-minute DST in Lord Howe) and zones a quarter hour off the hour.
it.each([
  ['Europe/Oslo', '2026-10-24T20:00:00Z'],
  ['Europe/Oslo', '2027-03-27T20:00:00Z'],
  ['America/New_York', '2026-11-01T00:00:00Z'],
  ['Australia/Lord_Howe', '2026-10-03T10:00:00Z'],
  ['Asia/Kathmandu', '2026-11-30T16:00:00Z'],
  ['Pacific/Chatham', '2026-09-26T08:00:00Z'],
  ['UTC', '2026-12-31T20:00:00Z'],
  // -00:44:30 until 1972: a day that does not start on a quarter hour is never cached.
  ['Africa/Monrovia', '1965-06-01T12:00:00Z'],
])('localDate in %s from %s agrees with Intl over 36 hours, each instant asked twice', (timeZone, from) => {
  const start = Date.parse(from);
  for (let t = start; t < start + 36 * 3600_000; t += 7 * 60_000 + 13_000) {
    for (const instant of [new Date(t), new Date(t + 1), new Date(t + 300_000), new Date(t)]) expect([instant.toISOString(), localDate(instant, timeZone)]).toEqual([instant.toISOString(), direct(instant, timeZone)]);
  }
});

it('the last and first millisecond of a local day', () => {
  // Oslo, winter: the day turns at 23:00Z.
  expect(localDate(new Date('2026-12-01T22:59:59.999Z'), 'Europe/Oslo')).toBe('2026-12-01');
  expect(localDate(new Date('2026-12-01T22:59:59.999Z'), 'Europe/Oslo')).toBe('2026-12-01');
  expect(localDate(new Date('2026-12-01T23:00:00.000Z'), 'Europe/Oslo')).toBe('2026-12-02');
  expect(localDate(new Date('2026-12-01T23:00:00.000Z'), 'Europe/Oslo')).toBe('2026-12-02');
  // Kathmandu (+05:45): the day turns at 18:15Z.
  expect(localDate(new Date('2026-12-01T18:14:59.999Z'), 'Asia/Kathmandu')).toBe('2026-12-01');
  expect(localDate(new Date('2026-12-01T18:15:00.000Z'), 'Asia/Kathmandu')).toBe('2026-12-02');
});

describe('day arithmetic', () => {
  it('addDays with a day count that is not a number throws, as it always did', () => {
    expect(() => addDays('2026-11-28', Number.NaN)).toThrow(RangeError);
  });

  const reference = {
    addDays: (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10),
    daysBetween: (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000),
  };

  it('addDays and daysBetween agree with Date.parse and toISOString on every day from 1899 to 2101', () => {
    let day = '1899-12-25';
    let n = 0;
    const wrong: unknown[] = [];
    while (day < '2101-01-05') {
      for (const k of [-400, -1, 1, 366]) if (addDays(day, k) !== reference.addDays(day, k)) wrong.push(['addDays', day, k, addDays(day, k)]);
      if (daysBetween('2026-11-28', day) !== reference.daysBetween('2026-11-28', day)) wrong.push(['daysBetween', day]);
      day = reference.addDays(day, 1);
      n++;
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(n).toBeGreaterThan(73_000);
  });

  it.each(['2026-13-01', '2026-00-10', '2026-01-32', '2026-01-00', '2026- 1-05', '0050-01-01', 'abcd-ef-gh', '2026-02-30', '20261-01-01'])(
    '%s: isIsoDate, and the arithmetic, decide as Date.parse does',
    (s) => {
      const parsed = Date.parse(`${s}T00:00:00Z`);
      expect(isIsoDate(s)).toBe(/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(parsed) && new Date(parsed).toISOString().startsWith(s));
      expect(daysBetween('2026-01-01', s)).toEqual(reference.daysBetween('2026-01-01', s));
      if (!Number.isNaN(parsed)) expect(addDays(s, 1)).toBe(reference.addDays(s, 1));
      else {
        expect(() => reference.addDays(s, 1)).toThrow(RangeError);
        expect(() => addDays(s, 1)).toThrow(RangeError);
      }
    },
  );
});
