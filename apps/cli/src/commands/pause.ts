/** `reminders pause` / `reminders resume`: stop and restart the daily sweep (audited). */
import type { Command } from 'commander';
import { CliError, usageErrorsExit2 } from '../cli-errors';
import { defaultActor, printJson } from '../cli-output';
import { withOps } from '../composition';
import { untilTime } from './parse';
import { PROGRAMME_OPTION, prefixFor, programmesIn } from '../programme-scope';

export function pauseCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('pause')
      .description('pause the sweep: scheduled runs are logged as skipped_disabled until resumed')
      .requiredOption('--reason <text>', 'why (shown in status, runs and alerts; kept in the audit log)')
      .option('--until <time>', 'resume automatically: a duration (90m, 2h, 1d) or an ISO time with zone')
      .option('--replace', 'change the pause in force (its reason or end); without it, pausing a paused sweep is refused')
      .option('--actor <name>', 'who is doing this (default: cli:<os user>)')
      .option(...PROGRAMME_OPTION)
      .option('--json', 'print JSON'),
  ).action(async (o: { reason: string; until?: string; replace?: boolean; actor?: string; json?: boolean; programme?: string }) => {
    if (!o.reason.trim()) throw new CliError('--reason must not be empty', 2);
    const until = o.until ? untilTime('--until', o.until, new Date()) : null;
    await withOps(async (c) => {
      const scope = await programmesIn(c, o.programme, 'one');
      const p = scope.programmes[0]!;
      const s = await c.opsFor(p).pause({ by: o.actor ?? defaultActor(), reason: o.reason, until, replace: o.replace });
      if (o.json) return printJson(s);
      process.stdout.write(`${prefixFor(scope)(p)}sweep paused by ${s.pausedBy}: ${s.pauseReason}${s.pausedUntil ? `; resumes automatically at ${s.pausedUntil.toISOString()}` : `; resume with \`npx reminders resume${scope.named ? ` --programme ${p.slug}` : ''}\``}\n`);
    });
  });
}

export function resumeCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('resume')
      .description('resume a paused sweep')
      .option('--actor <name>', 'who is doing this (default: cli:<os user>)')
      .option(...PROGRAMME_OPTION)
      .option('--json', 'print JSON'),
  ).action(async (o: { actor?: string; json?: boolean; programme?: string }) => {
    await withOps(async (c) => {
      const scope = await programmesIn(c, o.programme, 'one');
      const p = scope.programmes[0]!;
      const s = await c.opsFor(p).resume({ by: o.actor ?? defaultActor() });
      if (o.json) return printJson(s);
      process.stdout.write(`${prefixFor(scope)(p)}sweep resumed; the next scheduled run will send reminders\n`);
    });
  });
}
