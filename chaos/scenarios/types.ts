/** What a scenario is: how its world is set up and the fault it injects before recovery. */
import type { World } from '../lib/world';

export type Scenario = {
  /** Short id (`--only` takes it). */
  name: string;
  /** The fault, as the table shows it. */
  title: string;
  /** Assignments with a reminder due. */
  due: number;
  smtp?: boolean;
  /** The SMTP server answers 250 this long after a message's data arrived (relay latency). */
  smtpAcceptDelayMs?: number;
  /** With smtpAcceptDelayMs: the latency is drawn per message from [smtpAcceptDelayMs, this]. */
  smtpAcceptDelayMaxMs?: number;
  /** The default programme's delivery (digest | each); unset: the table's default. */
  delivery?: 'digest' | 'each';
  /** Environment for the workers and the operator's container (beside CHAOS_DEFAULTS). */
  vars?: Record<string, string>;
  /** Worker processes started before the fault (their WORKER_IDs). */
  workers: string[];
  /**
   * Run the service on a real distributed Redis instead of one redis-server: `sentinel` (a primary,
   * a replica, three sentinels) or `cluster` (three primaries with a replica each, REDIS_PREFIX={reminders}).
   */
  topology?: 'sentinel' | 'cluster';
  /** Part of the fast subset `npm test` runs. */
  fast?: boolean;
  /** Injects the fault and whatever the scenario needs before the operator's recovery. */
  inject(w: World): Promise<void>;
};

/** Reminder rows written so far. */
export const reminderCount = (w: World) => w.retrying('count reminders', () => w.prisma.reminder.count());

/** Waits until at least `share` of the due reminders are written (the run is dispatching). */
export async function waitForDispatching(w: World, share: number, timeoutMs = 30_000): Promise<number> {
  const target = Math.max(1, Math.floor(w.due * share));
  await w.waitFor(`${target} reminders written`, async () => (await reminderCount(w)) >= target, timeoutMs, 5);
  return reminderCount(w);
}

/**
 * Waits for a run to leave `running` by itself. A run that stays `running` while its worker lives
 * on is a finding (the log would lie until the next run closes the row); it is noted, not thrown.
 */
export async function waitForRunEnd(w: World, runId: number, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await w.retrying('run row', () => w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: runId } }));
    if (row.status !== 'running') return row.status;
    if (Date.now() > deadline) {
      w.violation(`run ${runId} still running ${Math.round(timeoutMs / 1000)} s after the fault although its worker is alive`);
      return 'running';
    }
    await w.sleep(100);
  }
}
