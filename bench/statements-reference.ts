/**
 * (d) The dispatch's own statements with no queue: on the same data, under a run of its own, the
 * real fan-out (fanOutPage, page by page, recording every due assignment) and then the real write
 * statement (reminder-repository writeMany: the fence, re-judging each assignment under its lock,
 * the reminder, its notifications, the dispatch record settled) over every recorded assignment in
 * batches of the size the workers use, one after another on one connection. Timed and, above
 * all, its PostgreSQL CPU counted: what the database needs for the guarantees the run keeps,
 * whatever the queue does. Measured twice: as deployed, and once more with the foreign-key checks
 * off for that one connection (`session_replication_role = replica`, the benchmark's superuser
 * only; the tables have no other triggers), which shows what those checks cost.
 */
import type { Config } from '@reminders/core/config';
import { createPrisma } from '@reminders/core/db/prisma';
import { createDispatchPool } from '@reminders/core/db/dispatch-pool';
import { createRunDispatchRepository } from '@reminders/core/repositories/run-dispatch-repository';
import { createReminderRepository } from '@reminders/core/repositories/reminder-repository';
import { cpuSnapshot, cpuUsage } from './cpu-accounting';

export type StatementPhase = { seconds: number; postgresCpu: number };
export type StatementsResult = {
  batchSize: number;
  foreignKeys: boolean;
  recorded: number;
  written: number;
  fanOut: StatementPhase;
  writes: StatementPhase;
};

export async function dispatchStatements(o: {
  databaseUrl: string;
  config: Config;
  runId: number;
  now: Date;
  emailEnabled: boolean;
  batchSize: number;
  foreignKeys: boolean;
}): Promise<StatementsResult> {
  const prisma = createPrisma(o.databaseUrl, { max: 1 });
  const pool = createDispatchPool(o.databaseUrl, { max: 1, ...(o.foreignKeys ? {} : { extraOptions: '-c session_replication_role=replica' }) });
  pool.on('error', () => undefined);
  const dispatches = createRunDispatchRepository(prisma);
  const reminders = createReminderRepository(pool, { emailEnabled: o.emailEnabled, emailLeaseSeconds: o.config.emailLeaseSeconds, owner: 'bench-statements' });
  const phase = (a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>): StatementPhase => {
    const u = cpuUsage(a, b, []);
    return { seconds: +((b.at - a.at) / 1000).toFixed(2), postgresCpu: u.postgres };
  };
  try {
    // Both connections open before the clock starts.
    await prisma.$queryRaw`SELECT 1`;
    await pool.query('SELECT 1');
    const c0 = cpuSnapshot();
    const ids: number[] = [];
    for (let afterId = 0; ; ) {
      const page = await dispatches.fanOutPage({ runId: o.runId, now: o.now, programmeId: null, emailEnabled: o.emailEnabled, afterId, limit: o.config.sweepPageSize });
      ids.push(...page.ids);
      if (page.scanned < o.config.sweepPageSize || page.lastId === null) break;
      afterId = page.lastId;
    }
    await dispatches.refreshStatistics();
    const c1 = cpuSnapshot();
    let written = 0;
    for (let i = 0; i < ids.length; i += o.batchSize) {
      const results = await reminders.writeMany(ids.slice(i, i + o.batchSize).map((assignmentId) => ({ runId: o.runId, assignmentId })));
      for (const r of results) {
        if (r instanceof Error) throw r;
        if (r.outcome === 'written') written += 1;
      }
    }
    const c2 = cpuSnapshot();
    return { batchSize: o.batchSize, foreignKeys: o.foreignKeys, recorded: ids.length, written, fanOut: phase(c0, c1), writes: phase(c1, c2) };
  } finally {
    await pool.end();
    await prisma.$disconnect();
  }
}

type Cpu = { postgres: number; redis: number; workers: number; bench: number };
export type StatementBound = { postgresCpu: number; bound: number };

/**
 * What the database's share allows: the queue floor's CPU F (its Redis, workers and bench) is what
 * the run's queue part costs at the least; the run adds at the least the PostgreSQL CPU P of its
 * statements run with no queue. With the machine as busy as during the floor, the run can go at
 * most F / (F + P) of the floor's pace. Null without the statements' figures.
 */
export function statementBounds(floorCpu: Cpu, statements: StatementsResult[], rowsOnlyPostgresCpu: number | null) {
  const withFk = statements.find((s) => s.foreignKeys);
  if (!withFk) return null;
  const withoutFk = statements.find((s) => !s.foreignKeys);
  const f = floorCpu.postgres + floorCpu.redis + floorCpu.workers + floorCpu.bench;
  const of = (p: number): StatementBound => ({ postgresCpu: p, bound: f / (f + p) });
  const p = (s: StatementsResult) => s.fanOut.postgresCpu + s.writes.postgresCpu;
  return {
    floorCpu: f,
    asDeployed: of(p(withFk)),
    noForeignKeys: withoutFk ? of(p(withoutFk)) : null,
    rowsOnly: rowsOnlyPostgresCpu !== null ? of(rowsOnlyPostgresCpu) : null,
  };
}
