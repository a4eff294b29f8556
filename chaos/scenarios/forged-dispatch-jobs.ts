/**
 * Forged dispatch jobs, added straight onto the dispatch queue (as Bull Board's "add job" or
 * redis-cli can) while a real run dispatches with e-mail on: payloads that claim authority
 * (idempotencyKey, sequenceNumber 9, escalated, a fencing token), well-formed payloads naming
 * assignments the run did not fan out (not due, closed, contacted today, a run that does not
 * exist), and re-adds of the run's real job ids (while queued: BullMQ keeps the original; once
 * done: removed and added again). Every forged payload is refused (failed, no retry, one
 * `dispatch.refused` audit row); nothing adds a reminder or an e-mail, and the real run still
 * does the work exactly once.
 */
import { Job } from 'bullmq';
import { DISPATCH_JOB } from '@reminders/core/jobs/job-catalog';
import { dispatchJobId } from '@reminders/core/domain/reminder-rules';
import { localDate } from '@reminders/core/domain/calendar';
import type { World } from '../lib/world';
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

type Forgery = { what: string; data: Record<string, unknown>; jobId: string };

async function ended(w: World, jobId: string) {
  return w.waitFor(`dispatch job ${jobId} to end`, async () => {
    const state = await w.c.queues.dispatch.getJobState(jobId);
    if (state !== 'failed' && state !== 'completed') return null;
    const job = await Job.fromId(w.c.queues.dispatch, jobId);
    return { state, reason: job?.failedReason ?? '', attempts: job?.attemptsMade ?? 0 };
  }, 30_000, 50);
}

async function committedAt(w: World): Promise<Date> {
  const [row] = await w.prisma.$queryRaw<{ t: Date }[]>`SELECT clock_timestamp() AS t`;
  return row!.t;
}

export const forgedDispatchJobs: Scenario = {
  name: 'forged-dispatch-jobs',
  title: 'forged dispatch jobs on the queue (claimed key/sequence/escalation, assignments not in the run, re-added real ids) during a run (SMTP on)',
  due: 300,
  smtp: true,
  workers: ['w1', 'w2'],
  fast: true,
  async inject(w) {
    await w.trigger('chaos');
    const { run } = await w.holder();
    await waitForDispatching(w, 0.2);
    const today = localDate(new Date(), w.config.reminderTz);
    // A: due, reminded and e-mailed by this run already, then contacted today (the case).
    const [a] = await w.prisma.$queryRaw<{ id: number }[]>`
      SELECT r.assignment_id AS id FROM reminders r JOIN assignments a ON a.id = r.assignment_id JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
       WHERE r.run_id = ${run.id} AND r.email_status = 'sent' AND r.escalated = false AND pm.email IS NOT NULL ORDER BY r.assignment_id LIMIT 1`;
    // B: active, contacted three days ago (not due), contacted again today. C: closed.
    const [b] = await w.prisma.$queryRaw<{ id: number }[]>`SELECT id FROM assignments WHERE status = 'active' AND id > ${w.due} ORDER BY id LIMIT 1`;
    const [cl] = await w.prisma.$queryRaw<{ id: number }[]>`SELECT id FROM assignments WHERE status = 'closed' ORDER BY id LIMIT 1`;
    // D: due and still queued in this run (the highest ids are dispatched last).
    const [d] = await w.prisma.$queryRaw<{ id: number }[]>`
      SELECT a.id FROM assignments a WHERE a.status = 'active' AND a.id <= ${w.due}
         AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.assignment_id = a.id) ORDER BY a.id DESC LIMIT 1`;
    if (!a || !b || !cl || !d) {
      w.violation(`could not pick the forgeries' targets (a ${a?.id}, b ${b?.id}, closed ${cl?.id}, queued ${d?.id})`);
      return;
    }
    const now = new Date().toISOString();
    for (const id of [a.id, b.id]) {
      await w.c.services.activities.registerOne({ assignmentId: id, activityType: 'call', occurredAt: now, registeredBy: 'chaos', registrationPath: 'direct', clientId: `chaos-forged-${id}` }, 'chaos');
      w.contacted.set(id, await committedAt(w));
    }
    const claimed = (assignmentId: number, n: number) => ({
      runId: run.id, fencingToken: String(run.fencingToken), assignmentId, anchorDate: today, dueDate: today,
      sequenceNumber: 9, escalated: true, idempotencyKey: `forged-${n}`,
    });
    const forgeries: Forgery[] = [
      { what: 'claimed key/sequence 9/escalation for an assignment contacted today', data: claimed(a.id, 1), jobId: 'forged-1' },
      { what: 'claimed key/sequence 9/escalation for a queued due assignment', data: claimed(d.id, 2), jobId: 'forged-2' },
      { what: 'well-formed, an assignment contacted today and not in the run', data: { runId: run.id, assignmentId: b.id }, jobId: 'forged-3' },
      { what: 'well-formed, a closed assignment', data: { runId: run.id, assignmentId: cl.id }, jobId: 'forged-4' },
      { what: 'well-formed, a run that does not exist', data: { runId: run.id + 1000, assignmentId: d.id }, jobId: 'forged-5' },
      { what: "the real job's id with a claimed payload, under the run's id scheme for a closed assignment", data: claimed(cl.id, 6), jobId: dispatchJobId(run.id, cl.id) },
    ];
    for (const f of forgeries) await w.c.queues.dispatch.add(DISPATCH_JOB, f.data as never, { jobId: f.jobId, attempts: 3 });

    // Re-adds of real ids: a queued one (BullMQ keeps the original and its payload), and a done
    // one removed and added again (it runs once more and must change nothing).
    const queuedId = dispatchJobId(run.id, d.id);
    await w.c.queues.dispatch.add(DISPATCH_JOB, claimed(d.id, 7) as never, { jobId: queuedId });
    const kept = (await Job.fromId(w.c.queues.dispatch, queuedId))?.data as Record<string, unknown> | undefined;
    if (kept && 'idempotencyKey' in kept) w.violation(`re-adding the queued job ${queuedId} replaced its payload`);
    const doneId = dispatchJobId(run.id, a.id);
    const removed = await w.c.queues.dispatch.remove(doneId);
    await w.c.queues.dispatch.add(DISPATCH_JOB, { runId: run.id, assignmentId: a.id } as never, { jobId: doneId });

    let refused = 0;
    for (const f of forgeries) {
      const o = await ended(w, f.jobId);
      const audits = await w.prisma.adminAuditLog.count({ where: { action: 'dispatch.refused', actor: 'system:worker', targetId: f.jobId } });
      if (o.state !== 'failed' || !o.reason.startsWith('refused: ') || o.attempts !== 1) w.violation(`${f.what} (job ${f.jobId}) was not refused once: ${o.state} after ${o.attempts} attempt(s): ${o.reason}`);
      else if (audits !== 1) w.violation(`${f.what} (job ${f.jobId}) left ${audits} dispatch.refused audit rows, expected 1`);
      else refused += 1;
    }
    const readd = await ended(w, doneId);
    const status = await waitForRunEnd(w, run.id, 60_000);

    const forgedKeys = await w.prisma.reminder.count({ where: { OR: [{ reminderKey: { startsWith: 'forged-' } }, { sequenceNumber: 9 }, { assignmentId: { in: [b.id, cl.id] } }] } });
    if (forgedKeys) w.violation(`${forgedKeys} reminders written from forged jobs`);
    const aRows = await w.prisma.reminder.count({ where: { assignmentId: a.id } });
    if (aRows !== 1) w.violation(`assignment ${a.id} (contacted today, reminded before) has ${aRows} reminders, expected 1`);
    const foreignMail = [...w.smtp!.byMessageId.keys()].filter((m) => m.includes('forged') || m.startsWith(`<a${b.id}-`) || m.startsWith(`<a${cl.id}-`));
    if (foreignMail.length) w.violation(`e-mails for forged jobs: ${foreignMail.join(', ')}`);
    w.note(
      `${refused}/${forgeries.length} forged jobs refused and audited; re-added done job ${readd.state} (removed ${removed}); re-add of a queued id kept ${kept ? 'the original payload' : 'nothing (already removed)'}; run ${run.id} ${status}`,
    );
    if (refused === forgeries.length && status === 'succeeded' && removed === 1) w.hit();
  },
};
