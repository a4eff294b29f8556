/**
 * A peer mentor's own choices (issue 16): whether reminders also come by e-mail, and the language
 * of their messages. Every change is written with its audit row in one transaction; the one-click
 * unsubscribe changes nothing (and audits nothing) when e-mail is already off.
 */
import type { PrismaClient } from '../db/prisma';
import type { Locale } from '../domain/programme';

export type MentorPreferences = {
  peerMentorId: number;
  email: string | null;
  reminderEmail: boolean;
  locale: Locale | null;
  /** The language messages are in when the mentor chose none: their programme's (an active assignment's), else nb. */
  programmeLocale: Locale;
  updatedAt: Date | null;
};

export type PreferenceChanges = { reminderEmail?: boolean; locale?: Locale | null };

type Audited = { reminderEmail: boolean; locale: Locale | null };

export function createMentorPreferenceRepository(prisma: PrismaClient) {
  async function get(peerMentorId: number): Promise<MentorPreferences | null> {
    const [r] = await prisma.$queryRaw<MentorPreferences[]>`
      SELECT m.id AS "peerMentorId", m.email, m.reminder_email AS "reminderEmail", m.locale, m.preferences_updated_at AS "updatedAt",
             coalesce((SELECT p.default_locale FROM assignments a JOIN programmes p ON p.id = a.programme_id
                        WHERE a.peer_mentor_id = m.id AND a.status = 'active' ORDER BY a.programme_id LIMIT 1), 'nb') AS "programmeLocale"
        FROM peer_mentors m WHERE m.id = ${peerMentorId}::int`;
    return r ?? null;
  }

  return {
    get,

    /**
     * Applies the changes that differ from what is stored, with a `preferences.update` audit row
     * (before, after, actor); `changed: false` (and no audit row) when nothing differs. Null: no such mentor.
     */
    update: (peerMentorId: number, changes: PreferenceChanges, actor: string, now: Date) =>
      prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<Audited[]>`SELECT reminder_email AS "reminderEmail", locale FROM peer_mentors WHERE id = ${peerMentorId}::int FOR UPDATE`;
        if (!row) return null;
        const before: Audited = { reminderEmail: row.reminderEmail, locale: row.locale };
        const after: Audited = { reminderEmail: changes.reminderEmail ?? before.reminderEmail, locale: changes.locale === undefined ? before.locale : changes.locale };
        if (after.reminderEmail === before.reminderEmail && after.locale === before.locale) return { changed: false };
        await tx.peerMentor.update({ where: { id: peerMentorId }, data: { reminderEmail: after.reminderEmail, locale: after.locale, preferencesUpdatedAt: now } });
        await tx.adminAuditLog.create({ data: { actor, action: 'preferences.update', targetType: 'peer_mentor', targetId: String(peerMentorId), before, after, createdAt: now } });
        return { changed: true };
      }),

    /** Turns reminder e-mail off (`preferences.unsubscribe`, audited once); null: no such mentor. */
    unsubscribe: (peerMentorId: number, actor: string, now: Date) =>
      prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ reminderEmail: boolean }[]>`SELECT reminder_email AS "reminderEmail" FROM peer_mentors WHERE id = ${peerMentorId}::int FOR UPDATE`;
        if (!row) return null;
        if (!row.reminderEmail) return { changed: false };
        await tx.peerMentor.update({ where: { id: peerMentorId }, data: { reminderEmail: false, preferencesUpdatedAt: now } });
        await tx.adminAuditLog.create({
          data: { actor, action: 'preferences.unsubscribe', targetType: 'peer_mentor', targetId: String(peerMentorId), before: { reminderEmail: true }, after: { reminderEmail: false }, createdAt: now },
        });
        return { changed: true };
      }),
  };
}

export type MentorPreferenceRepository = ReturnType<typeof createMentorPreferenceRepository>;
