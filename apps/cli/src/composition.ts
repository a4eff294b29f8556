/**
 * The CLI's composition root. A command builds only what it uses and closes it when it is done:
 * operations commands (status, trigger, pause, resume, lock) get the core, Redis and the sweep
 * control; token and correct-contact get the core alone (they work while Redis is down). No CLI
 * command builds the dispatch pool, the reminder SMTP transport or the alert channels.
 */
import pino from 'pino';
import { loadConfig, type Config } from '@reminders/core/config';
import { createCore } from '@reminders/core/composition/core';
import { createRedisPart } from '@reminders/core/composition/redis-part';
import { createRegistrationPart } from '@reminders/core/composition/registration-part';
import { createSweepControl } from '@reminders/core/composition/sweep-control';
import { createLogger } from '@reminders/core/logger';
import { toCliError } from './cli-errors';
import { programmeLockName, type ProgrammeRef } from '@reminders/core/domain/programme-names';

/** Logs go to stderr: stdout carries the command's answer (a new token, JSON). */
function cliCore(config: Config) {
  return createCore({ config, logger: createLogger(config, { name: 'cli', destination: pino.destination(2) }), databasePoolMax: 2 });
}

export type OpsRoot = ReturnType<typeof buildOps>;

function buildOps(config: Config) {
  const core = cliCore(config);
  const redis = createRedisPart(core);
  const control = createSweepControl(core, redis);
  return {
    clock: core.clock,
    ops: control.ops,
    sweepLock: redis.sweepLock,
    /** Each programme's own ops and lock (issue 15): `--programme SLUG`. */
    opsFor: control.opsFor,
    lockFor: (p: ProgrammeRef) => redis.lockFor(programmeLockName(p)),
    programmes: core.repositories.programmes,
    /** The programme a run belongs to (for --confirm / --cancel), or null when there is no such run. */
    programmeOfRun: async (runId: number) => {
      const run = await core.repositories.executionLog.get(runId);
      return run ? core.repositories.programmes.byId(run.programmeId) : null;
    },
    async close() {
      await redis.close();
      await core.close();
    },
  };
}

/** For operations commands: the ops service and the sweep lock (Postgres and Redis). */
export async function withOps<T>(fn: (root: OpsRoot) => Promise<T>, config: Config = loadConfig()): Promise<T> {
  const root = buildOps(config);
  try {
    return await fn(root);
  } catch (err) {
    throw toCliError(err);
  } finally {
    await root.close();
  }
}

export type DataRoot = ReturnType<typeof buildData>;

function buildData(config: Config) {
  const core = cliCore(config);
  // Connects only if a command registers activities (none does today): correct-contact uses its repository.
  const registration = createRegistrationPart(core, { poolMax: 1 });
  return {
    tokens: core.tokens,
    programmes: core.programmes,
    /** Programme rows as they are (seed --programme reads its calendar and rules). */
    programmeRows: core.repositories.programmes,
    /** Whether reminders work (stats). */
    effectiveness: core.effectiveness,
    /** The digest outbox for operators (digests list | retry | cancel). */
    digests: core.digests,
    assignments: registration.assignments,
    absences: registration.absences,
    snoozes: registration.snoozes,
    async close() {
      await Promise.all([registration.close(), core.close()]);
    },
  };
}

/** For token, correct-contact and programme: Postgres only. */
export async function withData<T>(fn: (root: DataRoot, config: Config) => Promise<T>, config: Config = loadConfig()): Promise<T> {
  const root = buildData(config);
  try {
    return await fn(root, config);
  } finally {
    await root.close();
  }
}
