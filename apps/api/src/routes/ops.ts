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

export type OpsRouteOptions = {
  ops: OpsService;
  /** The sweep lock's Redis key, shown beside its state. */
  lockKey: string;
  recentAlerts: (limit: number) => ReturnType<AlertRepository['recent']>;
  /** Whether Redis answers within `ms` (status answers 503 at once while it is away). */
  redisReady: (ms: number) => Promise<boolean>;
};

export const opsRoutes: FastifyPluginAsync<OpsRouteOptions> = async (app, { ops, lockKey, recentAlerts, redisReady }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/v1/sweep/trigger',
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: 'Run the sweep now (or let a held run go ahead)',
        description: 'Queues a manual run for the workers. With wait_seconds the answer waits for the final execution-log row. confirm_run_id lets a run held by the blast-radius guard go ahead once.',
        tags: ['operations'],
        body: s.triggerBody,
        response: { 200: s.triggerFinished, 202: s.triggerQueued, ...problemResponses(400, 404, 409, 413, 415, 422, ...AUTH_PROBLEMS) },
      },
    },
    async (req, reply) => {
      const { jobId } = await ops.trigger({ by: req.principal!.name, confirmRunId: req.body?.confirm_run_id });
      const wait = req.body?.wait_seconds ?? 0;
      if (wait === 0) return reply.code(202).send({ job_id: jobId, run: null });
      const run = await ops.waitForRun(jobId, wait * 1000);
      return { job_id: jobId, run: toJson(run) };
    },
  );

  routes.get(
    '/v1/sweep/preview',
    {
      schema: {
        summary: 'Dry run: who would be reminded if the sweep ran now',
        description: 'Reads only: writes no run row and sends nothing.',
        tags: ['operations'],
        querystring: s.previewQuery,
        response: { 200: s.previewResponse, ...problemResponses(400, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await ops.dryRun({ limit: Number(req.query.limit ?? 50) })),
  );

  routes.post(
    '/v1/sweep/pause',
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: 'Pause the sweep',
        description: 'Runs are logged as skipped_disabled until resumed (or until `until`, at most PAUSE_MAX_DAYS away). Pausing a paused sweep is a 409 unless `replace` is true.',
        tags: ['operations'],
        body: s.pauseBody,
        response: { 200: s.paused, ...problemResponses(400, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await ops.pause({ by: req.principal!.name, reason: req.body.reason, until: req.body.until ? new Date(req.body.until) : null, replace: req.body.replace === true })),
  );

  routes.post(
    '/v1/sweep/resume',
    {
      schema: {
        summary: 'Resume a paused sweep',
        tags: ['operations'],
        response: { 200: s.resumed, ...problemResponses(409, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await ops.resume({ by: req.principal!.name })),
  );

  routes.get(
    '/v1/sweep/status',
    {
      schema: {
        summary: 'Enabled or paused, next fire time, lock holder and TTL, current run, last runs, failures',
        tags: ['operations'],
        response: { 200: s.statusResponse, ...problemResponses(503, ...AUTH_PROBLEMS) },
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
      const st = await ops.status();
      return toJson({ ...st, lock: { key: lockKey, ...st.lock } });
    },
  );

  routes.get(
    '/v1/runs',
    {
      schema: {
        summary: 'The execution log, newest first',
        tags: ['operations'],
        querystring: s.runsQuery,
        response: { 200: s.runsResponse, ...problemResponses(400, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => {
      const status = req.query.status && isRunStatus(req.query.status) ? req.query.status : undefined;
      return toJson(await ops.runs({ limit: Number(req.query.limit ?? 20), status }));
    },
  );

  routes.get(
    '/v1/runs/:id',
    {
      schema: {
        summary: 'One run',
        tags: ['operations'],
        params: s.runParams,
        response: { 200: s.runSchema, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await ops.run(parseId(req.params.id))),
  );

  routes.post(
    '/v1/runs/:id/cancel',
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: 'Cancel a run held by the blast-radius guard',
        tags: ['operations'],
        params: s.runParams,
        body: s.cancelBody,
        response: { 200: s.runSchema, ...problemResponses(400, 404, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    // cancelHeld answers the row it just resolved (`get` after an update of that row): never null.
    async (req) => toJson((await ops.cancelHeld({ by: req.principal!.name, runId: parseId(req.params.id), reason: req.body?.reason }))!),
  );

  routes.get(
    '/v1/sweep/lock',
    {
      schema: { summary: 'Who holds the sweep lock and for how long', tags: ['operations'], response: { 200: s.lockResponse, ...problemResponses(...AUTH_PROBLEMS) } },
    },
    async () => toJson({ key: lockKey, ...(await ops.lockStatus()) }),
  );

  routes.post(
    '/v1/sweep/lock/release',
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: 'Release a stuck sweep lock',
        description: "Refused (409) while the holder's run is alive unless force is true; a running row of a dead holder is closed as abandoned.",
        tags: ['operations'],
        body: s.releaseBody,
        response: { 200: s.releaseResponse, ...problemResponses(400, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await ops.releaseLock({ by: req.principal!.name, force: req.body?.force, reason: req.body?.reason })),
  );

  routes.get(
    '/v1/alerts',
    {
      schema: {
        summary: 'Recent alerts, newest first',
        tags: ['operations'],
        querystring: s.previewQuery,
        response: { 200: s.alertsResponse, ...problemResponses(400, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => toJson(await recentAlerts(Math.min(Number(req.query.limit ?? 50), 500))),
  );
};
