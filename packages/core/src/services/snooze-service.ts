/**
 * An assignment's snooze (issue 16): no reminder for it through `until` (included); the silence
 * still counts, so the reminder current the day after comes then. The API
 * (PUT/DELETE /v1/assignments/{id}/snooze) and `reminders snooze` both call this; each change is
 * audited with the snooze before and after, and answers with the next reminder.
 */
import type { Clock } from '../clock';
import { isIsoDate } from '../domain/calendar';
import { AppError } from '../errors';
import type { ContactTrackingRepository } from '../repositories/contact-tracking-repository';
import { SNOOZE_MAX_DAYS, type Snooze, type SnoozeRepository } from '../repositories/snooze-repository';
import { checkActor, checkReason } from './change-input';
import { contactView, type ContactView } from './contact-view';

export type SnoozeServiceDeps = {
  snoozes: SnoozeRepository;
  contactTracking: ContactTrackingRepository;
  clock: Clock;
};

export const SNOOZE_REASON_MAX = 500;

export type SnoozeResult = {
  assignmentId: number;
  snooze: Snooze;
  /** Whether this call changed anything (clearing a snooze that is not set changes nothing and writes no audit row). */
  changed: boolean;
  before: Snooze;
  auditId: number | null;
  contact: ContactView;
};

const notFound = (id: number) => new AppError('not_found', 'assignment-not-found', `assignment ${id} does not exist`);

export function createSnoozeService(deps: SnoozeServiceDeps) {
  const { snoozes, contactTracking, clock } = deps;

  async function contactOf(assignmentId: number, now: Date): Promise<ContactView> {
    const state = await contactTracking.contactState(assignmentId);
    if (!state) throw notFound(assignmentId);
    return contactView(state, now);
  }

  return {
    /** Snoozes an open assignment through `until`: today or later on its programme's calendar, at most SNOOZE_MAX_DAYS ahead. */
    async snooze(req: { assignmentId: number; until: string; reason?: string | null; actor: string }): Promise<SnoozeResult> {
      if (typeof req.until !== 'string' || !isIsoDate(req.until)) {
        throw new AppError('invalid', 'validation-error', `until must be a calendar date YYYY-MM-DD, got ${JSON.stringify(req.until)}`, [{ pointer: '/until', detail: 'must be a calendar date YYYY-MM-DD' }]);
      }
      const reason = checkReason(req.reason, SNOOZE_REASON_MAX);
      const actor = checkActor(req.actor);
      const now = clock.now();
      const r = await snoozes.snooze({ assignmentId: req.assignmentId, until: req.until, reason, actor, now });
      if (r.kind === 'not_found') throw notFound(req.assignmentId);
      if (r.kind === 'closed') throw new AppError('conflict', 'assignment-closed', `assignment ${req.assignmentId} is closed; a closed assignment gets no reminders to snooze`);
      if (r.kind === 'in_past') {
        throw new AppError('invalid', 'validation-error', `until (${req.until}) is in the past; today is ${r.today} in ${r.timeZone}`, [{ pointer: '/until', detail: `must be today (${r.today}) or later` }]);
      }
      if (r.kind === 'too_far') {
        throw new AppError('invalid', 'validation-error', `until (${req.until}) is more than ${SNOOZE_MAX_DAYS} days ahead; the latest is ${r.latest} (today is ${r.today} in ${r.timeZone})`, [
          { pointer: '/until', detail: `must be at most ${SNOOZE_MAX_DAYS} days after today (${r.latest})` },
        ]);
      }
      return { assignmentId: req.assignmentId, snooze: r.after, changed: true, before: r.before, auditId: r.auditId, contact: await contactOf(req.assignmentId, now) };
    },

    /** Clears the snooze; idempotent (nothing set: nothing written, the same answer). */
    async clear(req: { assignmentId: number; actor: string }): Promise<SnoozeResult> {
      const actor = checkActor(req.actor);
      const now = clock.now();
      const r = await snoozes.unsnooze({ assignmentId: req.assignmentId, actor, now });
      if (r.kind === 'not_found') throw notFound(req.assignmentId);
      return { assignmentId: req.assignmentId, snooze: { until: null, reason: null }, changed: r.changed, before: r.before, auditId: r.auditId, contact: await contactOf(req.assignmentId, now) };
    },
  };
}

export type SnoozeService = ReturnType<typeof createSnoozeService>;
