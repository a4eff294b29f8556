/**
 * Sends the digest outbox (repositories/digest-repository.ts): assembles the digests of finished
 * runs, then claims, renders, sends and marks them, SMTP_MAX_CONNECTIONS at a time, until none is
 * due. Every worker drains on its programme tick; leases keep a digest to one sender at a time.
 *
 * Each message is rendered at send time from the rows (templates in messages/), so a copy re-sent
 * after a crash is the same message with the same Message-ID (the digest's key).
 */
import type { Clock } from '../clock';
import type { EmailChannel, EmailMessage } from '../channels/email-channel';
import type { Logger } from '../logger';
import type { ClaimedDigest, DigestItem, DigestRepository } from '../repositories/digest-repository';
import { pickLocale, renderCoordinatorDigest, renderCoordinatorEmail, renderMentorDigest, renderUndeliverableNotice, type CoordinatorItem, type ReminderItem } from '../messages';
import { messageLinks, unsubscribeHeaders, type MessageLinkDeps } from '../messages/message-links';
import { createMicroBatcher } from './micro-batcher';
import { createResultPersister } from './persist-result';

export type DigestOutboxDeps = {
  digests: DigestRepository;
  email: EmailChannel | null;
  links: MessageLinkDeps;
  clock: Clock;
  logger: Logger;
  /** Who claims (WORKER_ID), on the lease. */
  owner: string;
  /** EMAIL_LEASE_SECONDS. */
  leaseSeconds: number;
  /** EMAIL_MAX_ATTEMPTS: attempts of one digest before it is given up as `failed`. */
  maxAttempts: number;
  /** Messages in flight at once (SMTP_MAX_CONNECTIONS). */
  concurrency: number;
  /** First retry after this long, doubling per attempt up to 30 minutes. @defaultValue 30000 */
  retryBackoffMs?: number;
  /** Tries of a "sent" mark before giving up on recording it (never re-sending). @defaultValue 6 */
  markTries?: number;
};

export type DrainReport = { assembled: { mentor: number; coordinator: number }; sent: number; failed: number; retried: number; withdrawn: number; lostLease: number };


export function createDigestOutbox(deps: DigestOutboxDeps) {
  // Each lane's lease renewal and "sent" mark share a statement with the other lanes' (as the
  // dispatch's marks do): one round trip per message each made the outbox send 88 digests a second
  // through a relay that takes 20 ms over 10 connections.
  const batch = { maxBatchSize: 200, maxInFlight: 2, lingerMs: 5 };
  const renewals = createMicroBatcher<{ id: number; attempt: number; owner: string; leaseSeconds: number }, boolean>({ ...batch, run: (ps) => deps.digests.renewLeases(ps) });
  const sentMarks = createMicroBatcher<{ id: number; attempt: number; at: Date }, boolean>({ ...batch, run: (ps) => deps.digests.markSentMany(ps) });
  const links = messageLinks(deps.links);
  const backoff = deps.retryBackoffMs ?? 30_000;
  const markTries = deps.markTries ?? 6;
  const messageId = (d: ClaimedDigest) => `<${d.key}@follow-up-reminders>`;

  const reminderItem = (i: DigestItem): ReminderItem => ({ contactName: i.contactName, sequenceNumber: i.sequenceNumber, escalated: i.escalated, lastReminder: i.lastReminder, assignmentUrl: links.assignmentUrl(i.assignmentId) });
  const coordinatorItem = (i: DigestItem): CoordinatorItem => ({ mentorName: i.mentorName, contactName: i.contactName, sequenceNumber: i.sequenceNumber, reason: i.covered ? 'covered' : 'escalated', lastReminder: i.lastReminder, assignmentUrl: links.assignmentUrl(i.assignmentId) });

  /** The message for a digest, or null when there is nothing to say (no items, notice about nobody). */
  async function compose(d: ClaimedDigest, items: DigestItem[]): Promise<EmailMessage | null> {
    const locale = pickLocale(d.locale);
    const base = { to: d.recipientEmail!, messageId: messageId(d) };
    if (d.kind === 'undeliverable_notice') {
      const subject = await deps.digests.noticeSubject({ key: d.key, recipientId: d.recipientId });
      if (!subject) return null;
      return { ...base, ...renderUndeliverableNotice({ locale, coordinatorName: d.recipientName, mentorName: subject.mentorName, reason: subject.reason, mentorUrl: links.mentorUrl(subject.mentorId) }) };
    }
    if (items.length === 0) return null;
    if (d.kind === 'mentor') {
      const unsubscribeUrl = await links.unsubscribeUrl(d.recipientId);
      const rendered = renderMentorDigest({ locale, mentorName: d.recipientName, programmeName: d.programmeName, localDate: d.localDate, items: items.map(reminderItem), followUp: d.part > 1, unsubscribeUrl, preferencesUrl: links.preferencesUrl() });
      return { ...base, ...rendered, headers: unsubscribeHeaders(unsubscribeUrl) };
    }
    // Coordinator escalations cannot be turned off: no unsubscribe link.
    if (d.delivery === 'each' && items.length === 1) {
      return { ...base, ...renderCoordinatorEmail({ locale, coordinatorName: d.recipientName, programmeName: d.programmeName, item: coordinatorItem(items[0]!) }) };
    }
    return { ...base, ...renderCoordinatorDigest({ locale, coordinatorName: d.recipientName, programmeName: d.programmeName, localDate: d.localDate, items: items.map(coordinatorItem), followUp: d.part > 1 }) };
  }

  const persist = createResultPersister({ logger: deps.logger, tries: markTries, maxPauseMs: 10_000, message: 'could not record a digest result; trying again' });

  async function deliver(d: ClaimedDigest, items: DigestItem[], report: DrainReport): Promise<void> {
    if (d.withdraw) {
      if (await deps.digests.withdraw({ id: d.id, attempt: d.attempt, preference: d.withdraw })) report.withdrawn++;
      return;
    }
    const message = await compose(d, items);
    if (!message) {
      if (await deps.digests.withdraw({ id: d.id, attempt: d.attempt, preference: 'empty' })) report.withdrawn++;
      return;
    }
    // The claim leased the whole batch at once and this lane may reach this digest late in it:
    // renew for this send (a send is bounded well inside a lease by the socket timeout), or leave
    // it if another sender has adopted it meanwhile. Without this a slow relay made two live
    // senders send the tail of a batch twice (tests/integration/digest-lease-batch.test.ts).
    if (!(await renewals.submit({ id: d.id, attempt: d.attempt, owner: deps.owner, leaseSeconds: deps.leaseSeconds }))) {
      report.lostLease++;
      deps.logger.warn({ digest: d.key, attempt: d.attempt }, 'digest left unsent: its lease had been taken over before its turn in the batch');
      return;
    }
    try {
      await deps.email!.send(message);
    } catch (err) {
      const error = (err as Error).message;
      const final = d.attempt - d.retryFrom >= deps.maxAttempts;
      const retryAt = final ? null : new Date(deps.clock.now().getTime() + Math.min(backoff * 2 ** (d.attempt - d.retryFrom - 1), 30 * 60_000));
      await persist('digest failure mark', () => deps.digests.markFailed({ id: d.id, attempt: d.attempt, error: `e-mail: ${error}`, retryAt }));
      deps.logger.warn({ digest: d.key, attempt: d.attempt, final, err: { message: error } }, 'digest e-mail failed');
      if (final) report.failed++;
      else report.retried++;
      return;
    }
    try {
      const ours = await persist('digest sent mark', () => sentMarks.submit({ id: d.id, attempt: d.attempt, at: deps.clock.now() }));
      if (ours) report.sent++;
      else {
        report.lostLease++;
        deps.logger.warn({ digest: d.key, attempt: d.attempt }, 'digest sent, but its lease had been taken over meanwhile (the sender was frozen past EMAIL_LEASE_SECONDS)');
      }
    } catch (err) {
      // Never re-sent from here: after its lease another sender may, with the same Message-ID.
      deps.logger.error({ digest: d.key, attempt: d.attempt, err: { message: (err as Error).message } }, 'digest e-mail was accepted but could not be recorded');
    }
  }

  return {
    /**
     * Assembles, then sends until nothing is due (or `maxClaims` claims of `concurrency` x 4).
     * The lanes (one per SMTP connection) take digests from one queue that the next claim refills
     * while they still have work, so no lane waits for the slowest send of a batch, and a claim
     * (with its items) overlaps the sending. Without an e-mail channel there is nothing to do.
     */
    async drainOnce(opts: { maxClaims?: number } = {}): Promise<DrainReport> {
      const report: DrainReport = { assembled: { mentor: 0, coordinator: 0 }, sent: 0, failed: 0, retried: 0, withdrawn: 0, lostLease: 0 };
      if (!deps.email) return report;
      report.assembled = await deps.digests.assemble({ programmeId: null });
      const maxClaims = opts.maxClaims ?? 1_000;
      const queue: { d: ClaimedDigest; items: DigestItem[] }[] = [];
      let claims = 0;
      let exhausted = false;
      let failure: unknown = null;
      let refilling: Promise<void> | null = null;
      const claimMore = async () => {
        if (exhausted) return;
        if (claims++ >= maxClaims) return void (exhausted = true);
        const claimed = await deps.digests.claim({ limit: deps.concurrency * 4, owner: deps.owner, leaseSeconds: deps.leaseSeconds, now: deps.clock.now() });
        if (claimed.length === 0) return void (exhausted = true);
        const items = await deps.digests.items(claimed.filter((d) => d.kind !== 'undeliverable_notice' && !d.withdraw).map((d) => d.id));
        for (const d of claimed) queue.push({ d, items: items.get(d.id) ?? [] });
      };
      // One claim at a time; a failed claim ends the drain (what was claimed is sent first, the
      // rest is left to its lease) and drainOnce then rejects with it.
      const refill = () =>
        (refilling ??= claimMore()
          .catch((err: unknown) => {
            failure ??= err;
            exhausted = true;
          })
          .finally(() => (refilling = null)));
      const lane = async () => {
        for (;;) {
          if (queue.length <= deps.concurrency && !exhausted) void refill();
          const next = queue.shift();
          if (!next) {
            if (exhausted && !refilling) return;
            await refill();
            continue;
          }
          await deliver(next.d, next.items, report).catch((err: Error) => deps.logger.warn({ digest: next.d.key, err: { message: err.message } }, 'digest delivery step failed; its lease lets another attempt adopt it'));
        }
      };
      await Promise.all(Array.from({ length: deps.concurrency }, lane));
      if (report.sent || report.failed || report.withdrawn) deps.logger.info({ ...report }, 'digests delivered');
      if (failure) throw failure;
      return report;
    },
  };
}

export type DigestOutbox = ReturnType<typeof createDigestOutbox>;
