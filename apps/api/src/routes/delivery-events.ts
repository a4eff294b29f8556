/**
 * Delivery feedback (issue 16): the mail provider's bounces and complaints (POST
 * /v1/delivery-events, from the service token its webhook relay holds), and the admin's clear of
 * an undeliverable address once the mentor has fixed it.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DeliveryEventService } from '@reminders/core/services/delivery-event-service';
import { AUTH_PROBLEMS, problemResponses } from '../schemas/common';
import { addressParams, clearResponse, deliveryEventsBody, deliveryEventsResponse, MAX_DELIVERY_EVENTS } from '../schemas/delivery';

export const deliveryEventRoutes: FastifyPluginAsync<{ deliveryEvents: DeliveryEventService }> = async (app, { deliveryEvents }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/v1/delivery-events',
    {
      // 500 events of at most ~2.5 KiB each.
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        summary: 'Report bounces and complaints',
        description:
          `Up to ${MAX_DELIVERY_EVENTS} events from one source, validated as a whole first (one invalid event: 400 naming its index, nothing stored). Each (source, id) is stored once in delivery_events: a webhook retry answers \`duplicate\` and changes nothing. ` +
          'A `hard_bounce` or `complaint` makes the address undeliverable (the first time; later ones are counted): reminders to its mentors come in-app only from then on, and each of their coordinators gets one in-app notification and one e-mail notice for the episode. ' +
          'A `soft_bounce` is counted and the message its `message_id` names is sent again: a digest that was sent goes back to pending (next attempt at occurred_at + 15 minutes x its attempts; at most 3 retries), a reminder e-mail that was sent is set to failed so the next run re-sends it (while below EMAIL_MAX_ATTEMPTS). ' +
          'An address that no mentor or coordinator has is stored and answered `ignored`.',
        tags: ['delivery'],
        body: deliveryEventsBody,
        response: { 200: deliveryEventsResponse, ...problemResponses(400, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => {
      const items = req.body.events.map((e) => ({ id: e.id, type: e.type, email: e.email, messageId: e.message_id, occurredAt: e.occurred_at, diagnostic: e.diagnostic }));
      return { results: await deliveryEvents.record(req.body.source.trim(), items, req.principal!.name) };
    },
  );

  routes.delete(
    '/v1/email-addresses/:address/undeliverable',
    {
      schema: {
        summary: 'Make an undeliverable address deliverable again',
        description:
          "For when the mentor has fixed their mailbox (or the bounce was the provider's mistake): the next reminders go by e-mail again, if the mentor wants e-mail. The counters stay. Writes one admin_audit_log row (`email_address.clear`). 404 when the address is not undeliverable.",
        tags: ['delivery'],
        params: addressParams,
        response: { 200: clearResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => {
      const r = await deliveryEvents.clear(req.params.address, req.principal!.name);
      return { address: r.after.address, undeliverable: false as const, was_undeliverable_since: r.before.undeliverableAt!.toISOString(), was_reason: r.before.undeliverableReason, audit_id: r.auditId };
    },
  );
};
