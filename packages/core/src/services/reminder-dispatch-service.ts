/**
 * ReminderDispatchService: turns one (run, assignment) into one reminder. The job carries nothing
 * else; the write derives the reminder from the database and the rules, under its unique key, with
 * its in-app notification, fenced by the run and the pause state. E-mail goes through a leased
 * outbox after that commit: claim an attempt (with a lease), send, then record the result, each
 * step on its own, so a failed record never re-sends and a late copy never overwrites.
 *
 * The jobs a worker runs concurrently do not each make their own round trips: their writes, claims
 * and "sent" marks go through micro-batchers, so one statement serves every job that is waiting
 * at that moment. Each job still gets its own outcome, exactly as if it had written alone.
 */
import type { Clock } from '../clock';
import type { EmailChannel } from '../channels/email-channel';
import type { Logger } from '../logger';
import type { DispatchOutcome } from '../repositories/run-dispatch-repository';
import type { ReminderRepository, EmailTarget, ReminderFacts, ReminderWrite, ReminderWriteResult, EmailClaim, EmailClaimResult, EmailMark } from '../repositories/reminder-repository';
import { createMicroBatcher } from './micro-batcher';
import { pickLocale, renderReminderEmail } from '../messages';
import { messageLinks, unsubscribeHeaders, type MessageLinkDeps } from '../messages/message-links';
import { createResultPersister } from './persist-result';

export type DispatchResult =
  | { outcome: DispatchOutcome; reason?: string; reminderId?: number }
  /** The job names an assignment its run did not fan out (or a run that does not exist): nothing was written. */
  | { outcome: 'refused'; reason: string }
  /** Another attempt holds this e-mail's lease: come back when it ends (the job is delayed, not failed). */
  | { outcome: 'wait'; until: Date; reason: string };

/** Thrown to make BullMQ retry the job (with backoff) after a failed e-mail attempt. */
export class RetryableDeliveryError extends Error {
  override name = 'RetryableDeliveryError';
}

/** The e-mail was accepted by SMTP but its record could not be written: never retried (that would re-send). */
export class UnrecordedDeliveryError extends Error {
  override name = 'UnrecordedDeliveryError';
}

export type ReminderDispatchDeps = {
  reminders: ReminderRepository;
  email: EmailChannel | null;
  /** Links in messages: the app's base URL and the mentor's unsubscribe link. */
  links: MessageLinkDeps;
  clock: Clock;
  logger: Logger;
  /** Largest number of jobs' writes in one statement. @defaultValue 500 */
  maxBatchSize?: number;
  /** Write statements in flight at once per kind (write, claim, mark sent). @defaultValue 2 */
  maxInFlight?: number;
  /** Tries of a "sent" mark (backing off from 200 ms, about 50 s in all) before the job gives up on recording it (never re-sending). @defaultValue 8 */
  markTries?: number;
};


/**
 * A worker's write batch for DISPATCH_CONCURRENCY concurrent jobs: half of them, so a full batch
 * may leave while the one in flight is still being written.
 */
export const writeBatchSize = (dispatchConcurrency: number): number => Math.max(1, Math.ceil(dispatchConcurrency / 2));

export function createReminderDispatchService(deps: ReminderDispatchDeps) {
  const batch = { maxBatchSize: deps.maxBatchSize ?? 500, maxInFlight: deps.maxInFlight ?? 2 };
  const writes = createMicroBatcher<ReminderWrite, ReminderWriteResult>({ ...batch, run: (ws) => deps.reminders.writeMany(ws) });
  // Jobs reach their e-mail steps one by one, as SMTP connections free up: with a relay that takes
  // 20 ms per message and 10 connections, one every 2 ms. Waiting up to 20 ms gathers about ten
  // into one statement instead of one each (measured, 8,547 e-mails through a 20 ms relay:
  // PostgreSQL's CPU fell from 3.9 s to 1.8 s, the worker's from 11.1 s to 9.7 s), a delay that is
  // small beside the relay's own.
  const emailBatch = { ...batch, lingerMs: 20 };
  const claims = createMicroBatcher<EmailClaim, EmailClaimResult>({ ...emailBatch, run: (cs) => deps.reminders.claimEmails(cs) });
  const sentMarks = createMicroBatcher<EmailMark, boolean>({ ...emailBatch, run: (ms) => deps.reminders.markEmailsSent(ms) });
  const markTries = deps.markTries ?? 8;
  const links = messageLinks(deps.links);

  /** Retries a bookkeeping statement (never the send itself) through a short database outage. */
  const persist = createResultPersister({ logger: deps.logger, tries: markTries, maxPauseMs: 15_000, message: 'could not record an e-mail result; trying again' });

  async function deliverEmail(job: ReminderWrite, reminder: ReminderFacts, target: EmailTarget, finalAttempt: boolean): Promise<DispatchResult> {
    const { reminderId } = reminder;
    const claim = await claims.submit({ reminderId, runId: job.runId });
    if (!claim.claimed) {
      if (claim.why === 'withdrawn') {
        const reason = `in-app only: ${claim.preference}`;
        await deps.reminders.settle({ ...job, outcome: 'sent', reason, reminderId });
        return { outcome: 'sent', reason, reminderId };
      }
      if (claim.why === 'leased') return { outcome: 'wait', until: claim.until, reason: 'e-mail attempt leased by another sender' };
      const outcome: DispatchOutcome = claim.why === 'done' ? (claim.sentByRunId === job.runId ? 'sent' : 'suppressed') : 'skipped';
      const reason = claim.why === 'done' ? 'e-mail already sent' : claim.why;
      await deps.reminders.settle({ ...job, outcome, reason, reminderId });
      return { outcome, reason, reminderId };
    }
    const attempt = claim.attempt;
    let sendError: Error | null = null;
    try {
      const unsubscribeUrl = await links.unsubscribeUrl(target.mentorId);
      const message = renderReminderEmail({
        locale: pickLocale(target.mentorLocale),
        mentorName: target.mentorName,
        programmeName: target.programmeName,
        item: {
          contactName: target.contactName,
          sequenceNumber: reminder.sequenceNumber,
          escalated: reminder.escalated,
          lastReminder: target.lastReminder,
          assignmentUrl: links.assignmentUrl(target.assignmentId),
        },
        coordinatorInformed: target.coordinatorInformed,
        unsubscribeUrl,
        preferencesUrl: links.preferencesUrl(),
      });
      await deps.email!.send({
        to: target.mentorEmail,
        ...message,
        headers: unsubscribeHeaders(unsubscribeUrl),
        messageId: `<${reminder.key}@follow-up-reminders>`,
      });
    } catch (err) {
      sendError = err as Error;
    }
    if (!sendError) {
      try {
        const ours = await persist('sent mark', () => sentMarks.submit({ reminderId, attempt, runId: job.runId, assignmentId: job.assignmentId, at: deps.clock.now() }));
        if (!ours) deps.logger.warn({ reminderId, attempt }, 'e-mail sent, but its lease had been taken over meanwhile (the sender was frozen past EMAIL_LEASE_SECONDS)');
      } catch (err) {
        throw new UnrecordedDeliveryError(`e-mail for reminder ${reminderId} (attempt ${attempt}) was accepted but could not be recorded: ${(err as Error).message}`);
      }
      return { outcome: 'sent', reminderId };
    }
    const message = sendError.message;
    const ours = await persist('failure mark', () => deps.reminders.markEmailFailed({ reminderId, attempt, runId: job.runId, assignmentId: job.assignmentId, error: message, final: finalAttempt }));
    deps.logger.warn({ reminderId, attempt, err: { message } }, 'reminder e-mail failed');
    if (!ours) return { outcome: 'suppressed', reason: 'e-mail attempt taken over by another sender', reminderId };
    if (finalAttempt) return { outcome: 'failed', reason: `email: ${message}`, reminderId };
    throw new RetryableDeliveryError(`e-mail attempt ${attempt} for reminder ${reminderId} failed: ${message}`);
  }

  return {
    /**
     * Dispatches one (run, assignment). Resolves with the outcome (already recorded in the run's
     * dispatch record); throws `RetryableDeliveryError` when the e-mail should be retried.
     * `finalAttempt` says whether BullMQ will retry after this.
     */
    async dispatch(job: ReminderWrite, finalAttempt: boolean): Promise<DispatchResult> {
      const w = await writes.submit({ runId: job.runId, assignmentId: job.assignmentId });
      switch (w.outcome) {
        case 'not_in_run':
          return { outcome: 'refused', reason: `run ${job.runId} did not fan out assignment ${job.assignmentId}` };
        case 'fenced':
          return { outcome: 'skipped', reason: 'fenced: a newer run has started' };
        case 'paused':
          return { outcome: 'skipped', reason: 'paused' };
        case 'skipped':
          return { outcome: 'skipped', reason: w.reason };
        case 'written':
          if (!deps.email || !w.email) return { outcome: 'sent', reminderId: w.reminder.reminderId };
          return deliverEmail(job, w.reminder, w.email, finalAttempt);
        case 'exists': {
          // Written before: by this job's own earlier attempt, or by an earlier run that never
          // delivered its e-mail (SMTP down through every retry, worker killed), which this run
          // adopts. The lease keeps it to one sender at a time.
          if (deps.email && w.email && (w.emailStatus === 'reserved' || w.emailStatus === 'failed')) {
            return deliverEmail(job, w.reminder, w.email, finalAttempt);
          }
          const outcome: DispatchOutcome = w.runId === job.runId ? 'sent' : 'suppressed';
          const reason = outcome === 'suppressed' ? 'duplicate: reminder already written' : undefined;
          await deps.reminders.settle({ ...job, outcome, reason, reminderId: w.reminder.reminderId });
          return { outcome, reason, reminderId: w.reminder.reminderId };
        }
      }
    },

    /** Batches sent and their largest size, per kind (for the benchmark and metrics). */
    batchStats: () => ({ writes: writes.stats(), claims: claims.stats(), sentMarks: sentMarks.stats() }),
  };
}

export type ReminderDispatchService = ReturnType<typeof createReminderDispatchService>;
