/** Numbers and dates in the reader's language, and the checks on what goes into a link. */
import { intlTag, type Locale } from './locale';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A local calendar date (YYYY-MM-DD) written out: "2. desember 2026", "2 December 2026". The
 * string is read as a UTC date and formatted in UTC, so the server's time zone cannot move it a day.
 */
export function formatLocalDate(localDate: string, locale: Locale): string {
  const m = DATE.exec(localDate);
  const d = new Date(`${localDate}T00:00:00Z`);
  if (!m || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== localDate) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(localDate)}`);
  return new Intl.DateTimeFormat(intlTag(locale), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

export function formatNumber(n: number, locale: Locale): string {
  return new Intl.NumberFormat(intlTag(locale)).format(n);
}

/**
 * Links come from configuration, never from the database, but an href is where markup turns into
 * behaviour: anything but an absolute http(s) URL (a `javascript:` one) is refused, not escaped.
 * With `path`, a path on the same origin ("/v1/...", not "//elsewhere") is accepted too.
 */
export function checkedUrl(url: string, what: string, opts: { path?: boolean } = {}): string {
  // A form may post back to a path of the page's own origin.
  if (opts.path && /^\/(?!\/)[^\s\\]*$/u.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`${what} is not an absolute URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new RangeError(`${what} must be an http(s) URL: ${JSON.stringify(url)}`);
  return url;
}
