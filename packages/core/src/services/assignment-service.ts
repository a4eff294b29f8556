/**
 * One assignment: its contact state, next reminder and history (read), and the admin correction
 * of last_contact_date (the API endpoint and `reminders correct-contact` both call `correctContact`).
 */
import type { Clock } from '../clock';
import { isIsoDate } from '../domain/calendar';
import { AppError } from '../errors';
import type { AssignmentRepository } from '../repositories/assignment-repository';
import type { ContactTrackingRepository } from '../repositories/contact-tracking-repository';
import { contactView } from './contact-view';

export type AssignmentServiceDeps = {
  assignments: AssignmentRepository;
  contactTracking: ContactTrackingRepository;
  clock: Clock;
};

export type CorrectionRequest = {
  assignmentId: number;
  /** The new last_contact_date, YYYY-MM-DD. */
  date: string;
  reason: string;
  /** Who made it: the API token's name, or the CLI's --actor. */
  actor: string;
};

export function createAssignmentService(deps: AssignmentServiceDeps) {
  async function get(assignmentId: number) {
    const [detail, state] = await Promise.all([deps.assignments.detail(assignmentId), deps.contactTracking.contactState(assignmentId)]);
    if (!detail || !state) throw new AppError('not_found', 'assignment-not-found', `assignment ${assignmentId} does not exist`);
    return { ...detail, contact: contactView(state, deps.clock.now()) };
  }

  return {
    get,

    async correctContact(req: CorrectionRequest) {
      if (!isIsoDate(req.date)) {
        throw new AppError('invalid', 'validation-error', `date must be a calendar date YYYY-MM-DD, got "${req.date}"`, [{ pointer: '/last_contact_date', detail: 'must be a calendar date YYYY-MM-DD' }]);
      }
      const reason = req.reason.trim();
      if (reason.length < 3) {
        throw new AppError('invalid', 'validation-error', 'a reason of at least 3 characters is required', [{ pointer: '/reason', detail: 'must be at least 3 characters' }]);
      }
      const actor = req.actor.trim();
      if (!actor) throw new AppError('invalid', 'validation-error', 'the actor making the correction must be named');
      const now = deps.clock.now();
      const r = await deps.contactTracking.correct({ assignmentId: req.assignmentId, date: req.date, actor, reason, now });
      if (r.kind === 'not_found') throw new AppError('not_found', 'assignment-not-found', `assignment ${req.assignmentId} does not exist`);
      if (r.kind === 'in_future') {
        throw new AppError('unprocessable', 'date-in-future', `date ${req.date} is in the future (today is ${r.today} in ${r.timeZone})`);
      }
      if (r.kind === 'before_assigned') {
        throw new AppError('unprocessable', 'date-before-assignment', `date ${req.date} is before assignment ${req.assignmentId} began (${r.assignedDate})`);
      }
      const assignment = await get(req.assignmentId);
      return {
        assignment,
        audit: { id: r.auditId, actor, before: r.before, after: r.after, reason, createdAt: r.auditedAt },
      };
    },
  };
}

export type AssignmentService = ReturnType<typeof createAssignmentService>;
export type AssignmentView = Awaited<ReturnType<AssignmentService['get']>>;
export type CorrectionResult = Awaited<ReturnType<AssignmentService['correctContact']>>;
