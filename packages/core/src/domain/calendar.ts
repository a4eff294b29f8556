/**
 * Calendar days as ISO strings ('YYYY-MM-DD'). Reminder rules count whole calendar days in the
 * organisation's time zone, never hours, so DST changes cannot shift, skip or double a reminder.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The day of the last quarter hour asked about, per time zone. Every offset and every change of
 * offset in use falls on a quarter hour, so a local day starts on one; a cached day is trusted
 * only once the quarter hour's first and last millisecond were found on it, which is checked on
 * the second ask (a caller walking through many instants pays one format each, as before). Intl
 * formatting was a registration's largest single cost in the API process.
 */
const QUARTER_HOUR_MS = 900_000;
const lastQuarter = new Map<string, { quarter: number; date: string; checked: boolean }>();

function formatDate(instant: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(instant);
}

/** The calendar date `instant` falls on in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const ms = instant.getTime();
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  const cached = lastQuarter.get(timeZone);
  if (cached && cached.quarter === quarter) {
    if (cached.checked) return cached.date;
    const start = quarter * QUARTER_HOUR_MS;
    if (formatDate(start, timeZone) === cached.date && formatDate(start + QUARTER_HOUR_MS - 1, timeZone) === cached.date) {
      cached.checked = true;
      return cached.date;
    }
    lastQuarter.delete(timeZone);
    return formatDate(ms, timeZone);
  }
  const date = formatDate(ms, timeZone);
  if (Number.isFinite(quarter)) lastQuarter.set(timeZone, { quarter, date, checked: false });
  return date;
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Midnight UTC of an ISO day. The common case is read field by field (no string built and parsed:
 * the next-reminder answers call this thousands of times a second); anything else goes to
 * Date.parse, which decides as it always did.
 */
function toUtcMs(d: string): number {
  if (ISO_DAY.test(d)) {
    const y = +d.slice(0, 4);
    const m = +d.slice(5, 7);
    const day = +d.slice(8, 10);
    if (y >= 100 && m >= 1 && m <= 12 && day >= 1 && day <= 31) return Date.UTC(y, m - 1, day);
  }
  return Date.parse(`${d}T00:00:00Z`);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The ISO day of a midnight-UTC instant. */
function isoDay(ms: number): string {
  const t = new Date(ms);
  const y = t.getUTCFullYear();
  // Outside four-digit years, and for an invalid instant (NaN: toISOString throws, as it always did).
  if (!(y >= 1000 && y <= 9999)) return t.toISOString().slice(0, 10);
  return `${y}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

export function addDays(date: string, days: number): string {
  return isoDay(toUtcMs(date) + days * DAY_MS);
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
