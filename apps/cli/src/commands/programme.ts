/**
 * `reminders programme create | update | list | show | delete | move`: the same service as
 * /v1/programmes (same checks, one audit row per change, the actor cli:<os user>).
 */
import type { Command } from 'commander';
import { ABSENCE_POLICIES, DELIVERIES, LOCALES, type Programme } from '@reminders/core/domain/programme';
import type { ProgrammeInput } from '@reminders/core/services/programme-input';
import { CliError, toCliError, usageErrorsExit2 } from '../cli-errors';
import { defaultActor, printJson } from '../cli-output';
import { withData, type DataRoot } from '../composition';
import { positiveInt } from './parse';

type SettingOpts = { slug: string; name?: string; tz?: string; sendAt?: string; firstAfterDays?: string; repeatEveryDays?: string; escalateAfter?: string; stopAfter?: string; locale?: string; delivery?: string; absencePolicy?: string };

/** A whole number as typed; its range is the service's to check (one message for the API and the CLI). */
const whole = (option: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^-?\d{1,10}$/.test(v)) throw new CliError(`${option} must be a whole number, got "${v}"`, 2);
  return Number(v);
};

const settings = (o: SettingOpts): ProgrammeInput => ({
  slug: o.slug,
  name: o.name,
  timeZone: o.tz,
  sendAt: o.sendAt,
  firstAfterDays: whole('--first-after-days', o.firstAfterDays),
  repeatEveryDays: whole('--repeat-every-days', o.repeatEveryDays),
  escalateAfter: whole('--escalate-after', o.escalateAfter),
  stopAfter: o.stopAfter === undefined ? undefined : o.stopAfter === 'never' ? null : whole('--stop-after', o.stopAfter),
  defaultLocale: o.locale,
  delivery: o.delivery,
  absencePolicy: o.absencePolicy,
});

const withSettings = (cmd: Command) =>
  cmd
    .option('--name <text>', 'shown to operators (1-200 characters)')
    .option('--tz <zone>', 'IANA time zone, e.g. Europe/Oslo')
    .option('--send-at <HH:MM>', 'local time of the daily sweep')
    .option('--first-after-days <n>', 'days of silence before the first reminder (1-365)')
    .option('--repeat-every-days <n>', 'days between reminders (1-365)')
    .option('--escalate-after <n>', 'from this reminder on the coordinator is told too (1-100)')
    .option('--stop-after <n>', "stop reminding after this many reminders (1-100, not below --escalate-after), or 'never'")
    .option('--locale <code>', `language of messages to people who chose none: ${LOCALES.join(', ')}`)
    .option('--delivery <mode>', `how mentors are e-mailed: ${DELIVERIES.join(' | ')} (digest: one e-mail a day listing every due assignment)`)
    .option('--absence-policy <policy>', `what a mentor's absence does: ${ABSENCE_POLICIES.join(' | ')} (freeze: no reminders, absent days not counted; cover: the coordinator gets them)`);

const run = <T>(fn: (s: DataRoot) => Promise<T>) =>
  withData(fn).catch((e) => {
    throw toCliError(e);
  });

const describe = (p: Programme) =>
  `${p.slug}: "${p.name}", ${p.timeZone} at ${p.sendAt}; first after ${p.rules.firstAfterDays} days, every ${p.rules.repeatEveryDays}, coordinator from reminder ${p.rules.escalateAfter}, ` +
  `${p.stopAfter === null ? 'never stops' : `stops after ${p.stopAfter}`}; locale ${p.defaultLocale}; delivery ${p.delivery}, absence policy ${p.absencePolicy}` +
  `${p.fromEnvironment ? ' (from the environment)' : ''}`;

export function programmeCommand(program: Command): void {
  const cmd = usageErrorsExit2(program.command('programme').description('create, change, list, show and delete programmes; move assignments between them'));

  usageErrorsExit2(
    withSettings(cmd.command('create').description("create a programme (settings left out are the default programme's)").requiredOption('--slug <slug>', 'lower-case letters, digits and hyphens; never changes')),
  ).action(async (o: SettingOpts) => {
    if (o.name === undefined) throw new CliError('--name is required', 2);
    const p = await run((s) => s.programmes.create(settings(o), defaultActor()));
    process.stdout.write(`created programme ${describe(p)}\n`);
  });

  usageErrorsExit2(withSettings(cmd.command('update').description("change a programme's settings (audited)").requiredOption('--slug <slug>', 'the programme'))).action(
    async (o: SettingOpts) => {
      const { slug, ...rest } = settings(o);
      const p = await run((s) => s.programmes.update(slug!, rest, defaultActor()));
      process.stdout.write(`updated programme ${describe(p)}\n`);
    },
  );

  usageErrorsExit2(cmd.command('list').description('list programmes').option('--json', 'print JSON')).action(async (o: { json?: boolean }) => {
    const list = await run((s) => s.programmes.list());
    if (o.json) return printJson(list);
    const rows = [['SLUG', 'NAME', 'TIME ZONE', 'SEND AT', 'FIRST', 'REPEAT', 'ESCALATE', 'STOP', 'LOCALE', 'DELIVERY', 'ABSENCE']];
    for (const p of list) rows.push([p.slug, p.name, p.timeZone, p.sendAt, String(p.rules.firstAfterDays), String(p.rules.repeatEveryDays), String(p.rules.escalateAfter), p.stopAfter === null ? 'never' : String(p.stopAfter), p.defaultLocale, p.delivery, p.absencePolicy]);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  });

  usageErrorsExit2(cmd.command('show').description('a programme and how many assignments and runs belong to it').requiredOption('--slug <slug>', 'the programme').option('--json', 'print JSON')).action(
    async (o: { slug: string; json?: boolean }) => {
      const v = await run((s) => s.programmes.show(o.slug));
      if (o.json) return printJson(v);
      process.stdout.write(`${describe(v)}\n${v.usage.assignments} assignment(s), ${v.usage.runs} run(s)\n`);
    },
  );

  usageErrorsExit2(cmd.command('delete').description('delete a programme no assignment or run belongs to (never default)').requiredOption('--slug <slug>', 'the programme')).action(
    async (o: { slug: string }) => {
      const p = await run((s) => s.programmes.delete(o.slug, defaultActor()));
      process.stdout.write(`deleted programme ${p.slug}\n`);
    },
  );

  usageErrorsExit2(
    cmd
      .command('move')
      .description('move an assignment to another programme (audited)')
      .requiredOption('--assignment <id>', 'assignment id')
      .requiredOption('--to <slug>', 'the programme to move it to')
      .requiredOption('--reason <text>', 'why; kept in the audit log'),
  ).action(async (o: { assignment: string; to: string; reason: string }) => {
    const assignmentId = positiveInt('--assignment', o.assignment);
    const m = await run((s) => s.programmes.moveAssignment({ assignmentId, to: o.to, reason: o.reason, actor: defaultActor() }));
    process.stdout.write(`moved assignment ${m.assignmentId}: programme ${m.from} -> ${m.to} (audit #${m.audit.id}, by ${m.audit.actor})\n`);
  });

  cmd.action(() => {
    throw new CliError('choose a subcommand: create, update, list, show, delete or move (see `reminders programme --help`)', 2);
  });
}
