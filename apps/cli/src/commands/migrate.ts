import { Option, type Command } from 'commander';
import { loadConfig } from '@reminders/core/config';
import { ensureDatabase } from '@reminders/core/db/database-url';
import { migrate } from '@reminders/core/db/migrator';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('create the database if needed and apply pending migrations (safe to re-run)')
    // Hidden: lets tests run the real command against a copy of the migrations folder.
    .addOption(new Option('--dir <path>', 'migrations folder (default: prisma/migrations)').hideHelp())
    .action(async (opts: { dir?: string }) => {
      const config = loadConfig();
      const created = await ensureDatabase(config.databaseUrl);
      if (created) process.stdout.write('created database\n');
      const result = await migrate(config.databaseUrl, { dir: opts.dir });
      process.stdout.write(
        result.applied.length
          ? `applied ${result.applied.length} migration(s): ${result.applied.join(', ')}\n`
          : `database is up to date (${result.alreadyApplied.length} migration(s) applied before)\n`,
      );
    });
}
