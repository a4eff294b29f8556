/**
 * Found by the chaos suite (redis-restart, pg-terminate; issue 12 "counts in the log equal to the
 * rows"): a run that ended before every job had reported (lock lost, timed out, failed, closed
 * as abandoned) wrote its counts, and then its jobs went on settling its dispatch records
 * (fenced: `skipped`), so the log said "skipped 0" against 195 skipped records. A run's end now
 * settles what is left of its record in the same transaction as its counts, and nothing changes
 * the record of a finished run after that.
 */
import { Client } from 'pg';
import { addDays } from '@reminders/core/domain/calendar';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { createSilentAssignments } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait-for';
import { terminateBackends } from '../../chaos/lib/postgres';

const TODAY = '2026-11-28';
const MORNING = '2026-11-28T06:00:00Z';

let env: TestEnv;
let h: Harness;

afterEach(async () => {
  await h?.stop();
  await env?.destroy();
});

async function tally(runId: number) {
  const rows = await h.prisma.$queryRaw<{ outcome: string | null; n: number }[]>`
    SELECT outcome::text AS outcome, count(*)::int AS n FROM run_dispatches WHERE run_id = ${runId} GROUP BY outcome ORDER BY outcome`;
  return Object.fromEntries(rows.map((r) => [r.outcome ?? 'unsettled', r.n]));
}

describe('a finished run: its counts are its dispatch records, and they stay so', () => {
  it('a run that times out with jobs unreported settles them as skipped with its counts; the late jobs change nothing', async () => {
    env = await createTestEnv();
    h = await startHarness(env, { now: MORNING, startWorkers: false, overrides: { RUN_TIMEOUT_MINUTES: '1' } });
    await createSilentAssignments(h.prisma, 20, addDays(TODAY, -20));
    const running = h.run();
    await waitFor('the fan-out', async () => (await h.c.queues.dispatch.getWaitingCount()) === 20);
    h.clock.advance(2 * 60_000); // past RUN_TIMEOUT_MINUTES with nothing dispatched
    const result = await running;
    expect(result.status).toBe('timed_out');
    // The jobs run late: fenced (the run is over), they must not change its record.
    await h.startWorkers();
    await waitFor('the late jobs', async () => (await h.c.queues.dispatch.getCompletedCount()) === 20);
    const log = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: result.runId } });
    expect(await tally(result.runId)).toEqual({ skipped: 20 });
    expect(log).toMatchObject({ remindersEnqueued: 20, remindersSent: 0, remindersSkipped: 20, remindersLost: 0, remindersFailed: 0, remindersSuppressed: 0 });
    const reasons = await h.prisma.runDispatch.findMany({ where: { runId: result.runId }, distinct: ['reason'], select: { reason: true } });
    expect(reasons).toEqual([{ reason: 'the run ended (timed_out) before this job reported; the next run sends what is still due' }]);
    expect(await h.prisma.reminder.count()).toBe(0);
    // Nothing is lost: the next run sends all twenty.
    expect(await h.run()).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ remindersSent: 20, remindersEnqueued: 20 }) });
  });

  it('a running row closed as abandoned (its worker died) gets the counts of its records, settled at once', async () => {
    env = await createTestEnv();
    h = await startHarness(env, { now: MORNING, startWorkers: false });
    await createSilentAssignments(h.prisma, 10, addDays(TODAY, -20));
    // A worker that died after its fan-out: a running row, ten records, nothing settled.
    const dead = await h.c.repositories.executionLog.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'dead-worker', now: new Date(MORNING), triggeredBy: 'test' });
    await h.prisma.$executeRaw`
      INSERT INTO run_dispatches (run_id, assignment_id, anchor_date) SELECT ${dead.runId}::int, id, COALESCE(last_contact_date, assigned_date) FROM assignments`;
    await h.prisma.$executeRaw`UPDATE run_dispatches SET outcome = 'sent', settled_at = now() WHERE run_id = ${dead.runId} AND assignment_id IN (SELECT min(assignment_id) FROM run_dispatches)`;
    await h.startWorkers();
    const next = await h.run();
    expect(next.status).toBe('succeeded');
    const old = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: dead.runId } });
    expect(old).toMatchObject({ status: 'abandoned', remindersEnqueued: 10, remindersSent: 1, remindersSkipped: 9 });
    expect(await tally(dead.runId)).toEqual({ sent: 1, skipped: 9 });
  });

  it('a run is still closed when its connection is cut during its finish (the finish retries): never left running', async () => {
    env = await createTestEnv();
    h = await startHarness(env, { now: MORNING, startWorkers: false });
    const run = await h.c.repositories.executionLog.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'w', now: new Date(MORNING), triggeredBy: 'test' });
    // Another session holds the run's row, so the finish's transaction waits inside; then every
    // connection of the database is cut (pg-terminate does this mid-run), that one included.
    const blocker = new Client({ connectionString: env.databaseUrl });
    blocker.on('error', () => undefined);
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM cron_execution_log WHERE id = $1 FOR UPDATE', [run.runId]);
    const finishing = h.c.repositories.executionLog.finish(run.runId, { status: 'failed', now: new Date(MORNING), counts: {}, error: 'cut' });
    await waitFor('the finish to wait for the row', async () => {
      const [r] = await h.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      return r!.n > 0;
    });
    await terminateBackends(env.databaseUrl);
    await blocker.end().catch(() => undefined);
    expect(await finishing).toBe(true);
    expect(await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.runId } })).toMatchObject({ status: 'failed', error: 'cut' });
  });
});
