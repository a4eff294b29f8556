/**
 * `reminders seed --assignments N [--programme SLUG]`: deterministic demo data (see
 * core/seed/seed-demo-data.ts). Bad input exits 2 before anything is written; a database that
 * already has data exits 1 unless --reset is given. With --programme the assignments join that
 * programme (its time zone gives "today", its rules the due share) after whatever other
 * programmes hold; only a programme that already has assignments is refused.
 */
import type { Command } from 'commander';
import { loadConfig } from '@reminders/core/config';
import { withData } from '../composition';
import { namedProgramme } from '../programme-scope';
import { seedDemoData } from '@reminders/core/seed/seed-demo-data';
import { DEFAULT_DUE_SHARE, MAX_ASSIGNMENTS, parseSeedArgs } from '@reminders/core/seed/seed-options';

type SeedCliOptions = { assignments?: string; dueShare?: string; today?: string; reset?: boolean; programme?: string };

export function seedCommand(program: Command): void {
  program
    .command('seed')
    .description('create deterministic demo data: coordinators, peer mentors, contacts, assignments, activities')
    // Not a commander requiredOption: its error exits 1 and prints the help; usage errors here exit 2 in one line.
    .option('--assignments <n>', `how many assignments (and contacts) to create, 1..${MAX_ASSIGNMENTS} (required)`)
    .option('--due-share <share>', `share of active assignments due today, 0..1 (default ${DEFAULT_DUE_SHARE})`)
    .option('--today <YYYY-MM-DD>', 'the date to seed relative to (default: today in REMINDER_TZ)')
    .option('--reset', 'empty the domain tables first (coordinators, peer mentors, contacts, assignments, activities, reminders, notifications)')
    .option('--programme <slug>', "the programme the assignments join, added after the other programmes' data (default: default, into an empty database)")
    .action(async (opts: SeedCliOptions) => {
      const args = parseSeedArgs(opts);
      const config = loadConfig();
      // The programme's own calendar and rules (default's are the environment's until an operator changes them).
      const slug = opts.programme;
      const programme = slug === undefined ? null : await withData((root) => namedProgramme(root.programmeRows, slug), config);
      const timeZone = programme?.timeZone ?? config.reminderTz;
      const rules = programme?.rules ?? config.rules;
      const r = await seedDemoData(
        { databaseUrl: config.databaseUrl },
        { ...args, timeZone, rules, reset: opts.reset === true, ...(programme ? { programme } : {}) },
      );
      process.stdout.write(
        `seeded ${r.assignments} assignments (${r.activeAssignments} active)${programme ? ` in programme ${programme.slug}` : ''}, ${r.contacts} contacts, ` +
          `${r.peerMentors} peer mentors, ${r.coordinators} coordinators, ${r.activities} activities; ` +
          `due today ${r.today} (${timeZone}, rules ${rules.firstAfterDays}/${rules.repeatEveryDays} days): ${r.dueToday} ` +
          `(${r.escalatedToday} at escalation); ${(r.elapsedMs / 1000).toFixed(1)} s\n`,
      );
    });
}
