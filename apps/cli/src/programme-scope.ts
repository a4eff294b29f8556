/**
 * `--programme SLUG` on the operations commands (issue 15). Without it, a command that reads or
 * starts (status, runs, trigger, lock status) acts on every programme; one that changes a
 * sweep's state (pause, resume, lock release) refuses while there is more than one programme,
 * rather than guess. A deployment with only `default` sees every command as before.
 */
import type { Programme } from '@reminders/core/domain/programme';
import { CliError } from './cli-errors';
import type { OpsRoot } from './composition';

export const PROGRAMME_OPTION = ['--programme <slug>', 'the programme (see `npx reminders programme list`); default: every programme, or the only one'] as const;

/** The programme `--programme SLUG` names; an unknown slug exits 2. */
export async function namedProgramme(programmes: Pick<OpsRoot['programmes'], 'bySlug'>, slug: string): Promise<Programme> {
  const p = await programmes.bySlug(slug);
  if (!p) throw new CliError(`no programme "${slug}"; see \`npx reminders programme list\``, 2);
  return p;
}

export async function programmesIn(c: { programmes: Pick<OpsRoot['programmes'], 'bySlug' | 'list'> }, slug: string | undefined, mode: 'every' | 'one'): Promise<{ programmes: Programme[]; named: boolean }> {
  if (slug !== undefined) return { programmes: [await namedProgramme(c.programmes, slug)], named: true };
  const all = await c.programmes.list();
  if (mode === 'one' && all.length > 1) {
    throw new CliError(`there are ${all.length} programmes (${all.map((p) => p.slug).join(', ')}): name one with --programme SLUG`, 2);
  }
  return { programmes: all, named: false };
}

/** "programme nyc: " before a line, unless the answer is about `default` alone, unnamed (as before programmes). */
export const prefixFor = (scope: { programmes: Programme[]; named: boolean }) => (p: Programme) =>
  scope.programmes.length === 1 && !scope.named && p.slug === 'default' ? '' : `programme ${p.slug}: `;
