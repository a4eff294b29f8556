/**
 * `reminders snooze --assignment ID --until DATE` and `reminders snooze clear --assignment ID`:
 * the same service as PUT / DELETE /v1/assignments/{id}/snooze (same checks, audited with the
 * actor cli:<os user>); prints the next reminder as it now stands.
 */
import type { Command } from 'commander';
import { isIsoDate } from '@reminders/core/domain/calendar';
import type { SnoozeResult } from '@reminders/core/services/snooze-service';
import { CliError, toCliError, usageErrorsExit2 } from '../cli-errors';
import { defaultActor, printJson } from '../cli-output';
import { withData, type DataRoot } from '../composition';
import { positiveInt } from './parse';

type SnoozeOpts = { assignment?: string; until?: string; reason?: string; json?: boolean };

const run = <T>(fn: (s: DataRoot) => Promise<T>) =>
  withData(fn).catch((e) => {
    throw toCliError(e);
  });

const nextLine = (r: SnoozeResult) => {
  const n = r.contact.nextReminder;
  return n ? `next reminder: ${n.dueDate} (reminder ${n.sequenceNumber}${n.escalated ? ', coordinator notified' : ''}${r.contact.nextReminderTo === 'coordinator' ? ', to the coordinator: mentor away' : ''})\n` : `next reminder: none (assignment is ${r.contact.status})\n`;
};

const assignmentOf = (o: SnoozeOpts) => {
  if (o.assignment === undefined) throw new CliError("required option '--assignment <id>' not specified", 2);
  return positiveInt('--assignment', o.assignment);
};

export function snoozeCommand(program: Command): void {
  // The options live on `snooze` itself, so `snooze clear --assignment ID` reads them from here too.
  const cmd = usageErrorsExit2(
    program
      .command('snooze')
      .description("leave an assignment out of reminders through a day (audited); `snooze clear` ends it")
      .option('--assignment <id>', 'assignment id')
      .option('--until <YYYY-MM-DD>', "last day without reminders: today or later in the programme's time zone, at most 366 days ahead")
      .option('--reason <text>', 'why (at most 500 characters)')
      .option('--json', 'print JSON'),
  ).action(async (o: SnoozeOpts) => {
    const assignmentId = assignmentOf(o);
    if (o.until === undefined) throw new CliError("required option '--until <YYYY-MM-DD>' not specified", 2);
    if (!isIsoDate(o.until)) throw new CliError(`--until must be a calendar date YYYY-MM-DD, got "${o.until}"`, 2);
    const until = o.until;
    const r = await run((s) => s.snoozes.snooze({ assignmentId, until, reason: o.reason ?? null, actor: defaultActor() }));
    if (o.json) return printJson(r);
    process.stdout.write(`snoozed assignment ${assignmentId} through ${r.snooze.until}${r.snooze.reason ? ` (${r.snooze.reason})` : ''} (audit #${r.auditId})\n${nextLine(r)}`);
  });

  usageErrorsExit2(cmd.command('clear').description("end an assignment's snooze (--assignment ID; audited; clearing none changes nothing)")).action(async (_o: unknown, sub: Command) => {
    const o = sub.optsWithGlobals<SnoozeOpts>();
    const assignmentId = assignmentOf(o);
    if (o.until !== undefined || o.reason !== undefined) throw new CliError('snooze clear takes only --assignment (and --json)', 2);
    const r = await run((s) => s.snoozes.clear({ assignmentId, actor: defaultActor() }));
    if (o.json) return printJson(r);
    process.stdout.write(`${r.changed ? `cleared the snooze of assignment ${assignmentId} (was through ${r.before.until}; audit #${r.auditId})` : `assignment ${assignmentId} was not snoozed; nothing changed`}\n${nextLine(r)}`);
  });
}
