/** RFC 3339 date-time (with an offset) that JavaScript's Date reads as the same instant. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isParsableDateTime(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [, , month, day, hour, minute, second] = m.map(Number);
  // Date rolls 2026-02-30 over to March and refuses 23:59:60: check the fields ourselves.
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 59) return false;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return false;
  const utcDay = new Date(Date.UTC(Number(m[1]), month! - 1, day!));
  return utcDay.getUTCMonth() === month! - 1;
}
