/**
 * `reminders seed --assignments N`: deterministic demo data (see core/seed/seed-demo-data.ts).
 * Bad input exits 2 before anything connects; a database that already has data exits 1
 * unless --reset is given.
 */
import type { Command } from 'commander';
import { loadConfig } from '@reminders/core/config';
import { seedDemoData } from '@reminders/core/seed/seed-demo-data';
import { DEFAULT_DUE_SHARE, MAX_ASSIGNMENTS, parseSeedArgs } from '@reminders/core/seed/seed-options';

type SeedCliOptions = { assignments?: string; dueShare?: string; today?: string; reset?: boolean };

export function seedCommand(program: Command): void {
  program
    .command('seed')
    .description('create deterministic demo data: coordinators, peer mentors, contacts, assignments, activities')
    // Not a commander requiredOption: its error exits 1 and prints the help; usage errors here exit 2 in one line.
    .option('--assignments <n>', `how many assignments (and contacts) to create, 1..${MAX_ASSIGNMENTS} (required)`)
    .option('--due-share <share>', `share of active assignments due today, 0..1 (default ${DEFAULT_DUE_SHARE})`)
    .option('--today <YYYY-MM-DD>', 'the date to seed relative to (default: today in REMINDER_TZ)')
    .option('--reset', 'empty the domain tables first (coordinators, peer mentors, contacts, assignments, activities, reminders, notifications)')
    .action(async (opts: SeedCliOptions) => {
      const args = parseSeedArgs(opts);
      const config = loadConfig();
      const r = await seedDemoData(
        { databaseUrl: config.databaseUrl },
        { ...args, timeZone: config.reminderTz, rules: config.rules, reset: opts.reset === true },
      );
      const { firstAfterDays, repeatEveryDays } = config.rules;
      process.stdout.write(
        `seeded ${r.assignments} assignments (${r.activeAssignments} active), ${r.contacts} contacts, ` +
          `${r.peerMentors} peer mentors, ${r.coordinators} coordinators, ${r.activities} activities; ` +
          `due today ${r.today} (${config.reminderTz}, rules ${firstAfterDays}/${repeatEveryDays} days): ${r.dueToday} ` +
          `(${r.escalatedToday} at escalation); ${(r.elapsedMs / 1000).toFixed(1)} s\n`,
      );
    });
}
