/** `reminders`: the operations CLI. Each command lives in its own file under commands/. */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '@reminders/core/config';
import { registerCommands } from './program';

const program = new Command();
registerCommands(program);
program.exitOverride();

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // An unknown command is a usage error like an unknown option: exit 2, as the runbook says.
    process.exit(err.code === 'commander.unknownCommand' ? 2 : err.exitCode);
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${err instanceof ConfigError ? '' : 'error: '}${message}\n`);
  process.exit((err as { exitCode?: number }).exitCode ?? 1);
});
