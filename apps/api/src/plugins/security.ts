/**
 * Browser-facing protections for every response and every write.
 *
 * Headers (helmet's, on every response, errors and 404s included): a CSP under which Bull
 * Board still works (its scripts and styles are its own files; it needs inline styles, React sets
 * style attributes), `frame-ancestors 'none'` and `X-Frame-Options: DENY` (no page may frame the
 * board), nosniff, `Referrer-Policy: no-referrer`, HSTS. helmet's middleware runs once, at start-up,
 * and its headers are set from that list on every request: @fastify/helmet built helmet's
 * middleware afresh (and re-parsed the CSP) on every request, ~7% of a registration's API CPU.
 *
 * CSRF: the board is signed in with HTTP Basic, which a browser re-sends by itself, so a page on
 * another origin (or another port of the same site) could make writes with an operator's cached
 * credentials. Every write (any method but GET / HEAD / OPTIONS) is therefore refused unless
 * - `Sec-Fetch-Site`, when sent, is `same-origin` or `none` (typed or bookmarked), and
 * - `Origin`, when sent, is this service's own origin;
 * - a write with a body sends it as `application/json` (else 415): HTML forms and
 *   `navigator.sendBeacon` cannot send that type cross-origin without a CORS preflight, which this
 *   service never grants.
 * A write without a body (the board's PUT .../pause, `curl -X POST .../v1/sweep/resume`) may come
 * without a Content-Type: it carries no data to misread, and the Origin / Sec-Fetch-Site checks
 * above are what stops a cross-site one. Non-browser clients (curl, the CLI) send neither header.
 *
 * The one-click unsubscribe POST (SIGNED_LINK_ROUTES) is exempt from both: it uses no ambient
 * credential (the signed link in its URL is the whole authority, so a cross-site request can do
 * nothing the link's holder could not), and RFC 8058 has mail providers send it from their own
 * servers as an HTML form (application/x-www-form-urlencoded or multipart/form-data).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { sendProblem } from './problem';
import { SIGNED_LINK_ROUTES, routeKey } from '../route-roles';

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Not upgrade-insecure-requests: the service is reached over plain HTTP on loopback and behind
  // TLS-terminating proxies alike; HSTS covers the TLS case.
  upgradeInsecureRequests: null,
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SAME = new Set(['same-origin', 'none']);

const hasBody = (req: FastifyRequest) => {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
};

const isJson = (contentType: string | undefined) => !!contentType && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim());

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).host === new URL(b).host;
  } catch {
    return false;
  }
}

/** Why a write is refused as cross-site, or null when it may proceed. */
export function crossSiteProblem(req: FastifyRequest): string | null {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && !SAME.has(String(site))) return `Sec-Fetch-Site is "${String(site)}": writes are accepted only from this service's own pages (same-origin)`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    // Compared as URLs, so a default port written out (http://host:80) still matches.
    if (!sameHost(origin, `${req.protocol}://${req.host}`)) return `Origin ${origin} is not this service's own origin: cross-site writes are refused`;
  }
  return null;
}

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  crossOriginEmbedderPolicy: false,
};

/** The headers helmet's middleware sets for `options`, found by running it once against a recording response. */
export function helmetHeaders(options: HelmetOptions): [name: string, value: string][] {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return [...headers];
}

export async function registerSecurity(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders(HELMET_OPTIONS);
  // On the raw response, as helmet does: a route that sets its own (the API docs' CSP) still wins.
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (SAFE_METHODS.has(req.method)) return;
    if (req.routeOptions.url && SIGNED_LINK_ROUTES.includes(routeKey(req.method, req.routeOptions.url))) return;
    const crossSite = crossSiteProblem(req);
    if (crossSite) {
      req.log.warn({ method: req.method, url: req.url.split('?')[0], origin: req.headers.origin, secFetchSite: req.headers['sec-fetch-site'] }, 'cross-site write refused');
      return sendProblem(req, reply, { status: 403, slug: 'cross-site-write', title: 'Cross-site write refused', detail: crossSite });
    }
    if (hasBody(req) && !isJson(req.headers['content-type'])) {
      return sendProblem(req, reply, { status: 415, slug: 'unsupported-media-type', detail: `send the body as application/json (got ${req.headers['content-type'] || 'no content type'})` });
    }
  });
}
