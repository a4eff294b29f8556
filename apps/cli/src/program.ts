/** Builds the command tree; separate from main.ts so tests can parse command lines without running them. */
import { Command } from 'commander';
import { migrateCommand } from './commands/migrate';
import { seedCommand } from './commands/seed';
import { startCommand, serveApiCommand, serveWorkerCommand } from './commands/start';
import { tokenCommand } from './commands/token';
import { correctContactCommand } from './commands/correct-contact';
import { programmeCommand } from './commands/programme';
import { absenceCommand } from './commands/absence';
import { snoozeCommand } from './commands/snooze';
import { triggerCommand } from './commands/trigger';
import { pauseCommand, resumeCommand } from './commands/pause';
import { statusCommand, runsCommand } from './commands/status';
import { lockCommand } from './commands/lock';
import { statsCommand } from './commands/stats';
import { digestsCommand } from './commands/digests';

export function registerCommands(program: Command): Command {
  program
    .name('reminders')
    .description('Follow-up reminders service: operations CLI')
    // An unknown command is one line and exit 2, like every usage error (no help dump).
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(str) });
  for (const add of [migrateCommand, seedCommand, startCommand, serveApiCommand, serveWorkerCommand]) add(program);
  for (const add of [tokenCommand, correctContactCommand, programmeCommand, absenceCommand, snoozeCommand]) add(program);
  for (const add of [triggerCommand, pauseCommand, resumeCommand, statusCommand, runsCommand, lockCommand, statsCommand, digestsCommand]) add(program);
  return program;
}
