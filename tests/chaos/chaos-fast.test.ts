/**
 * The fast subset of `npm run chaos` (chaos/): the scenarios marked `fast`, once each, against
 * real worker processes, a redis-server of their own and Postgres. Each must keep every promise:
 * no duplicate, nothing lost, every run row terminal, the alerts raised. The full suite (every
 * scenario, five times, with the table in docs/reliability.md) is `npm run chaos`.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runIteration } from '../../chaos/lib/iterate';
import { SCENARIOS } from '../../chaos/scenarios';

const logDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-fast-'));

describe('fault injection (fast subset of npm run chaos)', () => {
  it.each(SCENARIOS.filter((s) => s.fast).map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const r = await runIteration(scenario, 1, { logDir, timeoutMs: 100_000 });
    const problems = [
      ...r.violations,
      ...r.crashes,
      ...r.countMismatches.map((m) => `counts differ from the records: ${m}`),
      ...r.alertsMissing.map((a) => `alert missing: ${a}`),
      ...r.alertsUnexpected.map((a) => `unexpected alert: ${a}`),
      ...(r.faultHit ? [] : [`the fault missed its moment: ${r.notes.join('; ')}`]),
      ...(r.logs ? [`worker logs: ${r.logs}`] : []),
    ];
    expect({ duplicates: r.duplicates, lost: r.lost, unexpected: r.unexpected, afterContact: r.afterContact, emailDuplicates: r.emailDuplicates, emailsLost: r.emailsLost, nonTerminalRuns: r.nonTerminalRuns, problems }).toEqual({
      duplicates: 0,
      lost: 0,
      unexpected: 0,
      afterContact: 0,
      emailDuplicates: 0,
      emailsLost: 0,
      nonTerminalRuns: 0,
      problems: [],
    });
    expect(r.sent).toBe(r.expected);
  }, 120_000);
});
