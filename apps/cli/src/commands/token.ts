/**
 * `reminders token create | revoke | list`. A new token is printed once, alone on stdout (so it
 * can be captured by a script); only its sha256 is stored.
 */
import type { Command } from 'commander';
import { ROLES } from '@reminders/core/auth/roles';
import { CliError, toCliError, usageErrorsExit2 } from '../cli-errors';
import { defaultActor } from '../cli-output';
import { withData } from '../composition';
import { parseDuration } from '@reminders/core/domain/duration';

const iso = (d: Date | null) => (d ? d.toISOString() : '-');

export function tokenCommand(program: Command): void {
  const token = usageErrorsExit2(program.command('token').description('create, revoke and list API tokens'));

  usageErrorsExit2(
    token
      .command('create')
      .description('create a token and print it once (only its hash is stored)')
      .requiredOption('--name <name>', 'unique name, e.g. mentor-app (never reused)')
      .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
      .option('--expires-in <duration>', "lifetime such as 12h, 30d, 365d (default: the role's TOKEN_LIFETIME_DAYS_*)"),
  ).action(async (opts: { name: string; role: string; expiresIn?: string }) => {
    if (opts.expiresIn !== undefined && parseDuration(opts.expiresIn) === null) throw new CliError(`--expires-in must be a duration such as 12h, 30d or 365d, got "${opts.expiresIn}"`, 2);
    const { token: value, record } = await withData((s) => s.tokens.create({ name: opts.name, role: opts.role, createdBy: defaultActor(), expiresIn: opts.expiresIn })).catch((e) => {
      throw toCliError(e);
    });
    process.stderr.write(`created token "${record.name}" (role ${record.role}, expires ${iso(record.expiresAt)}); it is shown only now, store it safely:\n`);
    process.stdout.write(`${value}\n`);
  });

  usageErrorsExit2(
    token.command('revoke').description('revoke a token (takes effect on its next request)').requiredOption('--name <name>', 'the token name'),
  ).action(async (opts: { name: string }) => {
    const { record, already } = await withData((s) => s.tokens.revoke(opts.name, defaultActor())).catch((e) => {
      throw toCliError(e);
    });
    process.stdout.write(already ? `token "${record.name}" was already revoked at ${iso(record.revokedAt)}\n` : `revoked token "${record.name}"\n`);
  });

  usageErrorsExit2(token.command('list').description('list tokens (never their values)').option('--json', 'print JSON')).action(
    async (opts: { json?: boolean }) => {
      const tokens = await withData((s) => s.tokens.list());
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
        return;
      }
      if (tokens.length === 0) {
        process.stdout.write('no tokens; create one with `reminders token create --name N --role R`\n');
        return;
      }
      const rows = [['NAME', 'ROLE', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED', 'CREATED BY']];
      for (const t of tokens) rows.push([t.name, t.role, iso(t.createdAt), iso(t.expiresAt), iso(t.lastUsedAt), iso(t.revokedAt), t.createdBy]);
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    },
  );

  token.action(() => {
    throw new CliError('choose a subcommand: create, revoke or list (see `reminders token --help`)', 2);
  });
}

