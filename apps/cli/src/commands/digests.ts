/**
 * `reminders digests [list] | retry | cancel`: the digest outbox (issue 16) through the same
 * service as GET /v1/digests and POST /v1/digests/retry | cancel. Postgres only. After a relay
 * outage longer than EMAIL_MAX_ATTEMPTS retries, `retry` sends the failed digests once each (same
 * Message-ID) and `cancel` gives them up (their reminders stay in-app); each is audited.
 */
import type { Command } from 'commander';
import { isIsoDate } from '@reminders/core/domain/calendar';
import type { DigestRow } from '@reminders/core/repositories/digest-repository';
import { DIGEST_LIST_MAX, DIGEST_STATUSES, type DigestResolution, type DigestScope } from '@reminders/core/services/digest-admin';
import { CliError, toCliError, usageErrorsExit2 } from '../cli-errors';
import { defaultActor, printJson } from '../cli-output';
import { withData, type DataRoot } from '../composition';
import { positiveInt } from './parse';

type ScopeOpts = { date?: string; programme?: string; json?: boolean };

const run = <T>(fn: (s: DataRoot) => Promise<T>) =>
  withData(fn).catch((e) => {
    throw toCliError(e);
  });

function scopeOf(o: ScopeOpts): DigestScope {
  if (o.date !== undefined && !isIsoDate(o.date)) throw new CliError(`--date must be a calendar date YYYY-MM-DD, got "${o.date}"`, 2);
  return { ...(o.date !== undefined ? { date: o.date } : {}), ...(o.programme !== undefined ? { programme: o.programme } : {}) };
}

const when = (d: Date | null) => (d ? d.toISOString() : '-');

export function formatDigests(rows: DigestRow[]): string {
  if (!rows.length) return 'no digests\n';
  const table = [['KEY', 'KIND', 'STATUS', 'PROGRAMME', 'DAY', 'TO', 'REMINDERS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR']];
  for (const r of rows) {
    const status = r.leaseOwner ? `${r.status} (sending: ${r.leaseOwner})` : r.status;
    table.push([r.key, r.kind, status, r.programme, r.localDate, r.recipient, String(r.reminders), String(r.attempts), r.status === 'pending' ? when(r.nextAttemptAt) : '-', r.lastError?.slice(0, 80) ?? '-']);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

const resolutionLine = (r: DigestResolution, o: ScopeOpts) => {
  const scope = `${o.programme ? ` in programme ${o.programme}` : ''}${o.date ? ` for ${o.date}` : ''}`;
  if (r.changed === 0) return `no failed digests${scope}: nothing changed\n`;
  const done = r.action === 'retry' ? 'set pending again (sent on the next programme tick)' : 'cancelled (their reminders stay in-app)';
  return `${r.changed} failed digest(s)${scope} ${done}; audit ${r.auditId}\n${r.keys.map((k) => `  ${k}\n`).join('')}`;
};

export function digestsCommand(program: Command): void {
  const cmd = usageErrorsExit2(program.command('digests').description('the digest outbox: list it; retry or cancel the digests that failed every attempt'));

  usageErrorsExit2(
    cmd
      .command('list', { isDefault: true })
      .description('digests, newest first (ids of recipients, not addresses)')
      .option('--status <status>', `only this status: ${DIGEST_STATUSES.join(', ')}`)
      .option('--date <YYYY-MM-DD>', 'only the digests for this local day')
      .option('--programme <slug>', 'only this programme')
      .option('--limit <n>', `at most this many (1 to ${DIGEST_LIST_MAX})`, '50')
      .option('--json', 'print JSON'),
  ).action(async (o: ScopeOpts & { status?: string; limit: string }) => {
    if (o.status !== undefined && !DIGEST_STATUSES.includes(o.status as never)) throw new CliError(`--status must be one of ${DIGEST_STATUSES.join(', ')}, got "${o.status}"`, 2);
    const limit = positiveInt('--limit', o.limit, DIGEST_LIST_MAX);
    const rows = await run((s) => s.digests.list({ ...scopeOf(o), ...(o.status ? { status: o.status } : {}), limit }));
    if (o.json) return printJson(rows);
    process.stdout.write(formatDigests(rows));
  });

  for (const action of ['retry', 'cancel'] as const) {
    usageErrorsExit2(
      cmd
        .command(action)
        .description(action === 'retry' ? 'send the failed digests again, with a fresh EMAIL_MAX_ATTEMPTS (audited)' : 'give the failed digests up: their reminders stay in-app only (audited)')
        .option('--date <YYYY-MM-DD>', 'only the digests for this local day')
        .option('--programme <slug>', 'only this programme')
        .option('--reason <text>', 'why, for the audit log')
        .option('--json', 'print JSON'),
    ).action(async (o: ScopeOpts & { reason?: string }) => {
      const scope = scopeOf(o);
      const r = await run((s) => s.digests[action]({ ...scope, actor: defaultActor(), reason: o.reason ?? null }));
      if (o.json) return printJson(r);
      process.stdout.write(resolutionLine(r, o));
    });
  }
}
