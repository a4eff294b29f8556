/**
 * The core every process builds first: the database and the repositories over it, the clock and
 * the logger. Nothing here connects at import time, nor opens Redis, SMTP or the dispatch pool;
 * the parts beside this file add those, and each process's composition root takes only the parts
 * it uses (apps/api/src/composition.ts, apps/worker/src/composition.ts, apps/cli/src/composition.ts).
 */
import { createTokenRepository } from '../auth/token-repository';
import { createTokenService } from '../auth/token-service';
import { systemClock, type Clock } from '../clock';
import type { Config } from '../config';
import { createPrisma } from '../db/prisma';
import type { Logger } from '../logger';
import { createAlertRepository } from '../repositories/alert-repository';
import { createAssignmentRepository } from '../repositories/assignment-repository';
import { createAuditRepository } from '../repositories/audit-repository';
import { createDatabaseHealth } from '../repositories/database-health';
import { createDueAssignmentRepository } from '../repositories/due-assignment-repository';
import { createEffectivenessRepository } from '../repositories/effectiveness-repository';
import { createExecutionLogRepository } from '../repositories/execution-log-repository';
import { createIdempotencyKeyRepository } from '../repositories/idempotency-key-repository';
import { createProgrammeRepository } from '../repositories/programme-repository';
import { createProgrammeService } from '../services/programme-service';
import { createEffectivenessService } from '../services/effectiveness-service';
import { createDigestAdminService } from '../services/digest-admin';
import { createDigestRepository } from '../repositories/digest-repository';
import { createRunDispatchRepository } from '../repositories/run-dispatch-repository';
import { createSweepStateRepository } from '../repositories/sweep-state-repository';
import { createServiceMetricsRepository } from '../repositories/service-metrics-repository';
import { createSweepRequestRepository } from '../repositories/sweep-request-repository';
import { createWatchdogStateRepository } from '../repositories/watchdog-state-repository';

export type CoreOptions = {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Prisma's pool size (the CLI needs two connections, not the default). */
  databasePoolMax?: number;
};

export function createCore(opts: CoreOptions) {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const prisma = createPrisma(config.databaseUrl, { max: opts.databasePoolMax });
  const audit = createAuditRepository(prisma);
  const apiTokens = createTokenRepository(prisma);
  const repositories = {
    executionLog: createExecutionLogRepository(prisma),
    sweepState: createSweepStateRepository(prisma),
    dueAssignments: createDueAssignmentRepository(prisma),
    runDispatches: createRunDispatchRepository(prisma),
    alerts: createAlertRepository(prisma),
    audit,
    idempotencyKeys: createIdempotencyKeyRepository(prisma),
    sweepRequests: createSweepRequestRepository(prisma),
    watchdogState: createWatchdogStateRepository(prisma),
    apiTokens,
    assignments: createAssignmentRepository(prisma),
    programmes: createProgrammeRepository(prisma),
    serviceMetrics: createServiceMetricsRepository(prisma),
    effectiveness: createEffectivenessRepository(prisma),
    digests: createDigestRepository(prisma),
    databaseHealth: createDatabaseHealth(prisma),
  };
  const tokens = createTokenService({
    tokens: apiTokens,
    clock,
    audit,
    lifetimeDays: config.tokenLifetimeDays,
    onTouchError: (err) => logger.warn({ err: { message: (err as Error).message } }, 'could not record token last_used_at'),
  });
  const programmes = createProgrammeService({ programmes: repositories.programmes, audit, clock });
  const effectiveness = createEffectivenessService({ effectiveness: repositories.effectiveness, programmes: repositories.programmes, clock });
  const digests = createDigestAdminService({ digests: repositories.digests, programmes: repositories.programmes, clock });
  return {
    config,
    logger,
    clock,
    prisma,
    repositories,
    tokens,
    programmes,
    effectiveness,
    /** The digest outbox for operators (list, retry or cancel failed digests). */
    digests,
    close: () => prisma.$disconnect(),
  };
}

export type Core = ReturnType<typeof createCore>;
