/** Strict parsers for option values: each bad value is a CliError with exit code 2 naming the option. */
import { CliError } from '../cli-errors';

export function positiveInt(option: string, value: string, max = 2_147_483_647): number {
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > max) throw new CliError(`${option} must be a whole number from 1 to ${max}, got "${value}"`, 2);
  return Number(value);
}

/** An ISO time (2026-12-01T08:00:00Z, or a local 2026-12-01T08:00 read as UTC+offset-free ISO) or a duration such as 90m, 2h, 1d. */
export function untilTime(option: string, value: string, now: Date): Date {
  const rel = /^(\d{1,5})([mhd])$/.exec(value);
  if (rel) {
    const ms = Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
    return new Date(now.getTime() + ms);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new CliError(`${option} must be a duration (90m, 2h, 1d) or an ISO time with zone (2026-12-01T08:00:00Z), got "${value}"`, 2);
}
