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
import { formatRun } from './format';

type Opts = { wait?: boolean; timeout: string; dryRun?: boolean; limit: string; confirm?: string; cancel?: string; reason?: string; actor?: string; json?: boolean };

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
      if (o.dryRun) {
        const preview = await c.ops.dryRun({ limit });
        if (o.json) return printJson(preview);
        process.stdout.write(`dry run for ${preview.today}: ${preview.due} reminder(s) due; nothing was sent\n`);
        for (const r of preview.reminders) {
          process.stdout.write(`  assignment ${r.assignmentId}: reminder ${r.sequenceNumber}${r.escalated ? ' (escalated)' : ''}, silent since ${r.anchorDate}, due ${r.dueDate}\n`);
        }
        if (preview.due > preview.shown) process.stdout.write(`  … and ${preview.due - preview.shown} more (--limit)\n`);
        return;
      }
      if (cancelRunId) {
        const run = await c.ops.cancelHeld({ by, runId: cancelRunId, reason: o.reason });
        return o.json ? printJson(run) : process.stdout.write(`run ${cancelRunId} cancelled by ${by}; nothing will be sent for it\n`);
      }
      const { jobId } = await c.ops.trigger({ by, confirmRunId });
      if (!o.wait) {
        return o.json ? printJson({ jobId }) : process.stdout.write(`run queued (job ${jobId}); follow it with \`npx reminders runs\`\n`);
      }
      const run = await c.ops.waitForRun(jobId, timeoutMs);
      if (!run) throw new CliError(`job ${jobId} finished without a run row`, 1);
      if (o.json) printJson(run);
      else process.stdout.write(`${formatRun(run)}\n`);
      if (!['succeeded', 'skipped_locked', 'skipped_disabled', 'awaiting_confirmation'].includes(run.status)) process.exitCode = 1;
    });
  });
}
