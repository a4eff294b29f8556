/**
 * Calendar days as ISO strings ('YYYY-MM-DD'). Reminder rules count whole calendar days in the
 * organisation's time zone, never hours, so DST changes cannot shift, skip or double a reminder.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date `instant` falls on in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(instant);
}

const DAY_MS = 86_400_000;
const toUtcMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

export function addDays(date: string, days: number): string {
  return new Date(toUtcMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(toUtcMs(s)) && new Date(toUtcMs(s)).toISOString().startsWith(s);
}

/** A DATE column read through Prisma / pg comes back as midnight UTC; this gives its ISO day. */
export function dateColumnToIso(d: Date | string): string {
  return typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10);
}
