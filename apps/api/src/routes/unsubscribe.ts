/**
 * The one-click unsubscribe link of every reminder e-mail (RFC 8058), without a login: the signed
 * token in the path is the proof (routes listed in SIGNED_LINK_ROUTES take no bearer token).
 *
 * GET answers a page with a confirm button and changes nothing: mail scanners and link previews
 * follow GET links. POST (what a mail client sends for `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click`, and what the page's button sends) turns reminder e-mail off, once;
 * a repeat answers the same page and writes nothing. Answers are HTML pages in the mentor's
 * language: 400 for a malformed or tampered token, 410 for an expired one, 404 for a mentor that
 * no longer exists. Bad tokens count against the address like failed sign-ins (429 over the
 * limit); a valid link is never refused. The token never reaches a log line (logger.ts redactUrl).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { renderUnsubscribePage } from '@reminders/core/messages/index';
import type { UnsubscribeAnswer, UnsubscribeService } from '@reminders/core/services/unsubscribe-service';
import type { FailureLimiter } from '../plugins/auth-failure-limiter';
import { problemResponses } from '../schemas/common';
import { confirmPage, donePage, expiredPage, invalidPage, notFoundPage, unsubscribeParams } from '../schemas/mentors';

type UnsubscribePageState = 'confirm' | 'done' | 'expired' | 'invalid';

const STATUS: Record<UnsubscribeAnswer['state'], number> = { confirm: 200, done: 200, invalid: 400, expired: 410, not_found: 404 };

export type UnsubscribeRouteOptions = {
  unsubscribe: UnsubscribeService;
  /** The failed-authentication limiter: a bad token counts as a failed attempt from its address. */
  limiter: FailureLimiter;
  /** config.links.appBaseUrl: where the mentor changes their preferences. */
  preferencesUrl: string;
};

export const unsubscribeRoutes: FastifyPluginAsync<UnsubscribeRouteOptions> = async (app, opts) => {
  // HTML forms and RFC 8058 one-click POSTs: the body carries nothing the route needs beyond
  // `List-Unsubscribe=One-Click`, so it is read as text (4 KiB at most) and checked below.
  app.addContentTypeParser(['application/x-www-form-urlencoded', 'multipart/form-data'], { parseAs: 'string', bodyLimit: 4 * 1024 }, (_req, body, done) => done(null, body));

  async function answer(req: FastifyRequest, reply: FastifyReply, a: UnsubscribeAnswer, badBody = false) {
    reply.header('cache-control', 'no-store');
    if (badBody) reply.code(400);
    else if (a.state === 'invalid') {
      const retryAfter = await opts.limiter.retryAfterSeconds(req.ip);
      if (retryAfter > 0) reply.header('retry-after', String(retryAfter)).code(429);
      else {
        await opts.limiter.fail(req.ip);
        req.log.warn({ ip: req.ip, route: req.routeOptions.url }, 'unsubscribe link refused: malformed or bad signature');
        reply.code(400);
      }
    } else reply.code(STATUS[a.state]);
    const state: UnsubscribePageState = a.state === 'not_found' ? 'invalid' : a.state;
    // A same-site path: the form posts back to this very URL, whatever host a proxy serves it under.
    const html = renderUnsubscribePage({ locale: a.locale, state, postUrl: state === 'confirm' ? `/v1/unsubscribe/${(req.params as { token: string }).token}` : undefined, preferencesUrl: opts.preferencesUrl });
    return reply.type('text/html; charset=utf-8').send(html);
  }

  const routes = app.withTypeProvider<ZodTypeProvider>();
  const responses = { 400: invalidPage, 404: notFoundPage, 410: expiredPage, 429: invalidPage, ...problemResponses(413, 415) };

  routes.get(
    '/v1/unsubscribe/:token',
    {
      schema: {
        summary: 'The one-click unsubscribe page (no token: the link is signed)',
        description: "The link in a reminder e-mail's List-Unsubscribe header. Answers a page with a confirm button, in the mentor's language, and changes nothing (mail scanners follow links).",
        tags: ['mentors'],
        params: unsubscribeParams,
        response: { 200: confirmPage, ...responses },
      },
    },
    async (req, reply) => answer(req, reply, await opts.unsubscribe.view(req.params.token)),
  );

  routes.post(
    '/v1/unsubscribe/:token',
    {
      schema: {
        summary: 'Unsubscribe from reminder e-mails (RFC 8058 one-click; no token: the link is signed)',
        description:
          'Turns reminder e-mail off for the mentor the link names (in-app notifications stay; coordinator escalations are not affected). The body is what mail clients send, `List-Unsubscribe=One-Click` as application/x-www-form-urlencoded (or multipart/form-data), or empty. Idempotent: a repeat answers the same page and changes nothing. Writes one admin_audit_log row (`preferences.unsubscribe`, actor `unsubscribe-link:mentor:<id>`) the first time. `PUT /v1/peer-mentors/{id}/preferences` with `reminder_email: true` turns e-mail back on.',
        tags: ['mentors'],
        params: unsubscribeParams,
        response: { 200: donePage, ...responses },
      },
    },
    async (req, reply) => {
      const body = typeof req.body === 'string' && req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(req.body).get('List-Unsubscribe') : null;
      if (body !== null && body !== 'One-Click') return answer(req, reply, { state: 'invalid', locale: 'nb', mentorId: null }, true);
      return answer(req, reply, await opts.unsubscribe.unsubscribe(req.params.token));
    },
  );
};
