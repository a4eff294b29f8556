/**
 * Bull Board at /admin/queues, for browsers: HTTP Basic auth with an API token as the password
 * (any user name), or a Bearer token. Viewers get a read-only board (every state-changing request
 * is refused on the server); operators and admins may make the writes on the allowlist in
 * `board-writes.ts` (pause / resume a queue, retry / promote / clean a job, clean finished jobs),
 * each one written to admin_audit_log before it happens; every other write is refused (403).
 * Note for operators: a job scheduler edited here is overwritten by the next worker start.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Job, type Queue } from 'bullmq';
import type { Principal, TokenService } from '@reminders/core/auth/token-service';
import type { Clock } from '@reminders/core/clock';
import type { AuditRepository } from '@reminders/core/repositories/audit-repository';
import type { FailureLimiter } from './auth-failure-limiter';
import { BOARD_PREFIX, classifyBoardWrite, isFinishedState, type BoardWrite } from './board-writes';
import { boardErrorsAsProblems } from './edge-errors';
import { sendProblem } from './problem';

export const BULL_BOARD_PATH = BOARD_PREFIX;
const WRITE_ROLES = new Set(['operator', 'admin']);
const READ_ROLES = new Set(['viewer', 'operator', 'admin']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The allowlisted board write this request makes (set in onRequest, audited in preHandler). */
    boardWrite?: BoardWrite & { principal: Principal };
  }
}

export function tokenFromHeader(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer +(\S+) *$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) || null : null;
}

export type BullBoardOptions = { queues: Queue[]; tokens: TokenService; audit: AuditRepository; clock: Clock; limiter: FailureLimiter };

export async function registerBullBoard(app: FastifyInstance, opts: BullBoardOptions): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Follow-up reminders' } },
  });
  const byName = new Map(opts.queues.map((q) => [q.name, q]));

  // `error` / `message` are what the board's UI shows in its error toast (problem+json extension members).
  const refuse = (req: FastifyRequest, reply: FastifyReply, detail: string) =>
    sendProblem(req, reply, { status: 403, slug: 'board-write-refused', title: 'This board action is refused', detail, extensions: { error: 'Refused by the reminders service', message: detail } });

  await app.register(async (scope) => {
    // The hook lives in the board's own encapsulated scope, so it guards every board route and asset.
    scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const challenge = () =>
        reply.code(401).header('www-authenticate', 'Basic realm="reminders bull board", charset="UTF-8"').type('text/plain').send('Sign in with any user name and an API token (viewer, operator or admin) as the password.\n');
      const token = tokenFromHeader(req.headers.authorization);
      if (!token) return challenge();
      const result = await opts.tokens.authenticate(token);
      if (!result.ok) {
        // Counted with /v1's failures (same address, same limit); a valid token is never refused.
        const retryAfter = await opts.limiter.retryAfterSeconds(req.ip);
        if (retryAfter > 0) {
          reply.header('retry-after', String(retryAfter));
          return sendProblem(req, reply, { status: 429, slug: 'too-many-auth-failures', detail: `too many failed sign-ins from this address; retry in ${retryAfter} s` });
        }
        await opts.limiter.fail(req.ip);
        req.log.warn({ ip: req.ip, reason: result.reason }, 'bull board authentication failed');
        return challenge();
      }
      const role = result.principal.role;
      if (!READ_ROLES.has(role)) return sendProblem(req, reply, { status: 403, slug: 'forbidden', detail: `role "${role}" may not open the queue board` });
      if (req.method === 'GET' || req.method === 'HEAD') return;
      if (!WRITE_ROLES.has(role)) {
        req.log.info({ tokenName: result.principal.name, method: req.method, url: req.url }, 'bull board change refused for a viewer');
        const detail = `role "${role}" has read-only access to the queue board`;
        return sendProblem(req, reply, { status: 403, slug: 'forbidden', detail, extensions: { error: 'Refused by the reminders service', message: detail } });
      }
      const write = classifyBoardWrite(req.method, req.routeOptions.url, req.params as Record<string, string>);
      if (!write.action) {
        req.log.info({ tokenName: result.principal.name, route: write.route }, 'bull board change refused: not on the allowlist');
        return refuse(req, reply, write.why);
      }
      req.boardWrite = { ...write, principal: result.principal };
    });

    // After the body is read and before the board acts: a per-job clean must concern a finished
    // job, and every allowed write is audited first (no audit row, no change).
    scope.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
      const w = req.boardWrite;
      if (!w) return;
      const params = req.params as Record<string, string>;
      if (w.action === 'board.job.clean') {
        const queue = byName.get(params.queueName ?? '');
        const job = queue ? await Job.fromId(queue, params.jobId ?? '') : undefined;
        const state = job ? await job.getState() : 'missing';
        if (job && !isFinishedState(state)) return refuse(req, reply, `cleaning job ${params.jobId} is refused: it is ${state}, and only finished jobs (completed, failed) may be cleaned`);
      }
      await opts.audit.record({
        actor: w.principal.name,
        action: w.action!,
        targetType: 'queue',
        targetId: params.jobId ? `${params.queueName}/${params.jobId}` : (params.queueName ?? null),
        after: { route: w.route, url: req.url.split('?')[0], params, body: req.body ?? null, role: w.principal.role },
        reason: `bull board: ${w.why}`,
        now: opts.clock.now(),
      });
      req.log.info({ tokenName: w.principal.name, action: w.action, route: w.route }, 'bull board change (audited)');
    });
    // The board's plugin answers its errors in its own JSON: make them problem+json like the rest.
    scope.addHook('onSend', async (req, reply, payload) => boardErrorsAsProblems(req, reply, payload));
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
}
