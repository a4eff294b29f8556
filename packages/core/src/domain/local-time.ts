/**
 * Local wall-clock times in an IANA time zone, for showing when a programme's next scheduled
 * sweep comes (the tick itself decides in SQL, services/programme-tick.ts).
 */
import { addDays, localDate } from './calendar';

/** The zone's offset from UTC at `instant`, in minutes (Oslo in winter: 60). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(instant);
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant the wall clock in `timeZone` shows `hhmm` on `date` (YYYY-MM-DD). A time in a
 * spring-forward gap comes out as the instant the clock jumps past it; one in the repeated
 * autumn hour as its first occurrence.
 */
export function zonedInstant(date: string, hhmm: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // The offset before and after the moment can differ on a DST day: take the earlier reading
  // that maps back onto the wall time, else (a gap) the later offset.
  const candidates = [offsetMinutes(new Date(wall - 12 * 3600_000), timeZone), offsetMinutes(new Date(wall + 12 * 3600_000), timeZone)].map((o) => wall - o * 60_000);
  const exact = candidates.filter((t) => offsetMinutes(new Date(t), timeZone) === (wall - t) / 60_000).sort((a, b) => a - b);
  if (exact.length) return new Date(exact[0]!);
  // In a gap: the first instant whose wall clock is at or past `hhmm` (the jump), to the second.
  let [lo, hi] = [Math.min(...candidates), Math.max(...candidates)];
  const wallAt = (t: number) => t + offsetMinutes(new Date(t), timeZone) * 60_000;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (wallAt(mid) >= wall) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** The next time at or after `now` that the wall clock in `timeZone` shows `hhmm`. */
export function nextLocalTime(now: Date, hhmm: string, timeZone: string): Date {
  const today = localDate(now, timeZone);
  const t = zonedInstant(today, hhmm, timeZone);
  return t.getTime() >= now.getTime() ? t : zonedInstant(addDays(today, 1), hhmm, timeZone);
}
