/**
 * ReminderDispatchService: turns one due assignment into one reminder. The reminder row (with its
 * in-app notification) is written under its unique idempotency key, so a duplicate is impossible;
 * e-mail is delivered after that commit, each attempt claimed and recorded on the row.
 */
import type { Clock } from '../clock';
import type { EmailChannel } from '../channels/email-channel';
import type { DispatchPayload } from '../jobs/job-catalog';
import type { Logger } from '../logger';
import type { ReminderRepository, EmailTarget } from '../repositories/reminder-repository';
import type { DispatchOutcome } from './run-outcomes';

export type DispatchResult = { outcome: DispatchOutcome; reason?: string; reminderId?: number };

/** Thrown to make BullMQ retry the job (with backoff) after a failed e-mail attempt. */
export class RetryableDeliveryError extends Error {
  override name = 'RetryableDeliveryError';
}

export type ReminderDispatchDeps = {
  jobName: string;
  reminders: ReminderRepository;
  email: EmailChannel | null;
  clock: Clock;
  logger: Logger;
};

export function createReminderDispatchService(deps: ReminderDispatchDeps) {
  async function deliverEmail(reminderId: number, seenAttempts: number, target: EmailTarget, p: DispatchPayload, finalAttempt: boolean): Promise<DispatchResult> {
    const attempt = await deps.reminders.claimEmailAttempt(reminderId, seenAttempts);
    // Someone else holds this attempt (a concurrent copy of the job): it reports the outcome.
    if (attempt === null) return { outcome: 'suppressed', reason: 'email_attempt_claimed_elsewhere', reminderId };
    try {
      await deps.email!.send({
        to: target.mentorEmail,
        cc: target.coordinatorEmail,
        subject: `Reminder: time to contact ${target.contactName}`,
        text:
          `Hello ${target.mentorName},\n\nNo contact with ${target.contactName} has been registered since ${p.anchorDate}. ` +
          `Please get in touch and register the activity.\n\n(Reminder ${p.sequenceNumber}${p.escalated ? '; your coordinator has been informed' : ''}.)\n`,
        messageId: `<${p.idempotencyKey}@follow-up-reminders>`,
      });
      await deps.reminders.markEmailSent(reminderId, deps.clock.now());
      return { outcome: 'sent', reminderId };
    } catch (err) {
      const message = (err as Error).message;
      await deps.reminders.markEmailFailed(reminderId, message);
      deps.logger.warn({ reminderId, attempt, err: { message } }, 'reminder e-mail failed');
      if (finalAttempt) return { outcome: 'failed', reason: `email: ${message}`, reminderId };
      throw new RetryableDeliveryError(`e-mail attempt ${attempt} for reminder ${reminderId} failed: ${message}`);
    }
  }

  return {
    /**
     * Dispatches one reminder. Resolves with the outcome to count; throws `RetryableDeliveryError`
     * when the e-mail should be retried. `finalAttempt` says whether BullMQ will retry after this.
     */
    async dispatch(p: DispatchPayload, finalAttempt: boolean): Promise<DispatchResult> {
      const w = await deps.reminders.write({ ...p, jobName: deps.jobName, emailEnabled: deps.email !== null });
      switch (w.outcome) {
        case 'fenced':
          return { outcome: 'skipped', reason: 'fenced: a newer run has started' };
        case 'skipped':
          return { outcome: 'skipped', reason: w.reason };
        case 'written':
          if (!w.email) return { outcome: 'sent', reminderId: w.reminderId };
          return deliverEmail(w.reminderId, 0, w.email, p, finalAttempt);
        case 'exists':
          // Our own earlier attempt wrote the row and its e-mail is still pending: carry on delivering.
          if (w.runId === p.runId && w.email && (w.emailStatus === 'reserved' || w.emailStatus === 'failed')) {
            return deliverEmail(w.reminderId, w.emailAttempts, w.email, p, finalAttempt);
          }
          if (w.runId === p.runId) return { outcome: 'sent', reminderId: w.reminderId };
          return { outcome: 'suppressed', reason: 'duplicate: reminder already written', reminderId: w.reminderId };
      }
    },
  };
}

export type ReminderDispatchService = ReturnType<typeof createReminderDispatchService>;
