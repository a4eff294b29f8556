/**
 * The promises checked after every iteration, once the system has recovered and every worker
 * has stopped:
 *  - every reminder due when the scenario began has exactly one reminder row, one in-app
 *    notification for the mentor (and one for the coordinator when escalated), and, where the
 *    mentor has an address and SMTP is configured, exactly one e-mail (counted by Message-ID at
 *    the SMTP server);
 *  - no reminder for anything that was not due, and none written after contact was registered;
 *  - every execution-log row has a terminal status, and every finished run's counts are its
 *    dispatch records (run_dispatches): each outcome's count, their sum = reminders_enqueued, and
 *    reminders_sent = the records settled sent, each naming a reminder this run wrote or whose
 *    e-mail it delivered;
 *  - the alerts the incident called for were raised and delivered to the webhook.
 */
import type { World } from './world';
import { checkDigests, type DigestFigures } from './digest-invariants';
import { expectedReminders } from './seed';

export type IterationResult = {
  scenario: string;
  iteration: number;
  expected: number;
  sent: number;
  duplicates: number;
  lost: number;
  /** Reminders for assignments that were not due (or not active). */
  unexpected: number;
  /** Reminders written after contact on the assignment had been registered. */
  afterContact: number;
  emailsExpected: number;
  emailsSent: number;
  emailDuplicates: number;
  emailsLost: number;
  /** E-mails in flight on a killed worker that were sent once more (same Message-ID): at-least-once. */
  emailsResent: number;
  /** E-mails claimed and unconfirmed on the killed or frozen worker(s) at the fault: the most that may be re-sent. */
  emailsInDoubt: number;
  /** Finished runs whose execution-log counts differ from their dispatch records. */
  countMismatches: string[];
  /** Digest delivery (digest-invariants.ts), when the programme sends digests and SMTP is on. */
  digest?: DigestFigures;
  runs: number;
  nonTerminalRuns: number;
  alertsMissing: string[];
  alertsUnexpected: string[];
  crashes: string[];
  /** Scenario-specific promises that were broken. */
  violations: string[];
  faultHit: boolean;
  notes: string[];
  durationMs: number;
  ok: boolean;
};

type ReminderRow = { key: string; assignment_id: number; created_at: Date; mentor_notes: number; coordinator_notes: number; email_status: string; pref: string | null };

/** Alerts the run history calls for: one per failure streak, a recovery after it, a long_run per stale run. */
function alertsCalledFor(runs: { id: number; status: string }[], staleAtRecovery: number[]): string[] {
  const out: string[] = [];
  let streakStart: number | null = null;
  for (const r of runs) {
    if (r.status === 'failed' || r.status === 'timed_out') {
      if (streakStart === null) {
        streakStart = r.id;
        out.push(`consecutive_failures:streak-from-run-${r.id}`);
      }
    } else if (r.status === 'succeeded' && streakStart !== null) {
      out.push(`recovered:streak-from-run-${streakStart}`);
      streakStart = null;
    }
  }
  for (const id of staleAtRecovery) out.push(`long_run:run-${id}`);
  return out;
}

type RunTally = {
  id: number; status: string; enqueued: number; sent: number; suppressed: number; skipped: number; failed: number; lost: number;
  r_total: number; r_unsettled: number; r_sent: number; r_suppressed: number; r_skipped: number; r_failed: number; r_lost: number;
  r_sent_backed: number;
};

/**
 * The execution log against the dispatch records. Whoever closes a run (itself, a newer run, an
 * operator's lock release) settles what is left of its record in the same transaction as the
 * counts, and a settled record never changes: for every finished run they must be equal.
 */
async function countMismatches(w: World): Promise<string[]> {
  const rows = await w.prisma.$queryRaw<RunTally[]>`
    SELECT l.id, l.status::text AS status, l.reminders_enqueued AS enqueued, l.reminders_sent AS sent, l.reminders_suppressed AS suppressed,
           l.reminders_skipped AS skipped, l.reminders_failed AS failed, l.reminders_lost AS lost,
           count(d.assignment_id)::int AS r_total,
           count(*) FILTER (WHERE d.assignment_id IS NOT NULL AND d.outcome IS NULL)::int AS r_unsettled,
           count(*) FILTER (WHERE d.outcome = 'sent')::int AS r_sent,
           count(*) FILTER (WHERE d.outcome = 'suppressed')::int AS r_suppressed,
           count(*) FILTER (WHERE d.outcome = 'skipped')::int AS r_skipped,
           count(*) FILTER (WHERE d.outcome = 'failed')::int AS r_failed,
           count(*) FILTER (WHERE d.outcome = 'lost')::int AS r_lost,
           count(*) FILTER (WHERE d.outcome = 'sent' AND EXISTS (
             SELECT 1 FROM reminders r WHERE r.id = d.reminder_id AND r.assignment_id = d.assignment_id
                AND (r.run_id = l.id OR r.email_status = 'sent')))::int AS r_sent_backed
      FROM cron_execution_log l LEFT JOIN run_dispatches d ON d.run_id = l.id
     WHERE l.status <> 'running'
     GROUP BY l.id ORDER BY l.id`;
  const out: string[] = [];
  const outcomes = ['sent', 'suppressed', 'skipped', 'failed', 'lost'] as const;
  for (const r of rows) {
    const bad: string[] = [];
    for (const o of outcomes) {
      const logged = r[o];
      const recorded = r[`r_${o}`];
      if (logged !== recorded) bad.push(`${o} ${logged} in the log, ${recorded} records`);
    }
    const sum = outcomes.reduce((n, o) => n + r[o], 0);
    if (sum !== r.enqueued || r.enqueued !== r.r_total) bad.push(`outcomes sum to ${sum}, reminders_enqueued ${r.enqueued}, ${r.r_total} records`);
    if (r.r_unsettled) bad.push(`${r.r_unsettled} records without an outcome`);
    if (r.r_sent_backed !== r.r_sent) bad.push(`${r.r_sent - r.r_sent_backed} records settled sent name no reminder this run wrote or e-mailed`);
    if (bad.length) out.push(`run ${r.id} (${r.status}): ${bad.join('; ')}`);
  }
  return out;
}

export async function checkInvariants(w: World, startedAt: number): Promise<IterationResult> {
  const p = w.prisma;
  const contactedIds = new Set(w.contacted.keys());
  const allExpected = await expectedReminders(p, { timeZone: w.config.reminderTz, rules: w.config.rules });
  // An assignment whose contact the scenario registered may have been reminded before that (right)
  // or not (right too): it is neither expected nor lost, only checked for after-contact reminders.
  const expected = new Map([...allExpected].filter(([, e]) => !contactedIds.has(e.assignmentId)));

  const rows = await p.$queryRaw<ReminderRow[]>`
    SELECT r.reminder_key AS key, r.assignment_id, r.created_at, r.email_status::text AS email_status, r.preference_applied::text AS pref,
           (SELECT count(*) FROM notifications n WHERE n.reminder_id = r.id AND n.recipient_type = 'peer_mentor')::int AS mentor_notes,
           (SELECT count(*) FROM notifications n WHERE n.reminder_id = r.id AND n.recipient_type = 'coordinator')::int AS coordinator_notes
      FROM reminders r ORDER BY r.id`;
  const [dupKeys] = await p.$queryRaw<{ n: number }[]>`
    SELECT COALESCE(sum(c - 1), 0)::int AS n FROM (
      SELECT count(*) AS c FROM reminders GROUP BY assignment_id, anchor_date, sequence_number HAVING count(*) > 1) d`;
  // Two reminders for one silence (same assignment and anchor, different sequence numbers written
  // on the same day) would be a duplicate the unique key cannot see.
  const [sameDay] = await p.$queryRaw<{ n: number }[]>`
    SELECT COALESCE(sum(c - 1), 0)::int AS n FROM (
      SELECT count(*) AS c FROM reminders GROUP BY assignment_id, anchor_date, (created_at AT TIME ZONE 'UTC')::date HAVING count(*) > 1) d`;

  const byKey = new Map(rows.map((r) => [r.key, r]));
  let duplicates = (dupKeys?.n ?? 0) + (sameDay?.n ?? 0);
  let sent = 0;
  let lost = 0;
  let unexpected = 0;
  let afterContact = 0;
  for (const r of rows) {
    duplicates += Math.max(0, r.mentor_notes - 1) + Math.max(0, r.coordinator_notes - 1);
    const cutoff = w.contacted.get(r.assignment_id);
    if (cutoff) {
      if (r.created_at.getTime() > cutoff.getTime()) afterContact += 1;
      continue;
    }
    if (!expected.has(r.key)) unexpected += 1;
  }
  for (const e of expected.values()) {
    const r = byKey.get(e.key);
    const complete = r && r.mentor_notes >= 1 && (!e.escalated || e.coordinatorId === null || r.coordinator_notes >= 1);
    if (complete) sent += 1;
    else lost += 1;
  }

  let emailsExpected = 0;
  let emailsSent = 0;
  let emailDuplicates = 0;
  let emailsLost = 0;
  let emailsResent = 0;
  if (w.smtp) {
    for (const e of expected.values()) {
      if (!e.mentorEmail) continue;
      // In digest delivery the reminder has no message of its own: its digest is checked below.
      if (byKey.get(e.key)?.pref === 'digest') continue;
      emailsExpected += 1;
      const n = w.smtp.byMessageId.get(`<${e.key}@follow-up-reminders>`) ?? 0;
      if (n >= 1) emailsSent += 1;
      else emailsLost += 1;
      if (n === 2 && w.emailsInDoubt.has(e.key)) emailsResent += 1;
      else emailDuplicates += Math.max(0, n - 1);
    }
    // Contacted assignments may have had their e-mail before the contact; never twice.
    for (const id of contactedIds) {
      for (const [mid, n] of w.smtp.byMessageId) if (mid.startsWith(`<a${id}-`)) emailDuplicates += Math.max(0, n - 1);
    }
  }

  const [digestRows] = await p.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM digests`;
  const digest = w.smtp && (digestRows?.n ?? 0) + rows.filter((r) => r.pref === 'digest').length > 0 ? await checkDigests(w) : undefined;

  const mismatches = await countMismatches(w);
  const runs = await w.runs();
  const nonTerminalRuns = runs.filter((r) => r.status === 'running').length;
  const alerts = await p.alert.findMany({ select: { kind: true, incidentKey: true, deliveredAt: true } });
  const raised = new Set(alerts.map((a) => `${a.kind}:${a.incidentKey}`));
  const delivered = new Set(w.hook.received.map((m) => `${m.kind}:${String((m.details as { incident?: string }).incident)}`));
  const wanted = [...alertsCalledFor(runs, w.staleAtRecovery), ...[...w.expectAlerts]];
  const alertsMissing = wanted.filter((k) => {
    if (k.includes(':')) return !raised.has(k) || !delivered.has(k);
    return !alerts.some((a) => a.kind === k && a.deliveredAt);
  });
  // A failure alert no failed run calls for is noise that sends an operator looking for nothing.
  const alertsUnexpected = [...raised].filter((k) => (k.startsWith('consecutive_failures:') || k.startsWith('recovered:')) && !wanted.includes(k));

  const result: IterationResult = {
    scenario: w.scenario,
    iteration: w.iteration,
    expected: expected.size,
    sent,
    duplicates,
    lost,
    unexpected,
    afterContact,
    emailsExpected,
    emailsSent,
    emailDuplicates,
    emailsLost,
    emailsResent,
    emailsInDoubt: w.emailsInDoubt.size,
    countMismatches: mismatches,
    digest,
    runs: runs.length,
    nonTerminalRuns,
    alertsMissing,
    alertsUnexpected,
    crashes: [...w.crashes],
    violations: [...w.violations, ...(digest?.problems ?? []).map((d) => `digests: ${d}`)],
    faultHit: w.faultHit(),
    notes: [...w.notes],
    durationMs: Date.now() - startedAt,
    ok: false,
  };
  result.ok =
    duplicates === 0 &&
    lost === 0 &&
    unexpected === 0 &&
    afterContact === 0 &&
    emailDuplicates === 0 &&
    emailsLost === 0 &&
    nonTerminalRuns === 0 &&
    mismatches.length === 0 &&
    alertsMissing.length === 0 &&
    alertsUnexpected.length === 0 &&
    result.crashes.length === 0 &&
    result.violations.length === 0 &&
    result.faultHit;
  return result;
}
