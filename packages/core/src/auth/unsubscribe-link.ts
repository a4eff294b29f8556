/**
 * The signed, expiring per-mentor link of every reminder e-mail's List-Unsubscribe header (RFC 8058
 * one-click): it works without a login, so it carries its own proof. The token is
 * `<mentorId>.<expiry, epoch seconds>.<HMAC-SHA256 of both, base64url>`, the key made once by the
 * migration (signing_keys, purpose `unsubscribe`) and shared by every process of a deployment.
 * A token says nothing beyond the mentor's id; verifying it is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock';
import type { PrismaClient } from '../db/prisma';

export type UnsubscribeVerdict =
  | { ok: true; mentorId: number; expiresAt: Date }
  | { ok: false; why: 'malformed' | 'bad_signature' | 'expired' };

export type UnsubscribeLinks = {
  /** The token for a mentor, valid for `ttlDays` from now. */
  tokenFor(mentorId: number): string;
  /** The link for a mentor: `${publicApiUrl}/v1/unsubscribe/${token}`. */
  urlFor(mentorId: number): string;
  verify(token: string): UnsubscribeVerdict;
};

export type UnsubscribeLinkDeps = { secret: string; publicApiUrl: string; ttlDays: number; clock: Clock };

const TOKEN = /^([1-9]\d{0,9})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function createUnsubscribeLinks(deps: UnsubscribeLinkDeps): UnsubscribeLinks {
  const sign = (payload: string) => createHmac('sha256', deps.secret).update(`unsubscribe:${payload}`).digest();
  const tokenFor = (mentorId: number) => {
    const expires = Math.floor(deps.clock.now().getTime() / 1000) + deps.ttlDays * 86_400;
    const payload = `${mentorId}.${expires}`;
    return `${payload}.${sign(payload).toString('base64url')}`;
  };
  return {
    tokenFor,
    urlFor: (mentorId) => `${deps.publicApiUrl}/v1/unsubscribe/${tokenFor(mentorId)}`,
    verify(token) {
      const m = TOKEN.exec(token);
      if (!m) return { ok: false, why: 'malformed' };
      const given = Buffer.from(m[3]!, 'base64url');
      const expected = sign(`${m[1]}.${m[2]}`);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: 'bad_signature' };
      const expiresAt = new Date(Number(m[2]) * 1000);
      if (expiresAt.getTime() <= deps.clock.now().getTime()) return { ok: false, why: 'expired' };
      return { ok: true, mentorId: Number(m[1]), expiresAt };
    },
  };
}

/** The deployment's signing key for `purpose`, made by the migration. */
export async function loadSigningKey(prisma: PrismaClient, purpose: 'unsubscribe'): Promise<string> {
  const row = await prisma.signingKey.findUnique({ where: { purpose } });
  if (!row) throw new Error(`signing key "${purpose}" is missing from signing_keys: run the migrations (npx reminders migrate)`);
  return row.secret;
}

/**
 * Unsubscribe links whose key is read from the database on first use (composition roots are
 * synchronous; a worker that never sends e-mail never reads it). A failed read is tried again next time.
 */
export function createLazyUnsubscribeLinks(prisma: PrismaClient, deps: Omit<UnsubscribeLinkDeps, 'secret'>) {
  let links: Promise<UnsubscribeLinks> | null = null;
  const get = () => {
    links ??= loadSigningKey(prisma, 'unsubscribe').then(
      (secret) => createUnsubscribeLinks({ ...deps, secret }),
      (err: unknown) => {
        links = null;
        throw err;
      },
    );
    return links;
  };
  return { urlFor: async (mentorId: number) => (await get()).urlFor(mentorId), get };
}

export type LazyUnsubscribeLinks = ReturnType<typeof createLazyUnsubscribeLinks>;
