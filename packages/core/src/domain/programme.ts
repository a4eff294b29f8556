/**
 * A programme (issue 15): its own rules, time zone, local send time and sweep. Pure values and
 * their checks; the table is `programmes` (migration 20261202020000_programmes).
 */
import type { ReminderRules } from './reminder-rules';

export const DEFAULT_PROGRAMME_ID = 1;
export const DEFAULT_PROGRAMME_SLUG = 'default';
export const LOCALES = ['nb', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
/** How a mentor's reminders are e-mailed: one digest a day per programme, or one e-mail per reminder. */
export const DELIVERIES = ['digest', 'each'] as const;
export type Delivery = (typeof DELIVERIES)[number];
/**
 * What a mentor's absence does to their reminders: `freeze` sends none while they are away and
 * does not count the absent days as silence; `cover` sends them to the coordinator instead.
 */
export const ABSENCE_POLICIES = ['freeze', 'cover'] as const;
export type AbsencePolicy = (typeof ABSENCE_POLICIES)[number];

/** Lower-case letters, digits and inner hyphens, 1 to 48 characters: safe in a URL, a lock name and a metric label. */
export const SLUG_PATTERN = '^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$';
/** A local wall-clock time, 00:00 to 23:59. */
export const SEND_AT_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export type Programme = {
  id: number;
  slug: string;
  name: string;
  timeZone: string;
  sendAt: string;
  rules: ReminderRules;
  /** After this many unanswered reminders the mentor is no longer reminded (null: never). */
  stopAfter: number | null;
  defaultLocale: Locale;
  /** @defaultValue 'digest' */
  delivery: Delivery;
  /** @defaultValue 'freeze' */
  absencePolicy: AbsencePolicy;
  /** `default`, kept in step with the environment at start-up until an operator changes it. */
  fromEnvironment: boolean;
  createdAt: Date;
  updatedAt: Date;
};

/** Whether `tz` is an IANA time zone this runtime (and PostgreSQL, which has the same database) knows. */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The local send time a REMINDER_CRON of the daily form `M H * * *` names (the default
 * programme's `send_at`), or null for any other shape.
 */
export function sendAtOfCron(cron: string): string | null {
  const m = /^(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+\*$/.exec(cron.trim());
  if (!m) return null;
  const [minute, hour] = [Number(m[1]), Number(m[2])];
  if (minute > 59 || hour > 23) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
