/**
 * In-app notification texts, as PostgreSQL format() strings: the reminder write statement renders
 * them in the same statement that writes the reminder (`format(fmt, contact_first, seq, mentor_first)`),
 * so no text is put together outside the database. Arguments: %1$s the contact's first name,
 * %2$s the sequence number, %3$s the mentor's first name. No `%` appears but as `%N$s` or `%%`.
 */
import type { Locale } from './locale';

export type InAppFormats = {
  mentorTitle: string;
  mentorBody: string;
  coordinatorTitle: string;
  coordinatorBody: string;
  /** The escalation that reaches the stop rule: the mentor is not reminded again for this silence. */
  coordinatorLastBody: string;
  /** To the coordinator, for a reminder covered while the mentor is away (absence policy `cover`). */
  coverTitle: string;
  coverBody: string;
};

const FORMATS: Record<Locale, InAppFormats> = Object.freeze({
  nb: Object.freeze({
    mentorTitle: 'Tid for å ta kontakt med %1$s',
    mentorBody: 'Det er en stund siden det ble registrert kontakt med %1$s. Husk å registrere aktiviteten i appen etterpå (påminnelse %2$s).',
    coordinatorTitle: 'Ingen registrert kontakt med %1$s (mentor %3$s)',
    coordinatorBody: 'Påminnelse nummer %2$s om å ta kontakt med %1$s er nå sendt til %3$s, og det er ikke registrert kontakt ennå.',
    coordinatorLastBody:
      'Påminnelse nummer %2$s om å ta kontakt med %1$s er nå sendt til %3$s, og det er ikke registrert kontakt ennå. Det var den siste: %3$s får ingen flere påminnelser om %1$s før det er registrert kontakt. Følg opp saken.',
    coverTitle: 'Tid for å ta kontakt med %1$s mens %3$s er borte',
    coverBody: 'Mens %3$s er borte, går denne påminnelsen til deg: ta kontakt med %1$s selv eller be noen andre gjøre det, og registrer aktiviteten i appen (påminnelse %2$s).',
  }),
  en: Object.freeze({
    mentorTitle: 'Time to get in touch with %1$s',
    mentorBody: 'No contact with %1$s has been registered for a while. Remember to register the activity in the app afterwards (reminder %2$s).',
    coordinatorTitle: 'No contact registered with %1$s (mentor %3$s)',
    coordinatorBody: 'Reminder number %2$s to get in touch with %1$s has now gone to %3$s, and no contact has been registered yet.',
    coordinatorLastBody:
      'Reminder number %2$s to get in touch with %1$s has now gone to %3$s, and no contact has been registered yet. It was the last one: %3$s will not be reminded about %1$s again until contact is registered. Please follow up.',
    coverTitle: 'Time to get in touch with %1$s while %3$s is away',
    coverBody: 'While %3$s is away, this reminder comes to you: please get in touch with %1$s yourself or ask someone else to, and register the activity in the app (reminder %2$s).',
  }),
});

export function inAppFormats(locale: Locale): InAppFormats {
  const f = FORMATS[locale];
  if (!f) throw new RangeError(`no in-app texts for locale ${JSON.stringify(locale)}`);
  return f;
}

/**
 * What PostgreSQL's format() makes of `%N$s` and `%%` (for tests and previews). Anything else
 * format() would read as a specifier (`%s`, `%I`, `%1$L`, a width) is refused here rather than
 * guessed at, as are missing arguments (format() raises "too few arguments").
 */
export function formatInApp(fmt: string, args: (string | number)[]): string {
  return fmt.replace(/%(?:%|([1-9]\d*)\$s)?/gu, (spec: string, n: string | undefined, at: number) => {
    if (spec === '%%') return '%';
    if (n === undefined) throw new RangeError(`unsupported format() specifier at ${at} in ${JSON.stringify(fmt)}: only %N$s and %% are allowed`);
    const i = Number(n);
    if (i > args.length) throw new RangeError(`too few arguments for format(): ${JSON.stringify(fmt)} needs argument ${i}, got ${args.length}`);
    return String(args[i - 1]);
  });
}
