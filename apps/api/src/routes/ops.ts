/**
 * Operations on the sweep: trigger (and confirm a held run), preview (dry run), pause, resume,
 * status, run history, cancel a held run, the lock, and recent alerts. Thin: each handler calls
 * one OpsService method; every change is audited there with the token's name as the actor.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { OpsService } from '@reminders/core/services/ops-service';
import type { AlertRepository } from '@reminders/core/repositories/alert-repository';
import { isRunStatus } from '@reminders/core/services/ops-service';
import { AUTH_PROBLEMS, parseId, problemResponses } from '../schemas/common';
import * as s from '../schemas/ops';
import { toJson } from '../ops-presenters';
import { sendProblem } from '../plugins/problem';
import { AppError } from '@reminders/core/errors';
import { z } from 'zod';
import { programmeSlugParams } from '../schemas/programmes';

/** One programme's sweep: its ops service and its lock's Redis key (shown beside its state). */
export type SweepOps = { ops: OpsService; lockKey: string };

export type OpsRouteOptions = {
  /**
   * `default`: the routes as before programmes (/v1/sweep/..., /v1/runs, /v1/alerts), on the
   * default programme's sweep. `programme`: the same routes under /v1/programmes/:slug, on that
   * programme's sweep (issue 15); alerts stay global.
   */
  scope: 'default' | 'programme';
  /** The sweep of a programme slug (null: default's), or null when there is no such programme. */
  sweepOf: (slug: string | null) => Promise<SweepOps | null>;
  recentAlerts: (limit: number) => ReturnType<AlertRepository['recent']>;
  /** Whether Redis answers within `ms` (status answers 503 at once while it is away). */
  redisReady: (ms: number) => Promise<boolean>;
};

export const opsRoutes: FastifyPluginAsync<OpsRouteOptions> = async (app, { scope, sweepOf, recentAlerts, redisReady }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const scoped = scope === 'programme';
  const path = (p: string) => (scoped ? `/v1/programmes/:slug${p}` : `/v1${p}`);
  /** A route's params with the programme's slug in front when scoped. */
  const params = <T extends z.ZodObject>(own?: T) => (scoped ? (own ? own.extend(programmeSlugParams.shape) : programmeSlugParams) : own);
  const of = scoped ? ' (one programme)' : '';
  const notFound = scoped ? [404] as const : [];
  /** The sweep the request is about; a slug that names no programme is a 404. */
  const sweep = async (req: { params: unknown }): Promise<SweepOps> => {
    const slug = scoped ? (req.params as { slug: string }).slug : null;
    const found = await sweepOf(slug);
    if (!found) throw new AppError('not_found', 'programme-not-found', `no programme "${slug}"`);
    return found;
  };

  routes.post(
    path('/sweep/trigger'),
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: `Run the sweep now (or let a held run go ahead)${of}`,
        description: 'Queues a manual run for the workers. With wait_seconds the answer waits for the final execution-log row. confirm_run_id lets a run held by the blast-radius guard go ahead once.',
        tags: ['operations'],
        ...(scoped ? { params: params() } : {}),
        body: s.triggerBody,
        response: { 200: s.triggerFinished, 202: s.triggerQueued, ...problemResponses(400, 404, 409, 413, 415, 422, ...AUTH_PROBLEMS) },
      },
    },
    async (req, reply) => {
      const { ops } = await sweep(req);
      const { jobId } = await ops.trigger({ by: req.principal!.name, confirmRunId: req.body?.confirm_run_id });
      const wait = req.body?.wait_seconds ?? 0;
      if (wait === 0) return reply.code(202).send({ job_id: jobId, run: null });
      const run = await ops.waitForRun(jobId, wait * 1000);
      return { job_id: jobId, run: toJson(run) };
    },
  );

  routes.get(
    path('/sweep/preview'),
    {
      schema: {
        summary: `Dry run: who would be reminded if the sweep ran now${of}`,
        description: 'Reads only: writes no run row and sends nothing.',
        tags: ['operations'],
        ...(scoped ? { params: params() } : {}),
        querystring: s.previewQuery,
        response: { 200: s.previewResponse, ...problemResponses(...notFound, 400, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await (await sweep(req)).ops.dryRun({ limit: Number(req.query.limit ?? 50) })),
  );

  routes.post(
    path('/sweep/pause'),
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: `Pause the sweep${of}`,
        description: 'Runs are logged as skipped_disabled until resumed (or until `until`, at most PAUSE_MAX_DAYS away). Pausing a paused sweep is a 409 unless `replace` is true.',
        tags: ['operations'],
        ...(scoped ? { params: params() } : {}),
        body: s.pauseBody,
        response: { 200: s.paused, ...problemResponses(...notFound, 400, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await (await sweep(req)).ops.pause({ by: req.principal!.name, reason: req.body.reason, until: req.body.until ? new Date(req.body.until) : null, replace: req.body.replace === true })),
  );

  routes.post(
    path('/sweep/resume'),
    {
      schema: {
        summary: `Resume a paused sweep${of}`,
        tags: ['operations'],
        ...(scoped ? { params: params() } : {}),
        response: { 200: s.resumed, ...problemResponses(...notFound, 409, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await (await sweep(req)).ops.resume({ by: req.principal!.name })),
  );

  routes.get(
    path('/sweep/status'),
    {
      schema: {
        summary: `Enabled or paused, next fire time, lock holder and TTL, current run, last runs, failures${of}`,
        tags: ['operations'],
        ...(scoped ? { params: params() } : {}),
        response: { 200: s.statusResponse, ...problemResponses(...notFound, 503, ...AUTH_PROBLEMS) },
      },
    },
    async (req, reply) => {
      // Schedule, lock, queues and workers live in Redis: while it is away, say so within a second.
      if (!(await redisReady(1_000))) {
        return sendProblem(req, reply, {
          status: 503,
          slug: 'redis-unavailable',
          detail: 'Redis (REDIS_URL) is not reachable: the schedule, the lock, the queues and the workers cannot be read. The execution log (Postgres) is still at GET /v1/runs; see /readyz',
        });
      }
      const { ops, lockKey } = await sweep(req);
      const st = await ops.status();
      return toJson({ ...st, lock: { key: lockKey, ...st.lock } });
    },
  );

  routes.get(
    path('/runs'),
    {
      schema: {
        summary: `The execution log, newest first${of}`,
        tags: ['operations'],
        ...(scoped ? { params: params() } : {}),
        querystring: s.runsQuery,
        response: { 200: s.runsResponse, ...problemResponses(...notFound, 400, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => {
      const status = req.query.status && isRunStatus(req.query.status) ? req.query.status : undefined;
      return toJson(await (await sweep(req)).ops.runs({ limit: Number(req.query.limit ?? 20), status }));
    },
  );

  routes.get(
    path('/runs/:id'),
    {
      schema: {
        summary: `One run${of}`,
        tags: ['operations'],
        params: params(s.runParams),
        response: { 200: s.runSchema, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await (await sweep(req)).ops.run(parseId((req.params as { id: string }).id))),
  );

  routes.post(
    path('/runs/:id/cancel'),
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: `Cancel a run held by the blast-radius guard${of}`,
        tags: ['operations'],
        params: params(s.runParams),
        body: s.cancelBody,
        response: { 200: s.runSchema, ...problemResponses(400, 404, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    // cancelHeld answers the row it just resolved (`get` after an update of that row): never null.
    async (req) => toJson((await (await sweep(req)).ops.cancelHeld({ by: req.principal!.name, runId: parseId((req.params as { id: string }).id), reason: req.body?.reason }))!),
  );

  routes.get(
    path('/sweep/lock'),
    {
      schema: { summary: `Who holds the sweep lock and for how long${of}`, tags: ['operations'], ...(scoped ? { params: params() } : {}), response: { 200: s.lockResponse, ...problemResponses(...notFound, ...AUTH_PROBLEMS) } },
    },
    async (req) => {
      const { ops, lockKey } = await sweep(req);
      return toJson({ key: lockKey, ...(await ops.lockStatus()) });
    },
  );

  routes.post(
    path('/sweep/lock/release'),
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: `Release a stuck sweep lock${of}`,
        description: "Refused (409) while the holder's run is alive unless force is true; a running row of a dead holder is closed as abandoned.",
        tags: ['operations'],
        ...(scoped ? { params: params() } : {}),
        body: s.releaseBody,
        response: { 200: s.releaseResponse, ...problemResponses(...notFound, 400, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await (await sweep(req)).ops.releaseLock({ by: req.principal!.name, force: req.body?.force, reason: req.body?.reason })),
  );

  if (scoped) return;
  routes.get(
    '/v1/alerts',
    {
      schema: {
        summary: 'Recent alerts, newest first',
        tags: ['operations'],
        querystring: s.previewQuery,
        response: { 200: s.alertsResponse, ...problemResponses(...notFound, 400, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await recentAlerts(Math.min(Number(req.query.limit ?? 50), 500))),
  );
};
