/** Runs one scenario iteration in a fresh world, bounded in time, and checks the invariants. */
import type { Scenario } from '../scenarios/types';
import { checkInvariants, type IterationResult } from './invariants';
import { createWorld, type World } from './world';

export type IterateOptions = {
  logDir: string;
  /** The whole iteration (setup, fault, recovery, checks) must end within this. @defaultValue 240000 */
  timeoutMs?: number;
};

function failed(s: Scenario, iteration: number, startedAt: number, why: string, w: World | null): IterationResult {
  return {
    scenario: s.name,
    iteration,
    expected: s.due,
    sent: 0,
    duplicates: 0,
    lost: 0,
    unexpected: 0,
    afterContact: 0,
    emailsExpected: 0,
    emailsSent: 0,
    emailDuplicates: 0,
    emailsLost: 0,
    emailsResent: 0,
    emailsInDoubt: 0,
    countMismatches: [],
    runs: 0,
    nonTerminalRuns: 0,
    alertsMissing: [],
    alertsUnexpected: [],
    crashes: w ? [...w.crashes] : [],
    violations: [why, ...(w ? w.violations : [])],
    faultHit: false,
    notes: w ? [...w.notes] : [],
    durationMs: Date.now() - startedAt,
    ok: false,
  };
}

export async function runIteration(s: Scenario, iteration: number, opts: IterateOptions): Promise<IterationResult & { logs?: string }> {
  const startedAt = Date.now();
  let w: World | null = null;
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const body = async (): Promise<IterationResult & { logs?: string }> => {
    w = await createWorld({ scenario: s.name, iteration, due: s.due, smtp: s.smtp, smtpAcceptDelayMs: s.smtpAcceptDelayMs, smtpAcceptDelayMaxMs: s.smtpAcceptDelayMaxMs, delivery: s.delivery, vars: s.vars, topology: s.topology, logDir: opts.logDir });
    await Promise.all(s.workers.map((id) => w!.startWorker(id)));
    await s.inject(w);
    await w.recover();
    await w.stopWorkers();
    const result = await checkInvariants(w, startedAt);
    return result.ok ? result : { ...result, logs: w.saveLogs() };
  };
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`iteration did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  try {
    return await Promise.race([body(), timeout]);
  } catch (err) {
    const world = w as World | null;
    const result = failed(s, iteration, startedAt, (err as Error).message, world);
    return world ? { ...result, logs: world.saveLogs() } : result;
  } finally {
    clearTimeout(timer);
    const world = w as World | null;
    if (world) await world.destroy();
  }
}
