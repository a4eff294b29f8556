/**
 * `reminders correct-contact`: the admin correction of last_contact_date, through the same
 * service method as POST /v1/assignments/:id/contact-correction (one audit row, same checks).
 */
import type { Command } from 'commander';
import { CliError, toCliError, usageErrorsExit2 } from '../cli-errors';
import { defaultActor } from '../cli-output';
import { withData } from '../composition';

const INT4_MAX = 2_147_483_647;

export function correctContactCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('correct-contact')
      .description("set an assignment's last_contact_date by hand (audited); prints the next reminder due date")
      .requiredOption('--assignment <id>', 'assignment id')
      .requiredOption('--date <YYYY-MM-DD>', 'the corrected last contact day (not in the future, not before the assignment began)')
      .requiredOption('--reason <text>', 'why; kept in the audit log')
      .option('--actor <name>', 'who is making the correction (default: cli:<os user>)')
      .option('--json', 'print the result as JSON'),
  ).action(async (opts: { assignment: string; date: string; reason: string; actor?: string; json?: boolean }) => {
    if (!/^[1-9]\d{0,9}$/.test(opts.assignment) || Number(opts.assignment) > INT4_MAX) {
      throw new CliError(`--assignment must be a positive whole number, got "${opts.assignment}"`, 2);
    }
    const result = await withData((s) =>
      s.assignments.correctContact({
        assignmentId: Number(opts.assignment),
        date: opts.date,
        reason: opts.reason,
        actor: opts.actor ?? defaultActor(),
      }),
    ).catch((e) => {
      throw toCliError(e);
    });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const { assignment: a, audit } = result;
    const next = a.contact.nextReminder;
    process.stdout.write(
      `corrected assignment ${a.id}: last_contact_date ${audit.before ?? '(none)'} -> ${audit.after} (audit #${audit.id}, by ${audit.actor})\n` +
        (next ? `next reminder: ${next.dueDate} (reminder ${next.sequenceNumber}${next.escalated ? ', coordinator notified' : ''})\n` : `next reminder: none (assignment is ${a.status})\n`),
    );
  });
}
