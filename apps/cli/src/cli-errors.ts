/**
 * Exit codes for the commands: 2 for bad input (usage, malformed values), 1 for a refusal or a
 * missing record, each with one line on stderr. main.ts prints `error: <message>` and exits.
 */
import { Command, CommanderError } from 'commander';
import { isAppError } from '@reminders/core/errors';

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Service refusals to exit codes: invalid input 2, everything else (not found, refused) 1. */
export function toCliError(err: unknown): unknown {
  if (isAppError(err)) return new CliError(err.message, err.kind === 'invalid' ? 2 : 1);
  return err;
}

/** Commander's own usage errors (missing or unknown options) exit 2 with its one line, no help dump. */
export function usageErrorsExit2(cmd: Command): Command {
  return cmd.showHelpAfterError(false).exitOverride((err) => {
    throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
  });
}
