/** Durations as operators type them: `90m`, `12h`, `30d` (whole numbers, one unit). */
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const DURATION_PATTERN = '^[1-9][0-9]{0,5}[mhd]$';

/** Milliseconds, or null when `s` is not a duration such as 90m, 12h, 30d. */
export function parseDuration(s: string): number | null {
  const m = /^([1-9]\d{0,5})([mhd])$/.exec(s.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null;
}
