/** pino logger: JSON in production, pretty in a terminal; secrets and e-mail addresses redacted. */
import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log record. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'email',
  '*.email',
  '*.*.email',
  'to',
  '*.to',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
];

const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const BEARER_RE = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const URL_PASSWORD_RE = /(\/\/[^:/@\s]+:)[^@\s]+@/g;

/** Scrubs e-mail addresses, bearer tokens and URL passwords out of free text (error messages). */
export function scrubText(text: string): string {
  return text.replace(EMAIL_RE, '[email]').replace(BEARER_RE, '$1[redacted]').replace(URL_PASSWORD_RE, '$1***@');
}

/**
 * A URL with its query values blanked (`/v1/x?token=[redacted]&limit=[redacted]`): a token or an
 * address sent in a query string must never reach a log line, and the keys are enough to debug.
 */
export function redactQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? (pair ? '[redacted]' : pair) : `${pair.slice(0, eq)}=[redacted]`;
  });
  return `${url.slice(0, q)}?${query.join('&')}`;
}

/**
 * Path segments that are secrets or personal data: the signed unsubscribe token, and the address
 * in /v1/email-addresses/{address}/undeliverable. Fastify's request line logs the whole path.
 */
const SECRET_PATH_RE = /(\/v1\/(?:unsubscribe|email-addresses)\/)[^/?#]+/g;

/** A URL fit for a log line: query values blanked (redactQuery) and secret path segments replaced. */
export function redactUrl(url: string): string {
  return redactQuery(url).replace(SECRET_PATH_RE, '$1[redacted]');
}

export function createLogger(
  config: Pick<Config, 'logLevel' | 'nodeEnv'>,
  opts: { name?: string; destination?: pino.DestinationStream; pretty?: boolean } = {},
): Logger {
  const pretty = opts.pretty ?? (config.nodeEnv === 'development' && process.stdout.isTTY && !opts.destination);
  const options: pino.LoggerOptions = {
    name: opts.name,
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      log: (obj) => {
        if (typeof obj.msg === 'string') obj.msg = scrubText(obj.msg);
        // Fastify's request line (req.url) and our own lines (url) carry the raw path and query string.
        const req = obj.req as { url?: unknown } | undefined;
        // (this runs before the serializers: a child object keeps everything else the request has)
        if (req && typeof req.url === 'string') obj.req = Object.create(req, { url: { value: redactUrl(req.url), enumerable: true } });
        if (typeof obj.url === 'string') obj.url = redactUrl(obj.url);
        const err = obj.err as { message?: string } | undefined;
        if (err && typeof err.message === 'string') err.message = scrubText(err.message);
        return obj;
      },
    },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = scrubText(args[i] as string);
        method.apply(this, args as Parameters<typeof method>);
      },
    },
  };
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
