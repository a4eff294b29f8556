/**
 * `reminders trigger`: start a run now (the running worker picks it up), optionally wait for its
 * final execution-log row; `--dry-run` lists who would be reminded; `--confirm` / `--cancel`
 * resolve a run held by the blast-radius guard.
 */
import type { Command } from 'commander';
import { CliError, usageErrorsExit2 } from '../cli-errors';
import { defaultActor, printJson } from '../cli-output';
import { withOps } from '../composition';
import { positiveInt } from './parse';
import { PROGRAMME_OPTION, prefixFor, programmesIn } from '../programme-scope';
import { formatRun } from './format';

type Opts = { wait?: boolean; timeout: string; dryRun?: boolean; limit: string; confirm?: string; cancel?: string; reason?: string; actor?: string; json?: boolean; programme?: string };

export function triggerCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('trigger')
      .description('run the reminder sweep now (or preview it with --dry-run)')
      .option('--wait', 'wait for the run to finish and print its execution-log row')
      .option('--timeout <seconds>', 'how long --wait waits', '600')
      .option('--dry-run', 'list who would be reminded now; sends and writes nothing')
      .option('--limit <n>', 'with --dry-run: how many due reminders to list', '50')
      .option('--confirm <run>', 'let a run held by the blast-radius guard go ahead')
      .option('--cancel <run>', 'cancel a run held by the blast-radius guard')
      .option('--reason <text>', 'with --cancel: why (kept in the audit log)')
      .option('--actor <name>', 'who is doing this (default: cli:<os user>)')
      .option(...PROGRAMME_OPTION)
      .option('--json', 'print JSON'),
  ).action(async (o: Opts) => {
    const modes = [o.dryRun, o.confirm, o.cancel].filter(Boolean).length;
    if (modes > 1) throw new CliError('use only one of --dry-run, --confirm, --cancel', 2);
    const timeoutMs = positiveInt('--timeout', o.timeout, 86_400) * 1000;
    const limit = positiveInt('--limit', o.limit, 10_000);
    const confirmRunId = o.confirm ? positiveInt('--confirm', o.confirm) : undefined;
    const cancelRunId = o.cancel ? positiveInt('--cancel', o.cancel) : undefined;
    const by = o.actor ?? defaultActor();
    await withOps(async (c) => {
      // A held run belongs to one programme: --confirm / --cancel act on that one.
      if (cancelRunId || confirmRunId) {
        const runId = (cancelRunId ?? confirmRunId)!;
        const owner = await c.programmeOfRun(runId);
        if (o.programme !== undefined && owner && owner.slug !== o.programme) throw new CliError(`run ${runId} belongs to programme ${owner.slug}, not ${o.programme}`, 2);
        const ops = owner ? c.opsFor(owner) : c.ops;
        if (cancelRunId) {
          const run = await ops.cancelHeld({ by, runId: cancelRunId, reason: o.reason });
          return o.json ? printJson(run) : process.stdout.write(`run ${cancelRunId} cancelled by ${by}; nothing will be sent for it\n`);
        }
        return triggered([{ prefix: '', ops, ...(await ops.trigger({ by, confirmRunId })) }]);
      }
      const scope = await programmesIn(c, o.programme, 'every');
      const prefix = prefixFor(scope);
      if (o.dryRun) {
        const previews = [];
        for (const p of scope.programmes) previews.push({ programme: p.slug, ...(await c.opsFor(p).dryRun({ limit })) });
        if (o.json) return printJson(previews.length === 1 && !scope.named ? (({ programme: _p, ...rest }) => rest)(previews[0]!) : previews);
        for (const [i, preview] of previews.entries()) {
          process.stdout.write(`${prefix(scope.programmes[i]!)}dry run for ${preview.today}: ${preview.due} reminder(s) due; nothing was sent\n`);
          for (const r of preview.reminders) {
            process.stdout.write(`  assignment ${r.assignmentId}: reminder ${r.sequenceNumber}${r.escalated ? ' (escalated)' : ''}, silent since ${r.anchorDate}, due ${r.dueDate}\n`);
          }
          if (preview.due > preview.shown) process.stdout.write(`  … and ${preview.due - preview.shown} more (--limit)\n`);
        }
        return;
      }
      const started = [];
      for (const p of scope.programmes) started.push({ prefix: prefix(p), ops: c.opsFor(p), ...(await c.opsFor(p).trigger({ by })) });
      return triggered(started);

      async function triggered(jobs: { prefix: string; ops: typeof c.ops; jobId: string }[]) {
        if (!o.wait) {
          if (o.json) return printJson(jobs.length === 1 ? { jobId: jobs[0]!.jobId } : jobs.map((j) => ({ jobId: j.jobId })));
          for (const j of jobs) process.stdout.write(`${j.prefix}run queued (job ${j.jobId}); follow it with \`npx reminders runs\`\n`);
          return;
        }
        const runs = [];
        for (const j of jobs) {
          const run = await j.ops.waitForRun(j.jobId, timeoutMs);
          if (!run) throw new CliError(`job ${j.jobId} finished without a run row`, 1);
          runs.push(run);
          if (!o.json) process.stdout.write(`${j.prefix}${formatRun(run)}\n`);
          if (!['succeeded', 'skipped_locked', 'skipped_disabled', 'awaiting_confirmation'].includes(run.status)) process.exitCode = 1;
        }
        if (o.json) printJson(runs.length === 1 ? runs[0] : runs);
      }
    });
  });
}
