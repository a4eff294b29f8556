/** Schemas for /v1/programmes and POST /v1/assignments/:id/programme (issue 15). */
import { z } from 'zod';
import { ABSENCE_POLICIES, DELIVERIES, LOCALES, SEND_AT_PATTERN, SLUG_PATTERN } from '@reminders/core/domain/programme';
import { COUNT_MAX, DAYS_MAX, NAME_MAX } from '@reminders/core/services/programme-input';
import { idParam, nonBlankText, out, regex } from './common';

const slug = () => z.string().regex(regex(SLUG_PATTERN)).meta({ description: 'Lower-case letters, digits and inner hyphens, 1-48 characters; never changes', examples: ['oslo-youth'] });

const DELIVERY_TEXT = '`digest`: a mentor gets at most one reminder e-mail per programme per local day, listing every due assignment; `each`: one e-mail per reminder';
const ABSENCE_POLICY_TEXT = "While a mentor is absent, `freeze`: no reminders, and the absent days do not count as silence (the next reminder comes as many days later); `cover`: the reminders go to the mentor's coordinator instead";

const record = {
  slug: z.string().describe('Names the programme in URLs, the CLI, its sweep and its metrics'),
  name: z.string(),
  time_zone: z.string().describe('IANA time zone: calendar days and the send time are counted in it'),
  send_at: z.string().describe('Local time of the daily sweep, HH:MM'),
  first_after_days: z.int().describe('Days of silence before the first reminder'),
  repeat_every_days: z.int().describe('Days between reminders while the silence lasts'),
  escalate_after: z.int().describe('From this reminder on, the coordinator is told too'),
  stop_after: z.int().nullable().describe('After this many unanswered reminders the mentor is no longer reminded (null: never)'),
  default_locale: z.enum(LOCALES).describe('Language of messages to people who chose none'),
  delivery: z.enum(DELIVERIES).describe(DELIVERY_TEXT),
  absence_policy: z.enum(ABSENCE_POLICIES).describe(ABSENCE_POLICY_TEXT),
  from_environment: z.boolean().describe('Only `default`: still kept in step with REMINDER_TZ, REMINDER_CRON and the rule settings (false once an operator changes it)'),
  created_at: out.dateTime(),
  updated_at: out.dateTime(),
};

const example = {
  slug: 'oslo-youth',
  name: 'Oslo youth mentoring',
  time_zone: 'Europe/Oslo',
  send_at: '08:30',
  first_after_days: 10,
  repeat_every_days: 5,
  escalate_after: 2,
  stop_after: 6,
  default_locale: 'nb',
  delivery: 'digest',
  absence_policy: 'freeze',
  from_environment: false,
  created_at: '2026-12-01T09:00:00.000Z',
  updated_at: '2026-12-01T09:00:00.000Z',
};

/** The settable fields; create requires slug and name, and takes the rest from `default` when left out. */
const settable = {
  name: nonBlankText(NAME_MAX, 'Shown to operators; trimmed'),
  time_zone: z.string().max(64).meta({ description: "IANA time zone (default: the default programme's)", examples: ['Europe/Oslo'] }),
  send_at: z.string().regex(regex(SEND_AT_PATTERN)).meta({ description: "Local time of the daily sweep, HH:MM (default: the default programme's)", examples: ['08:30'] }),
  first_after_days: z.int().min(1).max(DAYS_MAX).describe('Days of silence before the first reminder'),
  repeat_every_days: z.int().min(1).max(DAYS_MAX).describe('Days between reminders'),
  escalate_after: z.int().min(1).max(COUNT_MAX).describe('From this reminder on, the coordinator is told too'),
  stop_after: z.int().min(1).max(COUNT_MAX).nullable().describe('Stop reminding after this many unanswered reminders (null: never); not below escalate_after'),
  default_locale: z.enum(LOCALES).describe('Language of messages to people who chose none'),
  delivery: z.enum(DELIVERIES).describe(`${DELIVERY_TEXT} (default: the default programme's)`),
  absence_policy: z.enum(ABSENCE_POLICIES).describe(`${ABSENCE_POLICY_TEXT} (default: the default programme's)`),
};

const optional = <T extends Record<string, z.ZodType>>(shape: T) => Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };

export const programmeSlugParams = z.strictObject({ slug: slug() });

export const programmeResponse = z.object(record).meta({ description: 'The programme', examples: [example] });

export const programmeListResponse = z.object({ programmes: z.array(z.object(record)) }).meta({
  description: 'Every programme, `default` first',
  examples: [{ programmes: [{ ...example, slug: 'default', name: 'Default programme', send_at: '07:00', first_after_days: 14, repeat_every_days: 7, escalate_after: 3, stop_after: null, from_environment: true }, example] }],
});

export const programmeShowResponse = z
  .object({
    ...record,
    usage: z.object({ assignments: z.int(), runs: z.int() }).describe('What belongs to it (a programme with either cannot be deleted)'),
  })
  .meta({ description: 'The programme and what belongs to it', examples: [{ ...example, usage: { assignments: 120, runs: 14 } }] });

export const programmeCreateBody = z
  .strictObject({ ...optional(settable), slug: slug(), name: settable.name })
  .meta({ examples: [{ slug: 'oslo-youth', name: 'Oslo youth mentoring', time_zone: 'Europe/Oslo', send_at: '08:30', first_after_days: 10, repeat_every_days: 5, escalate_after: 2, stop_after: 6, default_locale: 'nb', delivery: 'digest', absence_policy: 'cover' }] });

export const programmeUpdateBody = z
  .strictObject({ slug: slug().optional().describe('May be repeated, never changed'), ...optional(settable) })
  .meta({ examples: [{ send_at: '09:00', stop_after: null }, { delivery: 'each', absence_policy: 'cover' }] });

export const moveParams = z.strictObject({ id: idParam('Assignment id') });

export const moveBody = z
  .strictObject({
    programme: slug().describe('The programme to move the assignment to'),
    reason: nonBlankText(1000, 'Why it moves; kept in the audit log', 3),
  })
  .meta({ examples: [{ programme: 'oslo-youth', reason: 'Contact moved to the Oslo youth programme' }] });

export const moveResponse = z
  .object({
    assignment_id: z.int(),
    from: z.string().describe('The programme it was in'),
    to: z.string().describe('The programme it is in now'),
    audit: z.object({ id: z.int(), actor: z.string(), reason: z.string(), created_at: out.dateTime() }).describe('The admin_audit_log row written for this move'),
  })
  .meta({ description: 'Moved', examples: [{ assignment_id: 42, from: 'default', to: 'oslo-youth', audit: { id: 7, actor: 'ops-admin', reason: 'Contact moved to the Oslo youth programme', created_at: '2026-12-01T09:05:00.000Z' } }] });
