/**
 * `npm run chaos`: every fault-injection scenario, several times each, against real worker
 * processes, a Redis server of its own, Postgres and an SMTP server; then the invariants, a table
 * on the terminal and the same table in docs/reliability.md (regenerated, never edited by hand);
 * then the property-based fuzzing of the HTTP API.
 *
 *   npm run chaos                                  # full suite: 5 iterations, 5000 fuzz requests
 *   npm run chaos -- --iterations 1 --only smtp-down,sigstop-holder --no-write
 *   npm run chaos -- --fuzz-runs 0                 # scenarios only
 *   npm run chaos -- --no-scenarios --fuzz-seed 123   # replay the fuzzing of a failed run by its seed
 *
 * Exits 1 when any scenario breaks a promise or the fuzzing finds a failure.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runApiFuzz, type FuzzReport } from './api-fuzz';
import { runIteration } from './lib/iterate';
import type { IterationResult } from './lib/invariants';
import { summarise, terminalTable, type ScenarioSummary } from './lib/report';
import { writeReliabilityDoc } from './lib/reliability-doc';
import { SCENARIOS } from './scenarios';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '5' },
    only: { type: 'string' },
    'fuzz-runs': { type: 'string', default: '5000' },
    'fuzz-seed': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    'no-scenarios': { type: 'boolean', default: false },
    out: { type: 'string', default: path.resolve(__dirname, '../docs/reliability.md') },
  },
});

function positiveInt(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number >= ${min}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const iterations = positiveInt('iterations', values.iterations, 1);
  const fuzzRuns = positiveInt('fuzz-runs', values['fuzz-runs'], 0);
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
  if (unknown.length) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`);
    process.exit(2);
  }
  const chosen = values['no-scenarios'] ? [] : SCENARIOS.filter((s) => !only || only.includes(s.name));
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-logs-'));
  const began = Date.now();
  const summaries: ScenarioSummary[] = [];

  for (const s of chosen) {
    const results: IterationResult[] = [];
    for (let i = 1; i <= iterations; i++) {
      const r = await runIteration(s, i, { logDir });
      results.push(r);
      const flag = r.ok ? 'ok  ' : 'FAIL';
      process.stdout.write(
        `${flag} ${s.name} #${i}  expected ${r.expected} sent ${r.sent} dup ${r.duplicates} lost ${r.lost} running ${r.nonTerminalRuns}` +
          `${r.emailsExpected ? ` e-mails ${r.emailsSent}/${r.emailsExpected} dup ${r.emailDuplicates}${r.emailsInDoubt ? ` re-sent ${r.emailsResent} of ${r.emailsInDoubt} in doubt` : ''}` : ''}` +
          `${r.digest ? ` digests ${r.digest.mentorDigests}+${r.digest.coordinatorDigests} listing ${r.digest.items}, messages ${r.digest.messages} dup ${r.digest.duplicates} re-sent ${r.digest.resent} (bound ${r.digest.bound}) left out ${r.digest.leftOut} kills ${r.digest.kills} (${r.digest.midSendKills} mid-send)` : ''}  ${(r.durationMs / 1000).toFixed(1)} s` +
          `${r.notes.length ? `  [${r.notes.join('; ')}]` : ''}\n`,
      );
      if (!r.ok) {
        for (const p of [...r.violations, ...r.crashes, ...r.countMismatches.map((m) => `counts differ from the records: ${m}`), ...r.alertsMissing.map((a) => `alert missing: ${a}`), ...r.alertsUnexpected.map((a) => `unexpected alert: ${a}`)]) process.stdout.write(`       ${p}\n`);
        if (r.logs) process.stdout.write(`       worker logs: ${r.logs}\n`);
      }
    }
    summaries.push(summarise(s.title, results));
  }
  const scenarioSeconds = (Date.now() - began) / 1000;

  let fuzz: FuzzReport | null = null;
  if (fuzzRuns > 0) {
    process.stdout.write(`\nAPI fuzzing: ${fuzzRuns} generated requests...\n`);
    fuzz = await runApiFuzz({ numRuns: fuzzRuns, seed: values['fuzz-seed'] === undefined ? undefined : positiveInt('fuzz-seed', values['fuzz-seed'], 0) });
    process.stdout.write(`${fuzz.ok ? 'ok  ' : 'FAIL'} ${fuzz.requests} requests in ${(fuzz.durationMs / 1000).toFixed(1)} s; statuses ${fuzz.statusLine}${fuzz.failure ? `\n       ${fuzz.failure}` : ''}\n`);
  }

  if (summaries.length) {
    process.stdout.write(`\n${terminalTable(summaries)}\n`);
    for (const s of summaries) for (const p of s.problems) process.stdout.write(`  ${s.scenario} ${p}\n`);
    process.stdout.write(`\nscenarios: ${scenarioSeconds.toFixed(0)} s; worker logs of failed iterations under ${logDir}\n`);
  }
  // The document holds the whole table: a run of the fuzzing alone does not overwrite it.
  if (!values['no-write'] && chosen.length > 0) {
    writeReliabilityDoc(values.out!, { summaries, iterations, fuzz, scenarioSeconds, scenarios: chosen });
    process.stdout.write(`written ${path.relative(process.cwd(), values.out!)}\n`);
  }
  const ok = summaries.every((s) => s.ok) && (fuzz?.ok ?? true);
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
