/**
 * Bearer-token authentication and role checks.
 *
 * `registerAuth(app, ...)` (called on the root instance, so every plugin sees it) decorates
 * `app.requireRole(...roles)`, an onRequest hook any route can use, and guards every route listed
 * in ROUTE_ROLES automatically (a route under a guarded prefix that is not listed makes start-up
 * fail). Auth runs in onRequest, before the body is read: an unauthenticated caller cannot make
 * the service parse or validate anything. Failed attempts are logged (address, reason, route;
 * never the token) and counted per address (one count across API processes, in Redis); an address
 * over the limit gets 429 for its failed attempts, never for a request with a valid token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, RouteOptions } from 'fastify';
import type { Role } from '@reminders/core/auth/roles';
import type { Principal, TokenService } from '@reminders/core/auth/token-service';
import { GUARDED_PREFIXES, ROUTE_ROLES, SIGNED_LINK_ROUTES, routeKey } from '../route-roles';
import type { FailureLimiter } from './auth-failure-limiter';
import { AUTH_PROBLEMS, problemResponses } from '../schemas/common';
import { sendProblem } from './problem';

declare module 'fastify' {
  interface FastifyInstance {
    /** An onRequest hook that lets through only tokens whose role is one of `roles`. */
    requireRole(...roles: readonly Role[]): onRequestAsyncHookHandler;
  }
  interface FastifyRequest {
    /** The authenticated token, on routes guarded by `requireRole`. */
    principal?: Principal;
  }
}

export type AuthOptions = {
  tokens: TokenService;
  /** Failed-attempt counting per client address (shared with the Bull Board sign-in). */
  limiter: FailureLimiter;
};

const BEARER_RE = /^Bearer +(\S+) *$/i;
const REALM = 'Bearer realm="reminders"';

export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  const limiter = opts.limiter;

  async function unauthorized(req: FastifyRequest, reply: FastifyReply, reason: 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired') {
    if (reason !== 'missing') {
      // Only failed attempts are limited: a valid token from the same address is never refused.
      const retryAfter = await limiter.retryAfterSeconds(req.ip);
      if (retryAfter > 0) {
        reply.header('retry-after', String(retryAfter));
        return sendProblem(req, reply, { status: 429, slug: 'too-many-auth-failures', detail: `too many failed authentication attempts from this address; retry in ${retryAfter} s` });
      }
      const blockedNow = await limiter.fail(req.ip);
      req.log.warn({ ip: req.ip, reason, method: req.method, route: req.routeOptions.url }, 'authentication failed');
      if (blockedNow) req.log.warn({ ip: req.ip }, 'too many failed authentication attempts; further failures from this address get 429 for the rest of the window');
    }
    const detail = {
      missing: 'this route needs an "Authorization: Bearer <token>" header',
      malformed: 'the Authorization header is not a well-formed bearer token',
      unknown: 'the bearer token is not valid',
      revoked: 'the bearer token has been revoked',
      expired: 'the bearer token has expired; ask an admin for a new one (npx reminders token create)',
    }[reason];
    reply.header('www-authenticate', reason === 'missing' ? REALM : `${REALM}, error="invalid_token"`);
    return sendProblem(req, reply, { status: 401, slug: 'unauthorized', detail });
  }

  const hooks = new WeakSet<object>();
  function requireRole(...roles: readonly Role[]): onRequestAsyncHookHandler {
    const allowed = new Set(roles);
    const hook: onRequestAsyncHookHandler = async (req, reply) => {
      const header = req.headers.authorization;
      if (!header) return unauthorized(req, reply, 'missing');
      const m = BEARER_RE.exec(header);
      if (!m) return unauthorized(req, reply, 'malformed');
      const result = await opts.tokens.authenticate(m[1]!);
      if (!result.ok) return unauthorized(req, reply, result.reason);
      req.principal = result.principal;
      if (!allowed.has(result.principal.role)) {
        req.log.info({ tokenName: result.principal.name, role: result.principal.role, route: req.routeOptions.url }, 'role not allowed on route');
        return sendProblem(req, reply, {
          status: 403,
          slug: 'forbidden',
          detail: `role "${result.principal.role}" may not call ${req.method} ${req.routeOptions.url}; allowed: ${[...allowed].join(', ')}`,
        });
      }
    };
    hooks.add(hook);
    return hook;
  }

  app.decorate('requireRole', requireRole);
  app.decorateRequest('principal', undefined);

  // Guards every route in ROUTE_ROLES; documents it for OpenAPI (bearer scheme, allowed roles, 401 / 403 / 429).
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const key = routeKey(method === 'HEAD' ? 'GET' : method, route.url);
      const roles = ROUTE_ROLES[key];
      if (!roles) {
        // A signed link is its own proof (the route checks it and limits bad ones per address).
        if (SIGNED_LINK_ROUTES.includes(key)) continue;
        if (GUARDED_PREFIXES.some((p) => route.url.startsWith(p))) throw new Error(`route ${key} is not listed in ROUTE_ROLES (apps/api/src/route-roles.ts)`);
        continue;
      }
      const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
      if (!existing.some((h) => hooks.has(h))) route.onRequest = [requireRole(...roles), ...existing];
      const schema = (route.schema ??= {}) as Record<string, unknown>;
      schema.security = [{ bearerAuth: [] }];
      schema.response = { ...problemResponses(...AUTH_PROBLEMS), ...(schema.response as object | undefined) };
      const note = `Roles: ${roles.join(', ')}.`;
      schema.description = schema.description ? `${String(schema.description)}\n\n${note}` : note;
    }
  });
}
