/**
 * Activity registration and the assignments' contact state, over the plain pg pool registration
 * uses (db/registration-pool.ts: one prepared statement per registration), and the absences and
 * snoozes that move the next reminder. The API builds it; the CLI's correct-contact, absence and
 * snooze build it with one connection.
 */
import { createRegistrationPool } from '../db/registration-pool';
import { createContactTrackingRepository } from '../repositories/contact-tracking-repository';
import { createActivityRegistrationService } from '../services/activity-registration-service';
import { createAssignmentService } from '../services/assignment-service';
import { createAbsenceRepository } from '../repositories/absence-repository';
import { createSnoozeRepository } from '../repositories/snooze-repository';
import { createAbsenceService } from '../services/absence-service';
import { createSnoozeService } from '../services/snooze-service';
import type { Core } from './core';

export function createRegistrationPart(core: Core, opts: { poolMax?: number } = {}) {
  const { config, logger, clock } = core;
  const registrationPool = createRegistrationPool(config.databaseUrl, { max: opts.poolMax });
  registrationPool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'idle registration database connection lost'));
  const contactTracking = createContactTrackingRepository(core.prisma, registrationPool);
  // Calendar days and rules come with each assignment's state, from its programme.
  const common = { clock };
  return {
    contactTracking,
    activities: createActivityRegistrationService({ contactTracking, ...common, idempotencyKeyRetentionHours: config.idempotencyKeyRetentionHours }),
    assignments: createAssignmentService({ assignments: core.repositories.assignments, contactTracking, ...common }),
    // Absences and snoozes answer with the next reminder, so they sit beside the contact state.
    absences: createAbsenceService({ absences: createAbsenceRepository(core.prisma), contactTracking, ...common }),
    snoozes: createSnoozeService({ snoozes: createSnoozeRepository(core.prisma), contactTracking, ...common }),
    close: () => registrationPool.end(),
  };
}

export type RegistrationPart = ReturnType<typeof createRegistrationPart>;
