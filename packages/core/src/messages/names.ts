/**
 * How people are named in messages. Contacts are often vulnerable people, so a message names a
 * contact by first name only and never in a subject; mentors and coordinators are greeted by first
 * name as well.
 */
import type { Locale } from './locale';

const MAX_CHARS = 40;

/**
 * What separates names: exactly JavaScript's `\s`, written out, because PostgreSQL's `\s` depends
 * on the database's ctype (under C.UTF-8 a no-break space is not one) and the in-app texts take
 * the first name in SQL (contactFirstNameSql) while e-mails take it here.
 */
const SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const FIRST_WORD = new RegExp(`^[${SPACE}]*([^${SPACE}]+)`, 'u');

/** What a message says for a contact, or a mentor, whose name is empty. */
const NEUTRAL_CONTACT: Record<Locale, string> = { nb: 'kontakten', en: 'your contact' };
const NEUTRAL_MENTOR: Record<Locale, string> = { nb: 'mentoren', en: 'the mentor' };

/**
 * The first whitespace-separated word of the name, at most 40 characters (code points, as
 * PostgreSQL's left() counts, so no emoji is cut in half); '' when there is none.
 */
export function firstNameOf(fullName: string | null | undefined): string {
  const first = FIRST_WORD.exec(fullName ?? '')?.[1] ?? '';
  return Array.from(first).slice(0, MAX_CHARS).join('');
}

/** A contact's first name, or a neutral word ("kontakten", "your contact") when the name is empty. */
export function contactFirstName(fullName: string | null | undefined, locale: Locale): string {
  return firstNameOf(fullName) || NEUTRAL_CONTACT[locale];
}

/** A mentor named in the middle of a sentence (to a coordinator): the first name, or "mentoren", "the mentor". */
export function mentorFirstName(fullName: string | null | undefined, locale: Locale): string {
  return firstNameOf(fullName) || NEUTRAL_MENTOR[locale];
}

/**
 * contactFirstName as a PostgreSQL expression, for the %1$s of the in-app format() strings:
 * `nameSql` and `localeSql` are SQL expressions (a column, `$3::text`); a locale that is not `en`
 * gets the `nb` neutral word, as pickLocale falls back to `nb`. The test holds it to contactFirstName.
 */
export function contactFirstNameSql(nameSql: string, localeSql: string): string {
  return (
    `coalesce(left(substring(${nameSql} from '${FIRST_WORD.source}'), ${MAX_CHARS}), ` +
    `CASE ${localeSql} WHEN 'en' THEN '${NEUTRAL_CONTACT.en}' ELSE '${NEUTRAL_CONTACT.nb}' END)`
  );
}

/** mentorFirstName as a PostgreSQL expression (the %3$s of the in-app format() strings). */
export function mentorFirstNameSql(nameSql: string, localeSql: string): string {
  return (
    `coalesce(left(substring(${nameSql} from '${FIRST_WORD.source}'), ${MAX_CHARS}), ` +
    `CASE ${localeSql} WHEN 'en' THEN '${NEUTRAL_MENTOR.en}' ELSE '${NEUTRAL_MENTOR.nb}' END)`
  );
}
