/** Checks every audited change of an absence or a snooze shares, whether the API or the CLI sent it. */
import { AppError } from '../errors';

/** The actor making a change, trimmed; blank is refused. */
export function checkActor(actor: string): string {
  const a = actor.trim();
  if (!a) throw new AppError('invalid', 'validation-error', 'the actor making the change must be named');
  return a;
}

/** An optional reason: trimmed, null when left out; blank, too long or with control characters is refused. */
export function checkReason(reason: string | null | undefined, max: number): string | null {
  if (reason === undefined || reason === null) return null;
  const r = reason.trim();
  if (!r || [...r].length > max || /[\p{Cc}\p{Cs}]/u.test(r)) {
    throw new AppError('invalid', 'validation-error', `reason must be 1-${max} characters after trimming, without control characters`, [
      { pointer: '/reason', detail: `must be 1-${max} characters, without control characters` },
    ]);
  }
  return r;
}
