/**
 * `reminders stats`: whether reminders work in a programme (issue 16), the same service and
 * figures as GET /v1/programmes/{slug}/stats (definitions in effectiveness-repository.ts).
 * Postgres only. Without --programme it takes `default` while that is the only programme.
 */
import type { Command } from 'commander';
import type { EffectivenessStats } from '@reminders/core/services/effectiveness-service';
import { toJson } from '@reminders/core/json-case';
import { CliError, toCliError, usageErrorsExit2 } from '../cli-errors';
import { printJson } from '../cli-output';
import { withData } from '../composition';
import { programmesIn } from '../programme-scope';

type StatsOpts = { programme?: string; from?: string; to?: string; silentAfter?: string; json?: boolean };

/** A whole number as typed; its range is the service's to check (one message for the API and the CLI). */
const whole = (option: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^-?\d{1,10}$/.test(v)) throw new CliError(`${option} must be a whole number, got "${v}"`, 2);
  return Number(v);
};

const orDash = (v: number | null, render: (n: number) => string = String) => (v === null ? '-' : render(v));

export function formatStats(s: EffectivenessStats): string {
  const judged = s.reminders - s.pending;
  const lines = [
    `programme ${s.programme} (${s.timeZone}), ${s.from}..${s.to} (${s.days} days)`,
    `reminders: ${s.reminders} (${s.escalated} escalated)`,
    `followed by contact within 7 days: ${s.followed} of ${judged} (${orDash(s.share, (x) => `${(x * 100).toFixed(1)}%`)}); ${s.pending} pending`,
    `median days to contact: ${orDash(s.medianDaysToContact)} (over ${s.contacted} reminders with a later contact)`,
    `reminders until contact: ${orDash(s.remindersUntilContact.mean)} per silence (${s.remindersUntilContact.episodes} silences ended with contact)`,
    `silent after ${s.silentAfter} reminders or more: ${s.focusTotal} assignment(s)${s.focusTotal > s.focus.length ? `, the first ${s.focus.length} listed` : ''}`,
  ];
  if (s.focus.length) {
    const rows = [['ASSIGNMENT', 'MENTOR', 'CONTACT', 'REMINDERS', 'SILENT SINCE', 'LAST REMINDER']];
    for (const f of s.focus) {
      rows.push([String(f.assignmentId), `${f.peerMentor.id} ${f.peerMentor.firstName ?? ''}`.trim(), f.contactFirstName ?? '-', String(f.reminders), f.silentSince, f.lastReminderOn]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) lines.push(`  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}`);
  }
  return `${lines.join('\n')}\n`;
}

export function statsCommand(program: Command): void {
  usageErrorsExit2(
    program
      .command('stats')
      .description('whether reminders work: contact within 7 days, median days to contact, reminders until contact, and the assignments still silent (the focus list)')
      .option('--programme <slug>', 'the programme (see `npx reminders programme list`); default: the only one')
      .option('--from <YYYY-MM-DD>', "first local day of the period (default: 27 days before --to)")
      .option('--to <YYYY-MM-DD>', "last local day of the period, included (default: today in the programme's time zone)")
      .option('--silent-after <n>', "list assignments whose current silence has at least this many reminders (default: the programme's escalate_after)")
      .option('--json', 'print JSON (as GET /v1/programmes/{slug}/stats)'),
  ).action(async (o: StatsOpts) => {
    const silentAfter = whole('--silent-after', o.silentAfter);
    const stats = await withData(async (s) => {
      const { programmes } = await programmesIn({ programmes: s.programmeRows }, o.programme, 'one');
      return s.effectiveness.forProgramme(programmes[0]!, { from: o.from, to: o.to, silentAfter });
    }).catch((e) => {
      throw toCliError(e);
    });
    if (o.json) return printJson(toJson(stats));
    process.stdout.write(formatStats(stats));
  });
}
