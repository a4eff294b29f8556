/** `reminders status` and `reminders runs`: what the sweep is doing and has done. */
import type { Command } from 'commander';
import { CliError, usageErrorsExit2 } from '../cli-errors';
import { printJson } from '../cli-output';
import { withOps } from '../composition';
import { isRunStatus } from '@reminders/core/services/ops-service';
import { toJson } from '@reminders/core/json-case';
import { positiveInt } from './parse';
import { runLine, workersLine } from './format';

export function statusCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('status')
      .description('enabled or paused, next fire time, lock holder, current run, live workers, last runs, failures')
      .option('--json', 'print JSON'),
  ).action(async (o: { json?: boolean }) => {
    await withOps(async (c) => {
      const s = await c.ops.status();
      if (o.json) return printJson(toJson(s)); // snake_case, like GET /v1/sweep/status
      const out = [
        `sweep: ${s.enabled ? 'enabled' : `PAUSED by ${s.pause?.by}: ${s.pause?.reason}${s.pause?.until ? ` (until ${s.pause.until.toISOString()})` : ''}`}`,
        ...(s.queuesPaused.sweep || s.queuesPaused.dispatch
          ? [`queues: ${[s.queuesPaused.sweep && 'reminder-sweep', s.queuesPaused.dispatch && 'reminder-dispatch'].filter(Boolean).join(' and ')} PAUSED in Bull Board (resume there: queue menu > Resume)`]
          : []),
        `schedule: ${s.schedule.pattern ?? '-'} (${s.schedule.tz ?? '-'}), next ${s.schedule.next?.toISOString() ?? '-'}${s.schedule.problem ? `  PROBLEM: ${s.schedule.problem}` : ''}`,
        `lock: ${s.lock.held ? `held by ${s.lock.holder?.workerId ?? 'unknown'}${s.lock.holder?.runId ? ` (run ${s.lock.holder.runId})` : ''}, ${Math.max(0, s.lock.ttlMs)} ms left` : 'free'}`,
        `current run: ${s.currentRun ? `${s.currentRun.id} since ${s.currentRun.startedAt.toISOString()}, ${s.currentRun.remindersEnqueued} enqueued` : 'none'}`,
        workersLine(s.workers, c.clock.now()),
        `consecutive failures: ${s.consecutiveFailures}; last success: ${s.lastSuccessAt?.toISOString() ?? 'never'}`,
        'last runs:',
        ...s.lastRuns.map(runLine),
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    });
  });
}

export function runsCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('runs')
      .description('the execution log, newest first')
      .option('--limit <n>', 'how many runs', '20')
      .option('--status <status>', 'only runs with this status')
      .option('--json', 'print JSON'),
  ).action(async (o: { limit: string; status?: string; json?: boolean }) => {
    const limit = positiveInt('--limit', o.limit, 1000);
    if (o.status !== undefined && !isRunStatus(o.status)) throw new CliError(`--status must be one of running, succeeded, failed, skipped_locked, skipped_disabled, timed_out, abandoned, awaiting_confirmation, cancelled; got "${o.status}"`, 2);
    await withOps(async (c) => {
      const runs = await c.ops.runs({ limit, status: o.status as never });
      // snake_case like GET /v1/runs, so a script can switch between the two.
      if (o.json) return printJson(toJson(runs));
      process.stdout.write(runs.length ? `${runs.map(runLine).join('\n')}\n` : 'no runs yet\n');
    });
  });
}
