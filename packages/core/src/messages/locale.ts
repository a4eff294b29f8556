/**
 * The languages messages are written in. The list is the programmes' own (`default_locale`), so a
 * programme can only name a language that has every template.
 */
import { LOCALES as PROGRAMME_LOCALES, type Locale } from '../domain/programme';

export type { Locale };
export const LOCALES: readonly Locale[] = PROGRAMME_LOCALES;

export function isLocale(s: unknown): s is Locale {
  return typeof s === 'string' && (LOCALES as readonly string[]).includes(s);
}

/**
 * The first candidate that is a locale: the mentor's (or coordinator's) own, then the programme's
 * `default_locale`; `nb` when none is. A value that is not a locale (a typo in a column, `en-GB`)
 * is passed over rather than trusted.
 */
export function pickLocale(...candidates: (string | null | undefined)[]): Locale {
  return candidates.find(isLocale) ?? 'nb';
}

/** The BCP 47 tag Intl formats with: `en` alone would give US dates ("December 2, 2026"). */
export const intlTag = (locale: Locale): string => (locale === 'nb' ? 'nb-NO' : 'en-GB');
