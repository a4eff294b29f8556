/** Schemas for POST /v1/delivery-events and DELETE /v1/email-addresses/:address/undeliverable (issue 16). */
import { z } from 'zod';
import { dateTime, nonBlankText, regex, safeText } from './common';
import { EMAIL_PATTERN } from './patterns';

export const MAX_DELIVERY_EVENTS = 500;

const email = (description: string) => z.string().max(320).regex(regex(EMAIL_PATTERN)).meta({ description, examples: ['kari.nordmann@example.org'] });

const event = z.strictObject({
  id: nonBlankText(200, "The provider's own id of the event: the same (source, id) is applied once, so a webhook retry is harmless"),
  type: z.enum(['hard_bounce', 'soft_bounce', 'complaint']).describe('hard_bounce and complaint make the address undeliverable; soft_bounce is counted and the message retried'),
  email: email('The recipient address the event is about (compared lower-cased)'),
  message_id: safeText(998, 'The Message-ID header of the message we sent: <reminder key@follow-up-reminders> for a per-reminder e-mail, <digest key@follow-up-reminders> for a digest').optional(),
  occurred_at: dateTime('When the provider saw the bounce or complaint (RFC 3339)'),
  diagnostic: safeText(1000, "The provider's diagnostic, e.g. the SMTP reply").optional(),
});

export const deliveryEventsBody = z
  .strictObject({
    source: nonBlankText(50, 'The provider (or relay) reporting the events, e.g. postmark; event ids are unique per source'),
    events: z.array(event).min(1).max(MAX_DELIVERY_EVENTS).describe(`1 to ${MAX_DELIVERY_EVENTS} events, applied in order; the whole batch is validated first, and one invalid event refuses it all`),
  })
  .meta({
    examples: [
      {
        source: 'postmark',
        events: [
          { id: 'pm-81724', type: 'hard_bounce', email: 'kari.nordmann@example.org', message_id: '<a12-20261101-1@follow-up-reminders>', occurred_at: '2026-12-02T08:14:00Z', diagnostic: '550 5.1.1 user unknown' },
          { id: 'pm-81725', type: 'soft_bounce', email: 'ola@example.org', message_id: '<mentor-7-p1-2026-12-02@follow-up-reminders>', occurred_at: '2026-12-02T08:15:00Z', diagnostic: '452 4.2.2 mailbox full' },
        ],
      },
    ],
  });

export const deliveryEventsResponse = z
  .object({
    results: z
      .array(
        z.object({
          id: z.string(),
          outcome: z.enum(['applied', 'duplicate', 'ignored']).describe('applied; duplicate: this source already reported this id (nothing changed); ignored: stored, but no mentor or coordinator has the address'),
        }),
      )
      .describe('One per event, in the order sent'),
  })
  .meta({ description: 'What became of each event', examples: [{ results: [{ id: 'pm-81724', outcome: 'applied' }, { id: 'pm-81725', outcome: 'duplicate' }] }] });

export const addressParams = z.strictObject({ address: email('The undeliverable address (any case; URL-encode the @ as %40 if your client needs to)') });

export const clearResponse = z
  .object({
    address: z.string(),
    undeliverable: z.literal(false),
    was_undeliverable_since: z.string().meta({ format: 'date-time' }),
    was_reason: z.string().nullable(),
    audit_id: z.int().describe('The admin_audit_log row (`email_address.clear`)'),
  })
  .meta({ description: 'Deliverable again: the next reminders go by e-mail (if the mentor wants them)', examples: [{ address: 'kari.nordmann@example.org', undeliverable: false, was_undeliverable_since: '2026-12-02T08:14:00.000Z', was_reason: 'hard_bounce: 550 5.1.1 user unknown', audit_id: 12 }] });
