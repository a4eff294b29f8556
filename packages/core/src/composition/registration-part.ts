/**
 * Activity registration and the assignments' contact state, over the plain pg pool registration
 * uses (db/registration-pool.ts: one prepared statement per registration). The API builds it; the
 * CLI's correct-contact builds it with one connection.
 */
import { createRegistrationPool } from '../db/registration-pool';
import { createContactTrackingRepository } from '../repositories/contact-tracking-repository';
import { createActivityRegistrationService } from '../services/activity-registration-service';
import { createAssignmentService } from '../services/assignment-service';
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
    close: () => registrationPool.end(),
  };
}

export type RegistrationPart = ReturnType<typeof createRegistrationPart>;
