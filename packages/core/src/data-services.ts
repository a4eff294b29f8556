/**
 * The database-only part of the composition root: tokens, activity registration, assignments and
 * corrections. `createContainer` includes it; CLI commands that need only Postgres (token,
 * correct-contact) build just this, so they work while Redis is down.
 */
import { createTokenRepository } from './auth/token-repository';
import { createTokenService } from './auth/token-service';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Pool } from 'pg';
import type { PrismaClient } from './db/prisma';
import type { Logger } from './logger';
import { createAssignmentRepository } from './repositories/assignment-repository';
import { createAuditRepository } from './repositories/audit-repository';
import { createContactTrackingRepository } from './repositories/contact-tracking-repository';
import { createActivityRegistrationService } from './services/activity-registration-service';
import { createAssignmentService } from './services/assignment-service';

/** `registrationPool`: the plain pg pool activity registration uses (db/registration-pool.ts). */
export function createDataServices(deps: { prisma: PrismaClient; registrationPool: Pool; config: Pick<Config, 'reminderTz' | 'rules' | 'idempotencyKeyRetentionHours' | 'tokenLifetimeDays'>; clock: Clock; logger: Logger }) {
  const { prisma, config, clock, logger } = deps;
  const apiTokens = createTokenRepository(prisma);
  const contactTracking = createContactTrackingRepository(prisma, deps.registrationPool);
  const assignmentsRead = createAssignmentRepository(prisma);
  const common = { clock, timeZone: config.reminderTz, rules: config.rules };
  return {
    repositories: { apiTokens, contactTracking, assignments: assignmentsRead },
    services: {
      tokens: createTokenService({
        tokens: apiTokens,
        clock,
        audit: createAuditRepository(prisma),
        lifetimeDays: config.tokenLifetimeDays,
        onTouchError: (err) => logger.warn({ err: { message: (err as Error).message } }, 'could not record token last_used_at'),
      }),
      activities: createActivityRegistrationService({ contactTracking, ...common, idempotencyKeyRetentionHours: config.idempotencyKeyRetentionHours }),
      assignments: createAssignmentService({ assignments: assignmentsRead, contactTracking, ...common }),
    },
  };
}

export type DataServices = ReturnType<typeof createDataServices>;
