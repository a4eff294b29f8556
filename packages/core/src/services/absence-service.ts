/**
 * A mentor's absences (issue 16): registered by the mentor's app (service token) or a coordinator
 * or admin, listed, cancelled. The API (/v1/peer-mentors/{id}/absences) and `reminders absence`
 * both call this. Each answer says what the absence does: for every active assignment of the
 * mentor, under its programme's absence policy, when the next reminder now comes and to whom.
 */
import type { Clock } from '../clock';
import { daysBetween, isIsoDate } from '../domain/calendar';
import type { AbsencePolicy } from '../domain/programme';
import { AppError } from '../errors';
import type { Absence, AbsenceRepository } from '../repositories/absence-repository';
import type { ContactTrackingRepository } from '../repositories/contact-tracking-repository';
import { contactView, type ContactView } from './contact-view';
import { checkActor, checkReason } from './change-input';

export type AbsenceServiceDeps = {
  absences: AbsenceRepository;
  contactTracking: ContactTrackingRepository;
  clock: Clock;
};

/** The longest one absence may be, in days (both ends included). */
export const ABSENCE_MAX_DAYS = 366;
/** How far ahead an absence may end, in years. */
export const ABSENCE_MAX_YEARS_AHEAD = 2;
export const ABSENCE_REASON_MAX = 500;

export type AbsenceRequest = { mentorId: number; from: string; to: string; reason?: string | null; actor: string };

export type AbsenceEffect = {
  assignmentId: number;
  programme: string;
  absencePolicy: AbsencePolicy;
  nextReminder: ContactView['nextReminder'];
  nextReminderTo: ContactView['nextReminderTo'];
};

const invalid = (pointer: string, detail: string, message: string): never => {
  throw new AppError('invalid', 'validation-error', message, [{ pointer, detail }]);
};

/** The same day `years` later (28 February for 29 February). */
function yearsLater(date: string, years: number): string {
  const later = `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;
  return isIsoDate(later) ? later : `${later.slice(0, 8)}28`;
}

export function createAbsenceService(deps: AbsenceServiceDeps) {
  const { absences, contactTracking, clock } = deps;

  async function mentorToday(mentorId: number, now: Date): Promise<string> {
    const today = await absences.mentorToday(mentorId, now);
    if (today === null) throw new AppError('not_found', 'peer-mentor-not-found', `peer mentor ${mentorId} does not exist`);
    return today;
  }

  /** For each active assignment of the mentor: the next reminder under its programme's policy, as of now. */
  async function effect(mentorId: number, now: Date): Promise<AbsenceEffect[]> {
    const assignments = await absences.activeAssignments(mentorId);
    const states = await contactTracking.contactStates(assignments.map((a) => a.assignmentId));
    return assignments.flatMap(({ assignmentId, programme }) => {
      const state = states.get(assignmentId);
      if (!state) return [];
      const view = contactView(state, now);
      return [{ assignmentId, programme, absencePolicy: state.absence.policy, nextReminder: view.nextReminder, nextReminderTo: view.nextReminderTo }];
    });
  }

  return {
    /** Registers an absence from `from` to `to` (both included); overlapping ones are allowed and counted once. */
    async add(req: AbsenceRequest): Promise<{ absence: Absence; effect: AbsenceEffect[] }> {
      for (const [field, v] of [['from', req.from], ['to', req.to]] as const) {
        if (typeof v !== 'string' || !isIsoDate(v)) invalid(`/${field}`, 'must be a calendar date YYYY-MM-DD', `${field} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(v)}`);
      }
      if (req.to < req.from) invalid('/to', 'must not be before from', `to (${req.to}) must not be before from (${req.from})`);
      const days = daysBetween(req.from, req.to) + 1;
      if (days > ABSENCE_MAX_DAYS) invalid('/to', `must be at most ${ABSENCE_MAX_DAYS} days after from, both included`, `an absence may last at most ${ABSENCE_MAX_DAYS} days; ${req.from} to ${req.to} is ${days}`);
      const reason = checkReason(req.reason, ABSENCE_REASON_MAX);
      const actor = checkActor(req.actor);
      const now = clock.now();
      const today = await mentorToday(req.mentorId, now);
      const latest = yearsLater(today, ABSENCE_MAX_YEARS_AHEAD);
      if (req.to > latest) invalid('/to', `must be at most ${ABSENCE_MAX_YEARS_AHEAD} years ahead (${latest})`, `to (${req.to}) is more than ${ABSENCE_MAX_YEARS_AHEAD} years ahead; the latest is ${latest}`);
      const absence = await absences.create({ mentorId: req.mentorId, from: req.from, to: req.to, reason, actor, now });
      return { absence, effect: await effect(req.mentorId, now) };
    },

    /** The mentor's absences, earliest first; cancelled ones only with `includeCancelled`. */
    async list(mentorId: number, opts: { includeCancelled?: boolean } = {}): Promise<Absence[]> {
      await mentorToday(mentorId, clock.now());
      return absences.list(mentorId, opts.includeCancelled ?? false);
    },

    /**
     * Cancels an absence (of `mentorId` when given: the API's path names the mentor). Cancelling
     * one already cancelled answers the same row and writes nothing.
     */
    async cancel(req: { absenceId: number; mentorId?: number; actor: string }): Promise<{ absence: Absence; changed: boolean; effect: AbsenceEffect[] }> {
      const actor = checkActor(req.actor);
      const now = clock.now();
      if (req.mentorId !== undefined) await mentorToday(req.mentorId, now);
      const r = await absences.cancel({ absenceId: req.absenceId, mentorId: req.mentorId, actor, now });
      if (!r) {
        throw new AppError('not_found', 'absence-not-found', `absence ${req.absenceId} does not exist${req.mentorId !== undefined ? ` for peer mentor ${req.mentorId}` : ''}`);
      }
      return { ...r, effect: await effect(r.absence.peerMentorId, now) };
    },
  };
}

export type AbsenceService = ReturnType<typeof createAbsenceService>;
export type AbsenceResult = Awaited<ReturnType<AbsenceService['add']>>;
