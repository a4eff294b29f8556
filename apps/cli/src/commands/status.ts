/** `reminders status` and `reminders runs`: what the sweep is doing and has done. */
import type { Command } from 'commander';
import { CliError, usageErrorsExit2 } from '../cli-errors';
import { printJson } from '../cli-output';
import { withOps } from '../composition';
import { isRunStatus } from '@reminders/core/services/ops-service';
import { toJson } from '@reminders/core/json-case';
import { positiveInt } from './parse';
import { runLine, workersLine } from './format';
import { PROGRAMME_OPTION, prefixFor, programmesIn } from '../programme-scope';

export function statusCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('status')
      .description('enabled or paused, next fire time, lock holder, current run, live workers, last runs, failures')
      .option(...PROGRAMME_OPTION)
      .option('--json', 'print JSON'),
  ).action(async (o: { json?: boolean; programme?: string }) => {
    await withOps(async (c) => {
      const scope = await programmesIn(c, o.programme, 'every');
      const statuses = [];
      for (const p of scope.programmes) statuses.push({ programme: p, status: await c.opsFor(p).status() });
      // snake_case, like GET /v1/sweep/status; one object for default alone (as before programmes), else one per programme.
      if (o.json) return printJson(statuses.length === 1 && !scope.named ? toJson(statuses[0]!.status) : statuses.map((x) => ({ programme: x.programme.slug, ...(toJson(x.status) as object) })));
      const prefix = prefixFor(scope);
      const blocks = statuses.map(({ programme, status }) => {
        const head = prefix(programme);
        return (head ? [`${head}${programme.name} (${programme.timeZone})`] : []).concat(lines(status));
      });
      process.stdout.write(`${blocks.map((b) => b.join('\n')).join('\n\n')}\n`);
    });

    function lines(s: Awaited<ReturnType<import('../composition').OpsRoot['ops']['status']>>): string[] {
      return [
        `sweep: ${s.enabled ? 'enabled' : `PAUSED by ${s.pause?.by}: ${s.pause?.reason}${s.pause?.until ? ` (until ${s.pause.until.toISOString()})` : ''}`}`,
        ...(s.queuesPaused.sweep || s.queuesPaused.dispatch
          ? [`queues: ${[s.queuesPaused.sweep && 'reminder-sweep', s.queuesPaused.dispatch && 'reminder-dispatch'].filter(Boolean).join(' and ')} PAUSED in Bull Board (resume there: queue menu > Resume)`]
          : []),
        `schedule: ${s.schedule.pattern ?? '-'} (${s.schedule.tz ?? '-'}), next ${s.schedule.next?.toISOString() ?? '-'}${s.schedule.problem ? `  PROBLEM: ${s.schedule.problem}` : ''}`,
        `lock: ${s.lock.held ? `held by ${s.lock.holder?.workerId ?? 'unknown'}${s.lock.holder?.runId ? ` (run ${s.lock.holder.runId})` : ''}, ${Math.max(0, s.lock.ttlMs)} ms left` : 'free'}`,
        `current run: ${s.currentRun ? `${s.currentRun.id} since ${s.currentRun.startedAt.toISOString()}, ${s.currentRun.remindersEnqueued} enqueued` : 'none'}`,
        workersLine(s.workers, new Date()),
        `consecutive failures: ${s.consecutiveFailures}; last success: ${s.lastSuccessAt?.toISOString() ?? 'never'}`,
        'last runs:',
        ...s.lastRuns.map(runLine),
      ];
    }
  });
}

export function runsCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('runs')
      .description('the execution log, newest first')
      .option('--limit <n>', 'how many runs', '20')
      .option('--status <status>', 'only runs with this status')
      .option(...PROGRAMME_OPTION)
      .option('--json', 'print JSON'),
  ).action(async (o: { limit: string; status?: string; json?: boolean; programme?: string }) => {
    const limit = positiveInt('--limit', o.limit, 1000);
    if (o.status !== undefined && !isRunStatus(o.status)) throw new CliError(`--status must be one of running, succeeded, failed, skipped_locked, skipped_disabled, timed_out, abandoned, awaiting_confirmation, cancelled; got "${o.status}"`, 2);
    await withOps(async (c) => {
      const scope = await programmesIn(c, o.programme, 'every');
      // Every programme's runs, newest first (run ids grow with time), or the named one's.
      const all = [];
      for (const p of scope.programmes) all.push(...(await c.opsFor(p).runs({ limit, status: o.status as never })).map((run) => ({ run, p })));
      const runs = all.sort((a, b) => b.run.id - a.run.id).slice(0, limit);
      // snake_case like GET /v1/runs, so a script can switch between the two.
      if (o.json) return printJson(toJson(runs.map((r) => r.run)));
      // Each line names its programme, as status does (nothing added while default is the only one).
      const prefix = prefixFor(scope);
      process.stdout.write(runs.length ? `${runs.map((r) => prefix(r.p) + runLine(r.run)).join('\n')}\n` : 'no runs yet\n');
    });
  });
}
