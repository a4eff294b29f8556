/** Admin token management over HTTP (the same service as `reminders token ...`). */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { TokenService } from '@reminders/core/auth/token-service';
import { AUTH_PROBLEMS, problemResponses } from '../schemas/common';
import { tokenCreateBody, tokenCreateResponse, tokenListResponse, tokenNameParams, tokenRevokeResponse } from '../schemas/tokens';
import { tokenJson } from '../presenters';

export const tokenRoutes: FastifyPluginAsync<{ tokens: TokenService }> = async (app, { tokens }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/v1/tokens',
    { schema: { summary: 'List API tokens (never their values)', tags: ['tokens'], response: { 200: tokenListResponse, ...problemResponses(...AUTH_PROBLEMS) } } },
    async () => ({ tokens: (await tokens.list()).map(tokenJson) }),
  );

  routes.post(
    '/v1/tokens',
    {
      bodyLimit: 4 * 1024,
      schema: {
        summary: 'Create an API token',
        description: 'The answer holds the token; it is shown only once (only its sha256 is stored), and is never cached (`Cache-Control: no-store`). It expires after `expires_in`, or the default lifetime of its role (TOKEN_LIFETIME_DAYS_*).',
        tags: ['tokens'],
        body: tokenCreateBody,
        response: { 201: tokenCreateResponse, ...problemResponses(400, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req, reply) => {
      const { token, record } = await tokens.create({ name: req.body.name, role: req.body.role, createdBy: `token:${req.principal!.name}`, expiresIn: req.body.expires_in });
      // The body holds a secret: no cache (browser, proxy) may keep it.
      return reply.code(201).header('cache-control', 'no-store').header('pragma', 'no-cache').send({ ...tokenJson(record), token });
    },
  );

  routes.post(
    '/v1/tokens/:name/revoke',
    {
      schema: {
        summary: 'Revoke an API token',
        description: 'Takes effect on the next request. Revoking a revoked token changes nothing.',
        tags: ['tokens'],
        params: tokenNameParams,
        response: { 200: tokenRevokeResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => {
      const { record, already } = await tokens.revoke(req.params.name, `token:${req.principal!.name}`);
      return { ...tokenJson(record), already_revoked: already };
    },
  );
};
