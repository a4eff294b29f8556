/** Writes docs/reliability.md from a chaos run: what each scenario breaks, the table, the fuzzing. */
import { writeFileSync } from 'node:fs';
import type { FuzzReport } from '../api-fuzz';
import type { Scenario } from '../scenarios/types';
import { machine, markdownTable, type ScenarioSummary } from './report';

const DESCRIPTIONS: Record<string, string> = {
  'sigkill-fanout': 'The worker holding the run is SIGKILLed while it is still adding dispatch jobs (pages of 10).',
  'sigkill-dispatch': 'The worker holding the run is SIGKILLed while reminders are being written and e-mailed; rows it wrote but had not e-mailed yet must still be e-mailed once.',
  'redis-restart': "The scenario's own redis-server is shut down mid-dispatch and started again 1-4 s later (lock TTL 2 s), with the append-only file kept.",
  'redis-crash': "The scenario's own redis-server is SIGKILLed mid-dispatch (its append-only file is fsynced once a second, so up to a second of writes can be lost) and started again 0.2-1 s later.",
  'pg-terminate': "Every backend of the scenario's database is terminated with pg_terminate_backend, three times 300 ms apart, mid-dispatch.",
  'sigstop-holder': 'The lock holder is frozen with SIGSTOP past its lock TTL, another worker runs a sweep with a newer fencing token, then SIGCONT: the frozen run may not write anything after that.',
  'twenty-triggers': 'Twenty manual triggers at once over three worker processes: exactly one run enqueues each due reminder, once.',
  'smtp-down': 'The SMTP server refuses connections for a whole run (every retry fails), then comes back: the next run e-mails each of those reminders once; the failure alert and the recovery alert are raised.',
  'forged-dispatch-jobs':
    "Jobs added straight to the dispatch queue during a real run with e-mail on: payloads claiming authority (idempotencyKey, sequenceNumber 9, escalated, a fencing token) for an assignment reminded and then contacted today and for a queued one, well-formed payloads for assignments the run did not fan out (contacted today, closed) and for a run that does not exist, a claimed payload under the run's own job-id scheme, the re-add of a queued job's id and the removal and re-add of a done one: every forged payload is refused without retry and audited (`dispatch.refused`), no reminder or e-mail comes of any of them.",
  'removed-jobs':
    'Waiting dispatch jobs are removed during the run as Bull Board can (ten one by one, then a clean of up to 25 waiting jobs): the run ends failed within seconds of its last reported job (not after RUN_TIMEOUT_MINUTES) with reminders_lost equal to what was removed, and the recovery run sends them.',
  'stalled-dispatch':
    "A dispatch worker (not the run holder) is frozen with SIGSTOP while it holds active dispatch jobs with an e-mail claimed, past BullMQ's lock duration and stalled-check interval (30 s each: the worker app has no setting to shorten them), until another worker has re-run its jobs; then SIGCONT. The relay takes 100 ms to accept a message, so messages are in flight on the frozen worker. No reminder is written twice; an e-mail is sent twice only if the frozen worker had claimed it (the window below).",
  'pause-mid-run':
    'The sweep is paused (the ops service, as the CLI and the API do) while the run dispatches: the run ends `cancelled` within seconds, no reminder row is created after the pause committed (compared by created_at), and after the resume the recovery run sends the rest.',
  'digest-crash':
    'Digest delivery (the default since issue 16): once the run has ended, every worker assembles and sends the digests (mentors with several due assignments each, coordinators their escalations) through a relay that answers 20-50 ms after the data; a worker with a message in flight is SIGKILLed, twice, and replaced. Every reminder ends in a sent digest that lists exactly the reminders linked to it, none in two; a digest is accepted twice only if a victim had it accepted and unmarked (at most SMTP_MAX_CONNECTIONS, 2, per kill), with the same Message-ID.',
  'activity-during-dispatch': 'Activities are registered (direct, proxy, coordinator proxy, bulk) for twenty assignments whose reminder job is still queued: none of them is reminded after its contact was committed.',
};

/** The one e-mail window the leased outbox leaves open, as measured. */
function emailWindow(summaries: ScenarioSummary[]): string {
  const measured = summaries.filter((s) => s.emailWindow !== '-');
  if (!measured.length) return '';
  return [
    '**The e-mail window, measured.** A message the relay accepted while its sender was killed or',
    'frozen before recording it is sent once more after the lease, with the same Message-ID. Per',
    'iteration (one kill or freeze), the most e-mails re-sent of the most claimed and unconfirmed on',
    `the victim at the fault: ${measured.map((s) => `${s.scenario} ${s.emailWindow}`).join(', ')}. It is bounded by the`,
    "victim's messages in flight (DISPATCH_CONCURRENCY jobs, 2 here); nothing else is ever sent twice.",
  ].join('\n');
}

export function writeReliabilityDoc(
  file: string,
  r: { summaries: ScenarioSummary[]; iterations: number; fuzz: FuzzReport | null; scenarioSeconds: number; scenarios: readonly Scenario[] },
): void {
  const problems = r.summaries.flatMap((s) => s.problems.map((p) => `- ${s.scenario} ${p}`));
  const lines = [
    '# Reliability: fault injection and API fuzzing',
    '',
    '<!-- Generated by `npm run chaos` (chaos/run.ts); edits are overwritten. -->',
    '',
    `Generated ${new Date().toISOString()} on ${machine()}.`,
    `${r.iterations} iteration(s) per scenario, ${r.scenarioSeconds.toFixed(0)} s in all.`,
    '',
    'Each iteration gets a fresh database, its own `redis-server` on a free port of 127.0.0.1, an',
    'alert webhook receiver, and real `reminders serve-worker` processes. After the fault the',
    'operator recovers as the runbook says (the watchdog is ticked; runs are triggered until one',
    'succeeds with nothing left due), every worker is stopped, and the invariants are checked:',
    '',
    '- every reminder due when the iteration began has exactly one reminder row and one in-app',
    '  notification for the mentor (and one for the coordinator when escalated); with SMTP on,',
    '  exactly one e-mail per reminder whose mentor has an address, counted by Message-ID at the',
    '  SMTP server ("duplicates" and "lost" count both). One exception, counted apart as "re-sent',
    '  after a kill": an e-mail whose attempt the killed or frozen worker had claimed (a live lease',
    '  in the outbox) but not confirmed may already have been accepted by the SMTP server; once its',
    '  lease (EMAIL_LEASE_SECONDS, 5 s here) has expired another sender sends it once more with the',
    '  same Message-ID (at-least-once across a crash: the send and its record cannot be one',
    '  transaction; receivers can drop the copy by Message-ID). Any other extra copy is a duplicate',
    '  and fails. The recovery waits for those leases to end: "nothing left due" includes written',
    '  reminders whose e-mail is undelivered;',
    '- nothing is sent for an assignment that was not due, and nothing after contact was committed;',
    '- every execution-log row has a terminal status, and the counts of every finished run are its',
    '  dispatch records (`run_dispatches`): sent, suppressed, skipped, failed and lost each equal to',
    '  the records with that outcome, their sum equal to reminders_enqueued, and every record settled',
    '  sent naming a reminder the run wrote or whose e-mail it delivered, none left unsettled;',
    '- each failure streak raised `consecutive_failures` (threshold 1 here) and the success after',
    '  it `recovered`; a run left `running` by a dead or frozen worker raised `long_run`; all were',
    '  delivered to the webhook, and no failure alert was raised that no failed run called for;',
    '- "fault landed" counts the iterations where the fault hit the moment it aimed at (mid fan-out,',
    '  mid dispatch, ...); an iteration where it did not counts as a failure, not as a pass.',
    '',
    '## Results',
    '',
    markdownTable(r.summaries),
    '',
    emailWindow(r.summaries),
    '',
    problems.length ? '### Problems\n\n' + problems.join('\n') + '\n' : 'No iteration broke a promise.\n',
    '## What it has caught',
    '',
    '- **E-mails lost after an SMTP outage or a crash mid-delivery** (smtp-down: 98 of 98 lost;',
    '  sigkill-dispatch: the rows the killed worker had written but not e-mailed yet). The next run',
    '  skipped those assignments (their reminder row exists) and the old run\'s jobs were fenced. Now',
    '  each run also re-sends, under its own fencing token, the undelivered e-mails of earlier runs',
    '  (the fan-out picks up a written reminder whose e-mail is undelivered and unleased, and the dispatch adopts it).',
    '- **A superseded run reported a failure after the newer run had succeeded** (sigstop-holder): the',
    '  thawed run bumped the failure counter and raised `consecutive_failures`. Its outcome is no longer',
    '  recorded once the newer run has closed its row.',
    '- **A finished run\'s counts drifted from its records** (redis-restart 5 of 5, pg-terminate 3 of 5,',
    '  found by the counts-equal-records invariant): a run that ended before every job had reported',
    '  (lock lost, Postgres connections cut, timed out, closed as abandoned) wrote its counts, then its',
    '  late jobs settled their records as fenced (`skipped 0` in the log against 195 skipped records;',
    '  after a cut connection even `reminders_enqueued 0` against 350 records). Whoever closes a run now',
    '  settles the unreported rest as skipped in the same transaction as the counts, which come from',
    '  the records (tests/integration/run-counts-final.test.ts).',
    '- **`waitForRun` answered "no run" for a finished run** (twenty-triggers): the job was read before',
    '  it completed and its state after. It reads the job again once completed.',
    '',
    '## Scenarios',
    '',
    ...r.scenarios.map((s) => `- **${s.name}** (${s.due} due, workers ${s.workers.join(', ')}${s.smtp ? ', SMTP' : ''}): ${DESCRIPTIONS[s.name] ?? s.title}`),
    '',
    '## API fuzzing',
    '',
    r.fuzz
      ? [
          `${r.fuzz.requests} generated requests (malformed and boundary bodies, headers, path parameters and query strings, with and without valid tokens of every role) against \`app.inject\`, in ${(r.fuzz.durationMs / 1000).toFixed(1)} s: ${r.fuzz.ok ? 'no 5xx, a problem+json body on every 4xx, no generated request accepted, and every table byte-for-byte unchanged.' : '**failed**:'}`,
          ...(r.fuzz.ok ? [] : ['', '```', r.fuzz.failure ?? '', '```']),
          '',
          `Statuses: ${r.fuzz.statusLine}. Seed ${r.fuzz.seed}; replay with \`npm run chaos -- --no-scenarios --fuzz-seed ${r.fuzz.seed}\`.`,
          '',
          'Bull Board (`/admin/queues`) is left out: it is a browser UI that answers 401 with a Basic challenge in text/plain on purpose.',
        ].join('\n')
      : 'Not run (`--fuzz-runs 0`).',
    '',
    '## Running it',
    '',
    '```',
    `npm run chaos                                   # everything, 5 iterations each (this one: ${Math.round(r.scenarioSeconds / 60)} min of scenarios at ${r.iterations} each)`,
    'npm run chaos -- --iterations 1 --only smtp-down # one scenario once',
    'npx jest tests/chaos                            # the fast subset CI runs in npm test',
    '```',
    '',
    'Needs PostgreSQL and Redis as for the tests (`TEST_DATABASE_URL`), and `redis-server` on the PATH.',
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}
