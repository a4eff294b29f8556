/** Programmes over HTTP (the same service as `reminders programme ...`); every change is audited. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ProgrammeService } from '@reminders/core/services/programme-service';
import { AUTH_PROBLEMS, parseId, problemResponses } from '../schemas/common';
import {
  moveBody,
  moveParams,
  moveResponse,
  programmeCreateBody,
  programmeListResponse,
  programmeResponse,
  programmeShowResponse,
  programmeSlugParams,
  programmeUpdateBody,
} from '../schemas/programmes';
import { moveJson, programmeInput, programmeJson, programmeShowJson } from '../programme-presenters';

export const programmeRoutes: FastifyPluginAsync<{ programmes: ProgrammeService }> = async (app, { programmes }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/v1/programmes',
    { schema: { summary: 'List programmes', tags: ['programmes'], response: { 200: programmeListResponse, ...problemResponses(...AUTH_PROBLEMS) } } },
    async () => ({ programmes: (await programmes.list()).map(programmeJson) }),
  );

  routes.get(
    '/v1/programmes/:slug',
    {
      schema: {
        summary: 'A programme and how many assignments and runs belong to it',
        tags: ['programmes'],
        params: programmeSlugParams,
        response: { 200: programmeShowResponse, ...problemResponses(400, 404, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => programmeShowJson(await programmes.show(req.params.slug)),
  );

  routes.post(
    '/v1/programmes',
    {
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Create a programme',
        description:
          "A new programme with its own sweep (enabled). `slug` and `name` are required; a setting left out is the default programme's. `stop_after` may not be below `escalate_after`. `delivery` (digest | each) and `absence_policy` (freeze | cover) say how its mentors are e-mailed and what their absences do. Writes one admin_audit_log row (`programme.create`).",
        tags: ['programmes'],
        body: programmeCreateBody,
        response: { 201: programmeResponse, ...problemResponses(400, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req, reply) => reply.code(201).send(programmeJson(await programmes.create(programmeInput(req.body), req.principal!.name))),
  );

  routes.patch(
    '/v1/programmes/:slug',
    {
      bodyLimit: 16 * 1024,
      schema: {
        summary: "Change a programme's settings",
        description:
          'Changes the given settings (at least one); the slug never changes. The next sweep of the programme uses them. Changing `default` ends its tie to the environment (`from_environment` becomes false). Writes one admin_audit_log row (`programme.update`) with the settings before and after.',
        tags: ['programmes'],
        params: programmeSlugParams,
        body: programmeUpdateBody,
        response: { 200: programmeResponse, ...problemResponses(400, 404, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => programmeJson(await programmes.update(req.params.slug, programmeInput(req.body), req.principal!.name)),
  );

  routes.delete(
    '/v1/programmes/:slug',
    {
      schema: {
        summary: 'Delete a programme',
        description:
          'Only a programme no assignment and no run belongs to (409 otherwise, saying how many); `default` is never deleted. Its sweep state goes with it. Writes one admin_audit_log row (`programme.delete`). Answers with the programme as it was.',
        tags: ['programmes'],
        params: programmeSlugParams,
        response: { 200: programmeResponse, ...problemResponses(400, 404, 409, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => programmeJson(await programmes.delete(req.params.slug, req.principal!.name)),
  );

  routes.post(
    '/v1/assignments/:id/programme',
    {
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Move an assignment to another programme',
        description:
          "From its next sweep on, the assignment follows the new programme's rules, time zone and send time. Writes one admin_audit_log row (`assignment.move_programme`) with the programme before and after and the reason.",
        tags: ['programmes'],
        params: moveParams,
        body: moveBody,
        response: { 200: moveResponse, ...problemResponses(400, 404, 409, 413, 415, ...AUTH_PROBLEMS) },
      },
    },
    async (req) => moveJson(await programmes.moveAssignment({ assignmentId: parseId(req.params.id), to: req.body.programme, reason: req.body.reason, actor: req.principal!.name })),
  );
};
