/**
 * A peer mentor's preferences over the API (issue 16): whether reminders also come by e-mail and
 * in which language, shown with whether their address can receive mail (a hard bounce or a
 * complaint made it undeliverable: reminders then come in-app only whatever the preference says).
 * Coordinator escalations are not a mentor preference and cannot be turned off here.
 */
import type { Clock } from '../clock';
import { maskAddress, normalizeAddress } from '../domain/email-address';
import type { Locale } from '../domain/programme';
import { AppError } from '../errors';
import type { EmailAddressRepository } from '../repositories/email-address-repository';
import type { MentorPreferenceRepository, PreferenceChanges } from '../repositories/mentor-preference-repository';

export type PreferenceServiceDeps = { preferences: MentorPreferenceRepository; addresses: EmailAddressRepository; clock: Clock };

export type PreferencesView = {
  peerMentorId: number;
  reminderEmail: boolean;
  locale: Locale | null;
  /** Null when the mentor has no address. */
  email: { address: string; undeliverable: boolean; since: Date | null; reason: string | null } | null;
  updatedAt: Date | null;
};

export function createPreferenceService(deps: PreferenceServiceDeps) {
  const { preferences, addresses, clock } = deps;

  async function get(peerMentorId: number): Promise<PreferencesView> {
    const p = await preferences.get(peerMentorId);
    if (!p) throw new AppError('not_found', 'peer-mentor-not-found', `peer mentor ${peerMentorId} does not exist`);
    const state = p.email ? await addresses.state(normalizeAddress(p.email)) : null;
    return {
      peerMentorId: p.peerMentorId,
      reminderEmail: p.reminderEmail,
      locale: p.locale,
      email: p.email ? { address: maskAddress(p.email.trim()), undeliverable: !!state?.undeliverableAt, since: state?.undeliverableAt ?? null, reason: state?.undeliverableReason ?? null } : null,
      updatedAt: p.updatedAt,
    };
  }

  return {
    get,

    /** Sets the given preferences (at least one); audited `preferences.update` when anything changes. */
    async update(peerMentorId: number, changes: PreferenceChanges, actor: string): Promise<PreferencesView> {
      if (changes.reminderEmail === undefined && changes.locale === undefined) {
        throw new AppError('invalid', 'validation-error', 'give at least one of reminder_email and locale', [{ pointer: '/', detail: 'give at least one of reminder_email and locale' }]);
      }
      const by = actor.trim();
      if (!by) throw new AppError('invalid', 'validation-error', 'the actor making the change must be named');
      const r = await preferences.update(peerMentorId, changes, by, clock.now());
      if (!r) throw new AppError('not_found', 'peer-mentor-not-found', `peer mentor ${peerMentorId} does not exist`);
      return get(peerMentorId);
    },
  };
}

export type PreferenceService = ReturnType<typeof createPreferenceService>;
