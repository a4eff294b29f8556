/**
 * The checks every programme change passes before it reaches the table: the same words whether
 * the API or the CLI sent it. Each refusal names the field (a JSON pointer in snake_case, as the
 * API spells it) and what it must be.
 */
import { ABSENCE_POLICIES, DELIVERIES, isTimeZone, LOCALES, SEND_AT_PATTERN, SLUG_PATTERN, type AbsencePolicy, type Delivery, type Locale } from '../domain/programme';
import { AppError } from '../errors';
import type { ProgrammeFields } from '../repositories/programme-repository';

/** What an operator may set; every field but slug and name may be left out (create) or changed (update). */
export type ProgrammeInput = {
  slug?: string;
  name?: string;
  timeZone?: string;
  sendAt?: string;
  firstAfterDays?: number;
  repeatEveryDays?: number;
  escalateAfter?: number;
  /** null: never stop reminding. */
  stopAfter?: number | null;
  defaultLocale?: string;
  /** digest | each */
  delivery?: string;
  /** freeze | cover */
  absencePolicy?: string;
};

export const NAME_MAX = 200;
export const DAYS_MAX = 365;
export const COUNT_MAX = 100;

const invalid = (field: string, detail: string, got: unknown): never => {
  throw new AppError('invalid', 'validation-error', `${field} ${detail}, got ${JSON.stringify(got)}`, [{ pointer: `/${field}`, detail }]);
};

export function checkSlug(slug: unknown): string {
  if (typeof slug !== 'string' || !new RegExp(SLUG_PATTERN).test(slug)) {
    invalid('slug', 'must be 1-48 lower-case letters, digits or inner hyphens (e.g. "oslo-youth")', slug);
  }
  return slug as string;
}

const wholeNumber = (field: string, v: unknown, max: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) invalid(field, `must be a whole number from 1 to ${max}`, v);
  return v as number;
};

const oneOf = (field: string, values: readonly string[], v: unknown): string => {
  if (typeof v !== 'string' || !values.includes(v)) invalid(field, `must be one of ${values.join(', ')}`, v);
  return v as string;
};

/** The checked fields that were given (undefined ones stay undefined); names trimmed. */
function checkGiven(input: ProgrammeInput) {
  const out: Partial<Omit<ProgrammeFields, 'rules' | 'slug'>> & { firstAfterDays?: number; repeatEveryDays?: number; escalateAfter?: number } = {};
  if (input.name !== undefined) {
    const name = typeof input.name === 'string' ? input.name.trim() : input.name;
    if (typeof name !== 'string' || name.length < 1 || [...name].length > NAME_MAX || /\p{Cc}/u.test(name)) {
      invalid('name', `must be 1-${NAME_MAX} characters after trimming, without control characters`, input.name);
    }
    out.name = name as string;
  }
  if (input.timeZone !== undefined) {
    if (typeof input.timeZone !== 'string' || !isTimeZone(input.timeZone)) invalid('time_zone', 'must be an IANA time zone such as Europe/Oslo', input.timeZone);
    out.timeZone = input.timeZone;
  }
  if (input.sendAt !== undefined) {
    if (typeof input.sendAt !== 'string' || !new RegExp(SEND_AT_PATTERN).test(input.sendAt)) invalid('send_at', 'must be a local time HH:MM from 00:00 to 23:59', input.sendAt);
    out.sendAt = input.sendAt;
  }
  if (input.firstAfterDays !== undefined) out.firstAfterDays = wholeNumber('first_after_days', input.firstAfterDays, DAYS_MAX);
  if (input.repeatEveryDays !== undefined) out.repeatEveryDays = wholeNumber('repeat_every_days', input.repeatEveryDays, DAYS_MAX);
  if (input.escalateAfter !== undefined) out.escalateAfter = wholeNumber('escalate_after', input.escalateAfter, COUNT_MAX);
  if (input.stopAfter !== undefined) out.stopAfter = input.stopAfter === null ? null : wholeNumber('stop_after', input.stopAfter, COUNT_MAX);
  if (input.defaultLocale !== undefined) {
    if (typeof input.defaultLocale !== 'string' || !(LOCALES as readonly string[]).includes(input.defaultLocale)) invalid('default_locale', `must be one of ${LOCALES.join(', ')}`, input.defaultLocale);
    out.defaultLocale = input.defaultLocale as Locale;
  }
  if (input.delivery !== undefined) out.delivery = oneOf('delivery', DELIVERIES, input.delivery) as Delivery;
  if (input.absencePolicy !== undefined) out.absencePolicy = oneOf('absence_policy', ABSENCE_POLICIES, input.absencePolicy) as AbsencePolicy;
  return out;
}

/** Reminding stops after `stop_after` reminders; stopping before the coordinator is told would skip the escalation. */
function checkStop(fields: { stopAfter: number | null; escalateAfter: number }) {
  if (fields.stopAfter !== null && fields.stopAfter < fields.escalateAfter) {
    invalid('stop_after', `must be null or at least escalate_after (${fields.escalateAfter}), so the coordinator is told before reminding stops`, fields.stopAfter);
  }
}

/** A whole new programme: what is given, the rest taken from `base` (the default programme). */
export function checkCreate(input: ProgrammeInput, base: Omit<ProgrammeFields, 'slug' | 'name'>): ProgrammeFields {
  const slug = checkSlug(input.slug);
  if (input.name === undefined) invalid('name', 'is required', undefined);
  const g = checkGiven(input);
  const fields: ProgrammeFields = {
    slug,
    name: g.name!,
    timeZone: g.timeZone ?? base.timeZone,
    sendAt: g.sendAt ?? base.sendAt,
    rules: Object.freeze({
      firstAfterDays: g.firstAfterDays ?? base.rules.firstAfterDays,
      repeatEveryDays: g.repeatEveryDays ?? base.rules.repeatEveryDays,
      escalateAfter: g.escalateAfter ?? base.rules.escalateAfter,
    }),
    stopAfter: g.stopAfter !== undefined ? g.stopAfter : base.stopAfter,
    defaultLocale: g.defaultLocale ?? base.defaultLocale,
    delivery: g.delivery ?? base.delivery,
    absencePolicy: g.absencePolicy ?? base.absencePolicy,
  };
  checkStop({ stopAfter: fields.stopAfter, escalateAfter: fields.rules.escalateAfter });
  return fields;
}

/** The changed fields of `current`; the slug may be repeated but never changed. */
export function checkUpdate(input: ProgrammeInput, current: Omit<ProgrammeFields, 'name'>): Partial<Omit<ProgrammeFields, 'slug'>> {
  if (input.slug !== undefined && input.slug !== current.slug) {
    invalid('slug', `cannot be changed (it names the programme's sweep, lock and metrics; it stays "${current.slug}")`, input.slug);
  }
  const g = checkGiven(input);
  if (Object.values(g).every((v) => v === undefined)) {
    throw new AppError('invalid', 'validation-error', 'nothing to change: give at least one of name, time_zone, send_at, first_after_days, repeat_every_days, escalate_after, stop_after, default_locale, delivery, absence_policy');
  }
  const touchesRules = g.firstAfterDays !== undefined || g.repeatEveryDays !== undefined || g.escalateAfter !== undefined;
  const rules = Object.freeze({
    firstAfterDays: g.firstAfterDays ?? current.rules.firstAfterDays,
    repeatEveryDays: g.repeatEveryDays ?? current.rules.repeatEveryDays,
    escalateAfter: g.escalateAfter ?? current.rules.escalateAfter,
  });
  checkStop({ stopAfter: g.stopAfter !== undefined ? g.stopAfter : current.stopAfter, escalateAfter: rules.escalateAfter });
  return {
    ...(g.name !== undefined ? { name: g.name } : {}),
    ...(g.timeZone !== undefined ? { timeZone: g.timeZone } : {}),
    ...(g.sendAt !== undefined ? { sendAt: g.sendAt } : {}),
    ...(touchesRules ? { rules } : {}),
    ...(g.stopAfter !== undefined ? { stopAfter: g.stopAfter } : {}),
    ...(g.defaultLocale !== undefined ? { defaultLocale: g.defaultLocale } : {}),
    ...(g.delivery !== undefined ? { delivery: g.delivery } : {}),
    ...(g.absencePolicy !== undefined ? { absencePolicy: g.absencePolicy } : {}),
  };
}
