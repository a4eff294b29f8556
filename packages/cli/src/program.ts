/** Builds the command tree; separate from main.ts so tests can parse command lines without running them. */
import { Command } from 'commander';
import { migrateCommand } from './commands/migrate';
import { seedCommand } from './commands/seed';
import { startCommand, serveApiCommand, serveWorkerCommand } from './commands/start';

export function registerCommands(program: Command): Command {
  program
    .name('reminders')
    .description('Follow-up reminders service: operations CLI')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) });
  for (const add of [migrateCommand, seedCommand, startCommand, serveApiCommand, serveWorkerCommand]) add(program);
  return program;
}
