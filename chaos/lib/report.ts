/** Sums iteration results per scenario and renders the table (terminal and docs/reliability.md). */
import os from 'node:os';
import type { IterationResult } from './invariants';

export type ScenarioSummary = {
  scenario: string;
  title: string;
  runs: number;
  expected: number;
  sent: number;
  duplicates: number;
  lost: number;
  nonTerminal: number;
  /** Finished runs whose log counts differ from their dispatch records. */
  countMismatches: number;
  emails: string;
  /** The most e-mails re-sent after one kill / freeze (same Message-ID), of the most that were in doubt. */
  emailWindow: string;
  afterContact: number;
  unexpected: number;
  alerts: string;
  faultHit: string;
  problems: string[];
  seconds: number;
  ok: boolean;
};

export function summarise(title: string, results: IterationResult[]): ScenarioSummary {
  const sum = (f: (r: IterationResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const problems: string[] = [];
  for (const r of results) {
    const at = `#${r.iteration}`;
    for (const v of r.violations) problems.push(`${at}: ${v}`);
    for (const c of r.crashes) problems.push(`${at}: ${c}`);
    if (r.alertsMissing.length) problems.push(`${at}: alerts missing: ${r.alertsMissing.join(', ')}`);
    for (const m of r.countMismatches) problems.push(`${at}: counts differ from the records: ${m}`);
    if (r.alertsUnexpected.length) problems.push(`${at}: unexpected alerts: ${r.alertsUnexpected.join(', ')}`);
    if (!r.faultHit && !r.violations.length) problems.push(`${at}: the fault missed its moment (${r.notes.join('; ')})`);
  }
  const alertProblems = sum((r) => r.alertsMissing.length + r.alertsUnexpected.length);
  const emailsExpected = sum((r) => r.emailsExpected);
  return {
    scenario: results[0]?.scenario ?? '?',
    title,
    runs: results.length,
    expected: sum((r) => r.expected),
    sent: sum((r) => r.sent),
    duplicates: sum((r) => r.duplicates),
    lost: sum((r) => r.lost),
    nonTerminal: sum((r) => r.nonTerminalRuns),
    countMismatches: sum((r) => r.countMismatches.length),
    emailWindow: results.some((r) => r.digest?.kills)
      ? `${Math.max(...results.map((r) => r.digest?.mostPerKill ?? 0))} of ${Math.max(...results.map((r) => r.digest?.perKillBound ?? 0))} (digests)`
      : results.some((r) => r.emailsInDoubt > 0) ? `${Math.max(...results.map((r) => r.emailsResent))} of ${Math.max(...results.map((r) => r.emailsInDoubt))}` : '-',
    emails: emailsExpected
      ? `${sum((r) => r.emailsSent)}/${emailsExpected} (${sum((r) => r.emailDuplicates)}, ${sum((r) => r.emailsLost)}, ${sum((r) => r.emailsResent)})`
      : // Digest delivery: digest messages accepted (duplicates, reminder copies left out, re-sent after a kill).
        results.some((r) => r.digest)
        ? `${sum((r) => r.digest?.messages ?? 0)} digests (${sum((r) => r.digest?.duplicates ?? 0)}, ${sum((r) => r.digest?.leftOut ?? 0)}, ${sum((r) => r.digest?.resent ?? 0)})`
        : '-',
    afterContact: sum((r) => r.afterContact),
    unexpected: sum((r) => r.unexpected),
    alerts: alertProblems ? `${alertProblems} problem(s)` : 'ok',
    faultHit: `${results.filter((r) => r.faultHit).length}/${results.length}`,
    problems,
    seconds: Math.round(sum((r) => r.durationMs) / 100) / 10,
    ok: results.every((r) => r.ok),
  };
}

const HEADERS = ['scenario', 'runs', 'reminders expected', 'sent', 'duplicates', 'lost', 'runs without a terminal status', 'runs whose counts differ from their records', 'e-mails sent (dup, lost, re-sent after a kill)', 'most re-sent after one kill (of in doubt)', 'after contact', 'not due but sent', 'alerts', 'fault landed', 'time (s)', 'result'];

function cells(s: ScenarioSummary): string[] {
  return [s.title, String(s.runs), String(s.expected), String(s.sent), String(s.duplicates), String(s.lost), String(s.nonTerminal), String(s.countMismatches), s.emails, s.emailWindow, String(s.afterContact), String(s.unexpected), s.alerts, s.faultHit, s.seconds.toFixed(1), s.ok ? 'pass' : 'FAIL'];
}

export function terminalTable(rows: ScenarioSummary[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.hostname()}: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export function markdownTable(rows: ScenarioSummary[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${HEADERS.join(' | ')} |`,
    `| ${HEADERS.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}
