/**
 * What operators drive the sweep with, in every process that serves them (API, CLI, workers):
 * the job scheduler's registration, sweep requests (the only way a sweep job is queued) and the
 * ops service (trigger, pause, resume, status, lock). No dispatch pool, no SMTP.
 */
import { SWEEP_SCHEDULER_ID } from '../jobs/job-catalog';
import { DEFAULT_PROGRAMME, programmeJobName, programmeLockName, type ProgrammeRef } from '../domain/programme-names';
import { perProgramme } from './per-programme';
import { createProgrammeTick } from '../services/programme-tick';
import { createTickSchedule } from '../services/tick-schedule';
import { createOpsService } from '../services/ops-service';
import { createJobSchedulerRegistration } from '../services/job-scheduler-registration';
import { createSweepRequests } from '../services/sweep-requests';
import type { Core } from './core';
import type { RedisPart } from './redis-part';

export function createSweepControl(core: Core, r: RedisPart) {
  const { config, logger, clock, repositories } = core;
  const schedule = createJobSchedulerRegistration({
    queue: r.queues.sweep,
    lock: r.registrationLock,
    cron: config.reminderCron,
    timeZone: config.reminderTz,
    clock,
    logger,
  });
  const sweepRequests = createSweepRequests({
    requests: repositories.sweepRequests,
    queue: r.queues.sweep,
    audit: repositories.audit,
    schedulerId: SWEEP_SCHEDULER_ID,
    cron: config.reminderCron,
    timeZone: config.reminderTz,
    clock,
    logger,
  });
  // Each programme's sweep is operated on its own (its job name, lock, state row and runs).
  const build = (p: ProgrammeRef) => createOpsService({
    jobName: programmeJobName(p),
    programmeId: p.id,
    sweepQueue: r.queues.sweep,
    dispatchQueue: r.queues.dispatch,
    pauseMaxDays: config.pauseMaxDays,
    lock: r.lockFor(programmeLockName(p)),
    executionLog: repositories.executionLog,
    sweepState: repositories.sweepState,
    dueAssignments: repositories.dueAssignments,
    audit: repositories.audit,
    schedule: p.id === DEFAULT_PROGRAMME.id ? schedule : createTickSchedule({ programmes: repositories.programmes, programmeId: p.id, clock }),
    clock,
    // default's is always REMINDER_TZ; another programme's is its row's, read when asked.
    timeZone: async () => (p.id === DEFAULT_PROGRAMME.id ? config.reminderTz : ((await repositories.programmes.byId(p.id))?.timeZone ?? config.reminderTz)),
    staleAfterMs: Math.max(60_000, 3 * config.lockTtlMs),
    workers: r.workers,
    sweepRequests,
  });
  const opsFor = perProgramme(build);
  const tick = createProgrammeTick({ requests: repositories.sweepRequests, sweepRequests, clock, logger });
  return { schedule, sweepRequests, ops: opsFor(DEFAULT_PROGRAMME), opsFor, tick };
}

export type SweepControl = ReturnType<typeof createSweepControl>;
