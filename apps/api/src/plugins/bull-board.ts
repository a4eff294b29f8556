/**
 * Bull Board at /admin/queues, for browsers: HTTP Basic auth with an API token as the password
 * (any user name), or a Bearer token. Viewers get a read-only board (every state-changing request
 * is refused on the server); operators and admins may retry, promote, clean, pause and resume.
 * Note for operators: a job scheduler edited here is overwritten by the next worker start.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { TokenService } from '@reminders/core/auth/token-service';

export const BULL_BOARD_PATH = '/admin/queues';
const WRITE_ROLES = new Set(['operator', 'admin']);
const READ_ROLES = new Set(['viewer', 'operator', 'admin']);

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

export async function registerBullBoard(app: FastifyInstance, opts: { queues: Queue[]; tokens: TokenService }): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Follow-up reminders' } },
  });

  await app.register(async (scope) => {
    // The hook lives in the board's own encapsulated scope, so it guards every board route and asset.
    scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const challenge = () =>
        reply.code(401).header('www-authenticate', 'Basic realm="reminders bull board", charset="UTF-8"').type('text/plain').send('Sign in with any user name and an API token (viewer, operator or admin) as the password.\n');
      const token = tokenFromHeader(req.headers.authorization);
      if (!token) return challenge();
      const result = await opts.tokens.authenticate(token);
      if (!result.ok) {
        req.log.warn({ ip: req.ip, reason: result.reason }, 'bull board authentication failed');
        return challenge();
      }
      const role = result.principal.role;
      if (!READ_ROLES.has(role)) return reply.code(403).type('text/plain').send(`role "${role}" may not open the queue board\n`);
      const writes = req.method !== 'GET' && req.method !== 'HEAD';
      if (writes && !WRITE_ROLES.has(role)) {
        req.log.info({ tokenName: result.principal.name, method: req.method, url: req.url }, 'bull board change refused for a viewer');
        return reply.code(403).type('application/json').send({ error: 'Forbidden', message: `role "${role}" has read-only access to the queue board` });
      }
      if (writes) req.log.info({ tokenName: result.principal.name, method: req.method, url: req.url }, 'bull board change');
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
}
