/**
 * Errors that happen before or outside the routes' own handling, in the same problem+json shape as
 * every other answer: requests Node refuses before Fastify sees them (431 header too large, 408,
 * 400), JSON bodies nested deeper than anything this API takes (refused before parsing; deep
 * nesting made the board answer 500), and the Bull Board scope, whose plugin installs its own
 * error handler.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem';

/** The deepest JSON nesting any route accepts (the bulk activities body is 3 levels deep). */
export const MAX_JSON_DEPTH = 32;

/** The first depth over `max` in a JSON text (strings skipped), or 0 when within it. */
export function jsonDepthOver(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return 0;
}

const slugOf = (status: number) => (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '-');

/** Fastify's `clientErrorHandler`: Node's own refusals as problem+json on the raw socket. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail = { 431: 'the request headers are larger than the server accepts (16 KiB in all)', 408: 'the request took too long to arrive', 400: 'the request is not valid HTTP' }[status];
  const body = JSON.stringify({ type: problemType(slugOf(status)), title: STATUS_CODES[status], status, detail, instance: '' });
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(err);
}

/** JSON bodies: depth-checked before parsing, then parsed like Fastify's own parser (no __proto__). */
export function registerJsonParser(app: FastifyInstance): void {
  const defaultParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const depth = jsonDepthOver(body as string, MAX_JSON_DEPTH);
    if (depth) {
      const err = Object.assign(new Error(`the JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      return done(err, undefined);
    }
    defaultParser(req, body as string, done);
  });
}

/**
 * For the Bull Board scope: its plugin answers errors with its own JSON. This turns any error
 * answer there into problem+json, keeping `error` / `message` (what the board's UI shows).
 */
export function boardErrorsAsProblems(req: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (reply.statusCode < 400 || String(reply.getHeader('content-type') ?? '').startsWith(PROBLEM_CONTENT_TYPE) || typeof payload !== 'string') return payload;
  let parsed: { error?: unknown; message?: unknown } = {};
  try {
    parsed = JSON.parse(payload) as typeof parsed;
  } catch {
    parsed = { message: payload };
  }
  const status = reply.statusCode;
  const detail = status >= 500 ? 'an unexpected error occurred; the request_id identifies it in the service logs' : typeof parsed.message === 'string' ? parsed.message : (STATUS_CODES[status] ?? 'error');
  if (status >= 500) req.log.error({ board: parsed }, 'bull board request failed');
  reply.type(PROBLEM_CONTENT_TYPE);
  return JSON.stringify({ type: problemType(slugOf(status)), title: STATUS_CODES[status], status, detail, instance: req.url.split('?')[0], request_id: String(req.id), error: typeof parsed.error === 'string' ? parsed.error : STATUS_CODES[status], message: detail });
}
