/**
 * `reminders absence add | list | cancel`: a mentor's absences through the same service as
 * /v1/peer-mentors/{id}/absences (same checks, one audit row per change, the actor cli:<os user>).
 * Each change prints, for every active assignment of the mentor, when the next reminder now comes.
 */
import type { Command } from 'commander';
import { isIsoDate } from '@reminders/core/domain/calendar';
import type { Absence } from '@reminders/core/repositories/absence-repository';
import type { AbsenceEffect } from '@reminders/core/services/absence-service';
import { CliError, toCliError, usageErrorsExit2 } from '../cli-errors';
import { defaultActor, printJson } from '../cli-output';
import { withData, type DataRoot } from '../composition';
import { positiveInt } from './parse';

const run = <T>(fn: (s: DataRoot) => Promise<T>) =>
  withData(fn).catch((e) => {
    throw toCliError(e);
  });

const date = (option: string, v: string) => {
  if (!isIsoDate(v)) throw new CliError(`${option} must be a calendar date YYYY-MM-DD, got "${v}"`, 2);
  return v;
};

export const absenceLine = (a: Absence) =>
  `absence ${a.id}: mentor ${a.peerMentorId} away ${a.from} to ${a.to}${a.reason ? ` (${a.reason})` : ''}, by ${a.createdBy}` +
  `${a.cancelledAt ? `; cancelled ${a.cancelledAt.toISOString()} by ${a.cancelledBy}` : ''}`;

/** One line per active assignment: its next reminder as it now stands. */
export const effectLines = (effect: AbsenceEffect[]) =>
  effect.map((e) => {
    const n = e.nextReminder;
    const what = n ? `${n.dueDate} (reminder ${n.sequenceNumber}${n.escalated ? ', coordinator notified' : ''}${e.nextReminderTo === 'coordinator' ? ', to the coordinator: mentor away' : ''})` : 'none';
    return `  assignment ${e.assignmentId} (${e.programme}, ${e.absencePolicy}): next reminder ${what}\n`;
  });

export function absenceCommand(program: Command): void {
  const cmd = usageErrorsExit2(program.command('absence').description("register, list and cancel a mentor's absences (reminders frozen or covered meanwhile)"));

  usageErrorsExit2(
    cmd
      .command('add')
      .description('register an absence, both days included (audited); prints the next reminder of each active assignment')
      .requiredOption('--mentor <id>', 'peer mentor id')
      .requiredOption('--from <YYYY-MM-DD>', 'first absent day')
      .requiredOption('--to <YYYY-MM-DD>', 'last absent day (at most 366 days in all, at most 2 years ahead)')
      .option('--reason <text>', 'why (at most 500 characters)')
      .option('--json', 'print JSON'),
  ).action(async (o: { mentor: string; from: string; to: string; reason?: string; json?: boolean }) => {
    const mentorId = positiveInt('--mentor', o.mentor);
    const [from, to] = [date('--from', o.from), date('--to', o.to)];
    const r = await run((s) => s.absences.add({ mentorId, from, to, reason: o.reason ?? null, actor: defaultActor() }));
    if (o.json) return printJson(r);
    process.stdout.write(`registered ${absenceLine(r.absence)}\n${effectLines(r.effect).join('')}`);
  });

  usageErrorsExit2(
    cmd
      .command('list')
      .description("a mentor's absences, earliest first")
      .requiredOption('--mentor <id>', 'peer mentor id')
      .option('--all', 'also the cancelled ones')
      .option('--json', 'print JSON'),
  ).action(async (o: { mentor: string; all?: boolean; json?: boolean }) => {
    const mentorId = positiveInt('--mentor', o.mentor);
    const list = await run((s) => s.absences.list(mentorId, { includeCancelled: o.all === true }));
    if (o.json) return printJson(list);
    if (!list.length) return void process.stdout.write(`mentor ${mentorId} has no absences${o.all ? '' : ' in force (--all shows cancelled ones)'}\n`);
    for (const a of list) process.stdout.write(`${absenceLine(a)}\n`);
  });

  usageErrorsExit2(
    cmd
      .command('cancel')
      .description('cancel an absence (audited; cancelling it again changes nothing)')
      .argument('<id>', 'absence id')
      .option('--json', 'print JSON'),
  ).action(async (id: string, o: { json?: boolean }) => {
    const absenceId = positiveInt('absence id', id);
    const r = await run((s) => s.absences.cancel({ absenceId, actor: defaultActor() }));
    if (o.json) return printJson(r);
    process.stdout.write(`${r.changed ? 'cancelled' : 'already cancelled'} ${absenceLine(r.absence)}\n${effectLines(r.effect).join('')}`);
  });

  cmd.action(() => {
    throw new CliError('choose a subcommand: add, list or cancel (see `reminders absence --help`)', 2);
  });
}
