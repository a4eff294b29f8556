/**
 * The one-click unsubscribe link of every reminder e-mail (RFC 8058), without a login: the signed
 * token is the proof. `view` (the GET a mail scanner may follow) changes nothing; `unsubscribe`
 * (the POST a mail client or the page's button sends) turns reminder e-mail off once, audited as
 * `preferences.unsubscribe` by `unsubscribe-link:mentor:<id>`; repeating it answers the same.
 * The signing key is read once from signing_keys, on first use (no process connects at build time).
 */
import type { Clock } from '../clock';
import type { PrismaClient } from '../db/prisma';
import type { Locale } from '../domain/programme';
import { createUnsubscribeLinks, loadSigningKey, type UnsubscribeLinks } from '../auth/unsubscribe-link';
import type { MentorPreferenceRepository } from '../repositories/mentor-preference-repository';

export type UnsubscribeState = 'confirm' | 'done' | 'expired' | 'invalid' | 'not_found';
export type UnsubscribeAnswer = { state: UnsubscribeState; locale: Locale; mentorId: number | null };

export type UnsubscribeServiceDeps = {
  prisma: PrismaClient;
  preferences: MentorPreferenceRepository;
  clock: Clock;
  /** config.links.publicApiUrl and config.links.unsubscribeLinkDays. */
  publicApiUrl: string;
  ttlDays: number;
};

export const unsubscribeActor = (mentorId: number) => `unsubscribe-link:mentor:${mentorId}`;

export function createUnsubscribeService(deps: UnsubscribeServiceDeps) {
  let links: Promise<UnsubscribeLinks> | null = null;
  const linksOf = () =>
    (links ??= loadSigningKey(deps.prisma, 'unsubscribe').then(
      (secret) => createUnsubscribeLinks({ secret, publicApiUrl: deps.publicApiUrl, ttlDays: deps.ttlDays, clock: deps.clock }),
      (err: unknown) => {
        links = null;
        throw err;
      },
    ));

  /** The token's mentor and the language to answer in, or why the token is refused. */
  async function check(token: string): Promise<{ ok: true; mentorId: number; locale: Locale; reminderEmail: boolean } | { ok: false; answer: UnsubscribeAnswer }> {
    const v = (await linksOf()).verify(token);
    if (!v.ok) {
      if (v.why !== 'expired') return { ok: false, answer: { state: 'invalid', locale: 'nb', mentorId: null } };
      // An expired token's signature was good (verify checks it first): its mentor id is genuine.
      const id = Number(token.split('.')[0]);
      const p = await deps.preferences.get(id);
      return { ok: false, answer: { state: 'expired', locale: p ? (p.locale ?? p.programmeLocale) : 'nb', mentorId: null } };
    }
    const p = await deps.preferences.get(v.mentorId);
    if (!p) return { ok: false, answer: { state: 'not_found', locale: 'nb', mentorId: null } };
    return { ok: true, mentorId: p.peerMentorId, locale: p.locale ?? p.programmeLocale, reminderEmail: p.reminderEmail };
  }

  return {
    /** For the e-mails: the link of a mentor (the worker composes its own UnsubscribeLinks; this is the API's). */
    links: linksOf,

    /** What the GET page shows: the confirm button, or `done` when e-mail is already off. Changes nothing. */
    async view(token: string): Promise<UnsubscribeAnswer> {
      const c = await check(token);
      if (!c.ok) return c.answer;
      return { state: c.reminderEmail ? 'confirm' : 'done', locale: c.locale, mentorId: c.mentorId };
    },

    /** Turns reminder e-mail off; `done` again (and nothing written) when it already is. */
    async unsubscribe(token: string): Promise<UnsubscribeAnswer> {
      const c = await check(token);
      if (!c.ok) return c.answer;
      const r = await deps.preferences.unsubscribe(c.mentorId, unsubscribeActor(c.mentorId), deps.clock.now());
      if (!r) return { state: 'not_found', locale: 'nb', mentorId: null };
      return { state: 'done', locale: c.locale, mentorId: c.mentorId };
    },
  };
}

export type UnsubscribeService = ReturnType<typeof createUnsubscribeService>;
