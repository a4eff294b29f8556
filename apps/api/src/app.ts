/** Builds the Fastify app (no port): routes, schemas, error shape. `server.ts` listens. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiRoot } from './composition';
import { healthRoutes } from './routes/health';
import { registerAuth } from './plugins/auth';
import { createFailureLimiter, type FailureLimiterOptions } from './plugins/auth-failure-limiter';
import { cacheTokenChecks, type TokenCacheOptions } from './plugins/token-cache';
import { registerOpenApi } from './plugins/openapi';
import { registerProblemHandlers, sendProblem } from './plugins/problem';
import { activityRoutes } from './routes/activities';
import { assignmentRoutes } from './routes/assignments';
import { tokenRoutes } from './routes/tokens';
import { programmeRoutes } from './routes/programmes';
import { programmeStatsRoutes } from './routes/programme-stats';
import { absenceRoutes } from './routes/absences';
import { snoozeRoutes } from './routes/snooze';
import { digestRoutes } from './routes/digests';
import { opsRoutes } from './routes/ops';
import { metricsRoutes } from './routes/metrics';
import { mentorPreferenceRoutes } from './routes/mentor-preferences';
import { unsubscribeRoutes } from './routes/unsubscribe';
import { deliveryEventRoutes } from './routes/delivery-events';
import { registerBullBoard } from './plugins/bull-board';
import { registerSecurity } from './plugins/security';
import { clientErrorHandler, registerJsonParser } from './plugins/edge-errors';
import { createServiceMetrics } from './metrics/service-metrics';
import { redisReady } from './redis-ready';
import { DEFAULT_PROGRAMME } from '@reminders/core/domain/programme-names';
import { serializerCompiler, validatorCompiler } from './plugins/zod-compilers';

export type AppOptions = {
  /** The API's composition root (composition.ts); each route plugin gets only what it uses from it. */
  root: ApiRoot;
  /** Failed-authentication limiting per client address (defaults: 20 per minute). */
  authFailures?: FailureLimiterOptions;
  /** The per-process cache of successful token checks (TTL at most 1 s; tests inject its clock). */
  tokenCache?: Omit<TokenCacheOptions, 'clock'>;
};

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { root } = opts;
  const app = Fastify({
    loggerInstance: root.logger as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Behind a reverse proxy, the client's own address (not the proxy's) keys the auth-failure limit.
    // (Fastify accepts a hop count at run time; its types omit it.)
    trustProxy: root.config.trustProxy as boolean | string | string[],
    // Requests Fastify refuses before routing (bad percent-encoding, over-long path parameters)
    // get the same problem+json shape as every other error.
    frameworkErrors: (err, req, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendProblem(req, reply, { status: tooLong ? 414 : 400, slug: tooLong ? 'uri-too-long' : 'bad-url', detail: err.message });
    },
    // Node's own refusals (431 headers too large, 408, 400) as problem+json too.
    clientErrorHandler,
  });
  // Every route schema is zod (apps/api/src/schemas): it types the handler, validates, serialises
  // and documents. The Bull Board's routes declare no schemas, so these never touch them.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  // Before every other hook: security headers on every answer, cross-site writes refused first.
  await registerSecurity(app);
  // Bodies are JSON only: anything else is a 415, not a string the schema then has to refuse.
  app.removeContentTypeParser('text/plain');
  registerJsonParser(app);
  // One count of failed sign-ins per address for /v1 and the board, shared by every API process.
  const limiter = createFailureLimiter({ ...opts.authFailures, redis: root.redis, prefix: root.config.redisPrefix });
  // Token checks are cached for at most a second: a revocation anywhere takes effect here within it.
  const tokens = cacheTokenChecks(root.services.tokens, { ...opts.tokenCache, clock: root.clock });
  registerAuth(app, { tokens, limiter });
  await registerOpenApi(app, { serverUrl: `http://${root.config.host}:${root.config.port}` });
  await app.register(healthRoutes, { checks: { postgres: () => root.repositories.databaseHealth.ping(), redis: () => root.redis.ping() } });
  await app.register(activityRoutes, { activities: root.services.activities, idempotencyKeyRetentionHours: root.config.idempotencyKeyRetentionHours });
  await app.register(assignmentRoutes, { assignments: root.services.assignments });
  await app.register(tokenRoutes, { tokens: root.services.tokens });
  await app.register(programmeRoutes, { programmes: root.services.programmes });
  await app.register(programmeStatsRoutes, { effectiveness: root.services.effectiveness });
  await app.register(absenceRoutes, { absences: root.services.absences });
  await app.register(snoozeRoutes, { snoozes: root.services.snoozes });
  // Default's sweep at /v1/sweep/... (as before programmes), and each programme's at /v1/programmes/:slug/... (issue 15).
  const sweepOf = async (slug: string | null) => {
    const p = slug === null ? DEFAULT_PROGRAMME : await root.repositories.programmes.bySlug(slug);
    return p ? { ops: root.services.opsFor(p), lockKey: root.lockFor(p).key } : null;
  };
  for (const scope of ['default', 'programme'] as const) {
    await app.register(opsRoutes, { scope, sweepOf, recentAlerts: (limit: number) => root.repositories.alerts.recent(limit), redisReady: (ms: number) => redisReady(root.redis, ms) });
  }
  // The mentor's side (issue 16): preferences, the one-click unsubscribe link (signed, no token), delivery feedback.
  await app.register(mentorPreferenceRoutes, { preferences: root.services.preferences });
  await app.register(unsubscribeRoutes, { unsubscribe: root.services.unsubscribe, limiter, preferencesUrl: `${root.config.links.appBaseUrl}/settings/notifications` });
  await app.register(deliveryEventRoutes, { deliveryEvents: root.services.deliveryEvents });
  await app.register(digestRoutes, { digests: root.services.digests });

  await app.register(metricsRoutes, { metrics: createServiceMetrics(root) });
  await registerBullBoard(app, {
    queues: [root.queues.sweep, root.queues.dispatch],
    tokens: root.services.tokens,
    audit: root.repositories.audit,
    clock: root.clock,
    limiter,
  });
  return app;
}
