/**
 * Delivery feedback (issue 16): a provider's bounces and complaints, posted in batches by the
 * service token (POST /v1/delivery-events). A hard bounce or a complaint makes the address
 * undeliverable (the reminder write then leaves e-mail out and the mentor is reminded in-app only)
 * and tells each coordinator of its mentors once; a soft bounce is counted and the message it
 * names is sent again, a bounded number of times. Each event is applied once, however often the
 * provider retries its webhook. An admin clears an address once the mentor has fixed it.
 */
import type { Clock } from '../clock';
import { normalizeAddress } from '../domain/email-address';
import type { Locale } from '../domain/programme';
import { AppError } from '../errors';
import type { DeliveryEventRepository, DeliveryEventType } from '../repositories/delivery-event-repository';
import type { EmailAddressRepository } from '../repositories/email-address-repository';

/** A digest is sent at most this often: the first time and three retries after soft bounces. */
export const DIGEST_MAX_ATTEMPTS = 4;
/** A soft-bounced digest waits this long times its attempts before it is sent again. */
export const DIGEST_RETRY_STEP_MINUTES = 15;

export type DeliveryEventItem = {
  id: string;
  type: DeliveryEventType;
  email: string;
  messageId?: string | null;
  occurredAt: string;
  diagnostic?: string | null;
};

export type DeliveryOutcome = 'applied' | 'duplicate' | 'ignored';

export type DeliveryEventServiceDeps = {
  events: DeliveryEventRepository;
  addresses: EmailAddressRepository;
  clock: Clock;
  /** EMAIL_MAX_ATTEMPTS: a soft-bounced reminder is re-sent only while below it. */
  emailMaxAttempts: number;
};

/** The coordinator's in-app notice; names the mentors, never the address. */
export function undeliverableNoticeText(locale: Locale, mentorNames: string[]): { title: string; body: string } {
  const names = mentorNames.join(', ');
  return locale === 'en'
    ? {
        title: `E-mail to ${names} bounced`,
        body: `Reminder e-mails to ${names} could not be delivered. Until their address is fixed they get reminders in the app only; please ask them to check their e-mail address.`,
      }
    : {
        title: `E-post til ${names} kom i retur`,
        body: `Påminnelser på e-post til ${names} kunne ikke leveres. Til adressen er rettet får de påminnelser bare i appen; be dem sjekke e-postadressen sin.`,
      };
}

export function createDeliveryEventService(deps: DeliveryEventServiceDeps) {
  const { events, addresses, clock } = deps;

  return {
    /**
     * Applies a batch (already validated as a whole by the caller's schema), in order; answers one
     * outcome per event: `applied`, `duplicate` (this source already reported this id) or
     * `ignored` (stored, but no mentor or coordinator has the address).
     */
    async record(source: string, items: DeliveryEventItem[], receivedBy: string): Promise<{ id: string; outcome: DeliveryOutcome }[]> {
      const results: { id: string; outcome: DeliveryOutcome }[] = [];
      for (const item of items) {
        if (await events.seen(source, item.id)) {
          results.push({ id: item.id, outcome: 'duplicate' });
          continue;
        }
        const r = await events.apply(
          {
            source,
            eventId: item.id,
            type: item.type,
            address: normalizeAddress(item.email),
            messageId: item.messageId?.trim() || null,
            occurredAt: new Date(item.occurredAt),
            diagnostic: item.diagnostic ?? null,
          },
          {
            receivedBy,
            now: clock.now(),
            reminderMaxAttempts: deps.emailMaxAttempts,
            digestMaxAttempts: DIGEST_MAX_ATTEMPTS,
            digestRetryStepMinutes: DIGEST_RETRY_STEP_MINUTES,
            noticeText: undeliverableNoticeText,
          },
        );
        results.push({ id: item.id, outcome: !r.stored ? 'duplicate' : r.effect === 'ignored' ? 'ignored' : 'applied' });
      }
      return results;
    },

    /** Makes an undeliverable address deliverable again (audited `email_address.clear`); 404 when it is not undeliverable. */
    async clear(address: string, actor: string, reason: string | null = null) {
      const r = await addresses.clearUndeliverable(address, actor, reason, clock.now());
      if (!r) throw new AppError('not_found', 'address-not-undeliverable', 'that address is not marked undeliverable');
      return r;
    },
  };
}

export type DeliveryEventService = ReturnType<typeof createDeliveryEventService>;
