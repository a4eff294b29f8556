/**
 * The blast-radius guard: a run that would send far more reminders than usual (a bad import that
 * blanked last_contact_date, a rule misconfigured) stops before dispatching and waits for an
 * operator. Only applies once there is enough history to know what "usual" is.
 */
export type BlastRadiusSettings = Readonly<{
  /** Hold when due > factor × median of recent successful runs. 0 turns the guard off. @defaultValue 3 */
  factor: number;
  /** ...and due > floor, so small organisations are never held. @defaultValue 500 */
  floor: number;
  /** Successful runs needed before the guard applies. @defaultValue 3 */
  minHistory: number;
}>;

export type BlastRadiusVerdict = { hold: false } | { hold: true; reason: string };

export function judgeBlastRadius(due: number, history: { median: number; samples: number } | null, s: BlastRadiusSettings): BlastRadiusVerdict {
  if (s.factor === 0 || history === null || due <= s.floor) return { hold: false };
  const limit = s.factor * history.median;
  if (due <= limit) return { hold: false };
  return {
    hold: true,
    reason: `${due} reminders due, more than ${s.factor} × the median of the last ${history.samples} successful runs (${history.median}) and above the floor of ${s.floor}`,
  };
}
