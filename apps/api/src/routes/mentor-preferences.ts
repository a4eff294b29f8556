/** A peer mentor's preferences: reminder e-mail on or off, and the language of their messages (issue 16). */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { toJson } from '@reminders/core/json-case';
import type { PreferenceService } from '@reminders/core/services/preference-service';
import { AUTH_PROBLEMS, parseId, problemResponses } from '../schemas/common';
import { mentorParams, preferencesBody, preferencesResponse } from '../schemas/mentors';

type Json = z.infer<typeof preferencesResponse>;

export const mentorPreferenceRoutes: FastifyPluginAsync<{ preferences: PreferenceService }> = async (app, { preferences }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/v1/peer-mentors/:id/preferences',
    {
      schema: {
        summary: "A peer mentor's preferences and whether their address can receive mail",
        tags: ['mentors'],
        params: mentorParams,
        response: { 200: preferencesResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await preferences.get(parseId(req.params.id))) as Json,
  );

  routes.put(
    '/v1/peer-mentors/:id/preferences',
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: "Set a peer mentor's preferences",
        description:
          'Sets the given preferences (at least one of `reminder_email`, `locale`); the next reminder is written under them. `reminder_email: true` turns e-mail back on after the one-click unsubscribe. Coordinator escalations are not a mentor preference. A change writes one admin_audit_log row (`preferences.update`, before and after); a request that changes nothing writes none.',
        tags: ['mentors'],
        params: mentorParams,
        body: preferencesBody,
        response: { 200: preferencesResponse, ...problemResponses(400, 404, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await preferences.update(parseId(req.params.id), { reminderEmail: req.body.reminder_email, locale: req.body.locale }, req.principal!.name)) as Json,
  );
};
