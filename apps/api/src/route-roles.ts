/**
 * Which token roles may call which route: the one table the auth plugin enforces, the OpenAPI
 * document describes and the route-by-role matrix test walks. Add a line here with every new
 * guarded route; a route under /v1 missing from this table makes `buildApp` throw.
 */
import { ACCESS, type AccessSet } from '@reminders/core/auth/roles';

export const ROUTE_ROLES: Readonly<Record<string, AccessSet>> = Object.freeze({
  'POST /v1/activities': ACCESS.registerActivities,
  'POST /v1/activities/bulk': ACCESS.registerActivities,
  'GET /v1/assignments/:id': ACCESS.read,
  'POST /v1/assignments/:id/contact-correction': ACCESS.admin,
  'GET /v1/tokens': ACCESS.admin,
  'POST /v1/tokens': ACCESS.admin,
  'POST /v1/tokens/:name/revoke': ACCESS.admin,
  'GET /v1/programmes': ACCESS.read,
  'GET /v1/programmes/:slug': ACCESS.read,
  'POST /v1/programmes': ACCESS.admin,
  'PATCH /v1/programmes/:slug': ACCESS.admin,
  'DELETE /v1/programmes/:slug': ACCESS.admin,
  'GET /v1/programmes/:slug/stats': ACCESS.read,
  'POST /v1/programmes/:slug/sweep/trigger': ACCESS.operate,
  'GET /v1/programmes/:slug/sweep/preview': ACCESS.read,
  'POST /v1/programmes/:slug/sweep/pause': ACCESS.operate,
  'POST /v1/programmes/:slug/sweep/resume': ACCESS.operate,
  'GET /v1/programmes/:slug/sweep/status': ACCESS.read,
  'GET /v1/programmes/:slug/runs': ACCESS.read,
  'GET /v1/programmes/:slug/runs/:id': ACCESS.read,
  'POST /v1/programmes/:slug/runs/:id/cancel': ACCESS.operate,
  'GET /v1/programmes/:slug/sweep/lock': ACCESS.read,
  'POST /v1/programmes/:slug/sweep/lock/release': ACCESS.admin,
  'POST /v1/assignments/:id/programme': ACCESS.admin,
  'POST /v1/peer-mentors/:id/absences': ACCESS.away,
  'GET /v1/peer-mentors/:id/absences': ACCESS.readAway,
  'DELETE /v1/peer-mentors/:id/absences/:absenceId': ACCESS.away,
  'PUT /v1/assignments/:id/snooze': ACCESS.away,
  'DELETE /v1/assignments/:id/snooze': ACCESS.away,
  'POST /v1/sweep/trigger': ACCESS.operate,
  'GET /v1/sweep/preview': ACCESS.read,
  'POST /v1/sweep/pause': ACCESS.operate,
  'POST /v1/sweep/resume': ACCESS.operate,
  'GET /v1/sweep/status': ACCESS.read,
  'GET /v1/runs': ACCESS.read,
  'GET /v1/runs/:id': ACCESS.read,
  'POST /v1/runs/:id/cancel': ACCESS.operate,
  'GET /v1/sweep/lock': ACCESS.read,
  'POST /v1/sweep/lock/release': ACCESS.admin,
  'GET /v1/alerts': ACCESS.read,
  'GET /metrics': ACCESS.read,
  // The mentor's side (issue 16): preferences and delivery feedback.
  'GET /v1/peer-mentors/:id/preferences': ACCESS.readMentorPreferences,
  'PUT /v1/peer-mentors/:id/preferences': ACCESS.changeMentorPreferences,
  'POST /v1/delivery-events': ACCESS.reportDeliveryEvents,
  'DELETE /v1/email-addresses/:address/undeliverable': ACCESS.admin,
  'GET /v1/digests': ACCESS.operate,
  'POST /v1/digests/retry': ACCESS.operate,
  'POST /v1/digests/cancel': ACCESS.operate,
});

/** Routes anyone may call (no token): probes and the API docs. */
export const PUBLIC_ROUTES: readonly string[] = Object.freeze(['GET /healthz', 'GET /readyz', 'GET /docs', 'GET /docs/json']);

/**
 * Routes under /v1 that take no token because the URL carries its own proof: the one-click
 * unsubscribe link of the reminder e-mails (RFC 8058; signed, expiring, per mentor). Mail clients
 * and mail providers' servers call them without any credentials, and the POST takes an HTML
 * form's body; see plugins/security.ts and routes/unsubscribe.ts.
 */
export const SIGNED_LINK_ROUTES: readonly string[] = Object.freeze(['GET /v1/unsubscribe/:token', 'POST /v1/unsubscribe/:token']);

/** Paths under which every route must appear in ROUTE_ROLES. */
export const GUARDED_PREFIXES: readonly string[] = Object.freeze(['/v1/', '/metrics']);

export const routeKey = (method: string, url: string) => `${method.toUpperCase()} ${url}`;
