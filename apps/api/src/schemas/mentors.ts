/** Schemas for /v1/peer-mentors/:id/preferences and the one-click unsubscribe pages (issue 16). */
import { z } from 'zod';
import { LOCALES } from '@reminders/core/domain/programme';
import { idParam, out } from './common';

export const mentorParams = z.strictObject({ id: idParam('Peer mentor id') });

const example = {
  peer_mentor_id: 7,
  reminder_email: true,
  // (null, the programme's language, is left out of the examples: OpenAPI 3.0 examples cannot show a null enum)
  locale: 'nb',
  email: { address: 'k***@example.org', undeliverable: false, since: null, reason: null },
  updated_at: null,
};

export const preferencesResponse = z
  .object({
    peer_mentor_id: z.int(),
    reminder_email: z.boolean().describe('Reminders also by e-mail (in-app notifications always); turned off by the one-click unsubscribe link'),
    locale: z.enum(LOCALES).nullable().describe("The language of the mentor's messages; null: their programme's default_locale"),
    email: z
      .object({
        address: z.string().describe('The address, masked (k***@example.org)'),
        undeliverable: z.boolean().describe('A hard bounce or complaint made it undeliverable: reminders come in-app only until an admin clears it'),
        since: out.nullableDateTime('When it became undeliverable'),
        reason: z.string().nullable().describe('The event type and the provider’s diagnostic'),
      })
      .nullable()
      .describe('The mentor’s e-mail address and whether it can receive mail (null: no address)'),
    updated_at: out.nullableDateTime('When the mentor (or someone for them) last changed a preference'),
  })
  .meta({
    description: "The mentor's preferences",
    examples: [example, { ...example, reminder_email: false, locale: 'en', email: { address: 'k***@example.org', undeliverable: true, since: '2026-12-02T08:14:00.000Z', reason: 'hard_bounce: 550 5.1.1 user unknown' }, updated_at: '2026-12-01T19:02:00.000Z' }],
  });

export const preferencesBody = z
  .strictObject({
    reminder_email: z.boolean().describe('false: reminders in-app only (coordinator escalations are not affected)').optional(),
    locale: z.enum(LOCALES).nullable().describe("nb or en; null: the programme's default_locale").optional(),
  })
  .meta({ examples: [{ reminder_email: true }, { locale: 'en' }] });

/** The token is checked by the route (a bad one is a page, not a problem), so the schema takes any path segment. */
export const unsubscribeParams = z.strictObject({ token: z.string().max(100).meta({ description: 'The signed token of the e-mail’s List-Unsubscribe link', examples: ['7.1796400000.mGq2pE4b1vXhT0lY6c8sJr9KwZ3nA5dF7uQ0iO2yB1e'] }) });

const page = (description: string, example: string) => ({ description, content: { 'text/html': { schema: z.string(), example } } });
const html = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reminder e-mails</title></head><body>${body}</body></html>`;

export const confirmPage = page('The page with the confirm button (a form that POSTs to the same URL)', html('<form method="post" action="7.1796400000.mGq2pE4b1vXhT0lY6c8sJr9KwZ3nA5dF7uQ0iO2yB1e"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button>Stop reminder e-mails</button></form>'));
export const donePage = page('Reminder e-mails are off (also when they already were)', html('<p>You will no longer get reminder e-mails. Reminders still appear in the app.</p>'));
export const invalidPage = page('The link is not valid (malformed or tampered with); too many such links from one address are answered 429', html('<p>This link is not valid.</p>'));
export const notFoundPage = page('The link names a mentor that no longer exists', html('<p>This link is not valid.</p>'));
export const expiredPage = page('The link has expired: a newer reminder e-mail has a fresh one', html('<p>This link has expired. The newest reminder e-mail has a fresh link.</p>'));
