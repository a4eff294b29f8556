/** Schemas for GET /v1/programmes/{slug}/stats: whether reminders work (issue 16). */
import { z } from 'zod';
import { isoDate, out } from './common';

export const statsQuery = z.strictObject({
  from: isoDate("First day of the period, a local date in the programme's time zone (default: 27 days before `to`)").optional(),
  to: isoDate("Last day of the period, included (default: today in the programme's time zone); at most 366 days after `from`, both counted").optional(),
  silent_after: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/u)
    .meta({ description: "The focus list's N: assignments whose current silence has at least this many reminders (1-100, default: the programme's escalate_after)", examples: ['3'] })
    .optional(),
});

const focusEntry = z.object({
  assignment_id: z.int(),
  peer_mentor: z.object({ id: z.int(), first_name: z.string().nullable().describe("The mentor's first name only (first word)") }),
  contact_first_name: z.string().nullable().describe("The contact's first name only (first word); never a surname"),
  reminders: z.int().describe('Reminders of the current silence'),
  silent_since: out.date('The anchor of the current silence: COALESCE(last_contact_date, assigned_date)'),
  last_reminder_on: out.date("Local day of the silence's latest reminder"),
});

const example = {
  programme: 'oslo-youth',
  time_zone: 'Europe/Oslo',
  from: '2026-11-03',
  to: '2026-11-30',
  days: 28,
  silent_after: 3,
  computed_at: '2026-11-30T09:00:00.000Z',
  reminders: 120,
  escalated: 18,
  followed: 61,
  pending: 14,
  share: 0.5755,
  contacted: 83,
  median_days_to_contact: 4.5,
  reminders_until_contact: { mean: 1.62, episodes: 52 },
  focus: [{ assignment_id: 42, peer_mentor: { id: 7, first_name: 'Mia' }, contact_first_name: 'Conrad', reminders: 5, silent_since: '2026-09-14', last_reminder_on: '2026-11-23' }],
  focus_total: 1,
};

export const statsResponse = z
  .object({
    programme: z.string().describe('The programme slug'),
    time_zone: z.string().describe('The zone whose local days the period counts'),
    from: out.date('First local day of the period'),
    to: out.date('Last local day of the period (included)'),
    days: z.int().describe('Days in the period, both ends counted'),
    silent_after: z.int().describe("The focus list's N"),
    computed_at: out.dateTime('The time the figures were computed for (pending is judged at it)'),
    reminders: z.int().describe('Reminders whose created_at falls on a local day of the period'),
    escalated: z.int().describe('Of those, the ones that told the coordinator too'),
    followed: z.int().describe('Reminders followed by an activity of the same assignment within 7 days (occurred_at >= created_at and < created_at + 7 days)'),
    pending: z.int().describe('Reminders not followed whose 7 days are not over yet: left out of `share`'),
    share: z.number().nullable().describe('followed / (reminders - pending), 4 decimals; null when that is 0'),
    contacted: z.int().describe('Reminders with any later activity (the median counts these)'),
    median_days_to_contact: z.number().nullable().describe('Median days from a reminder to the first later activity, one decimal; null when none has one'),
    reminders_until_contact: z
      .object({
        mean: z.number().nullable().describe('Mean reminders of a silence that ended with contact, 2 decimals; null without such a silence'),
        episodes: z.int().describe('Silences (assignment, anchor_date) with a reminder in the period that ended with contact'),
      })
      .describe('Reminders per assignment until contact'),
    focus: z.array(focusEntry).describe('Active assignments silent after `silent_after` reminders or more, most reminders first, then silent longest; at most 100'),
    focus_total: z.int().describe('How many assignments the focus list has in all'),
  })
  .meta({ description: 'Whether reminders work in the period, and who to look at', examples: [example] });
