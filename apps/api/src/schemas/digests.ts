/** Schemas for GET /v1/digests and POST /v1/digests/retry | cancel: the digest outbox for operators (issue 16). */
import { z } from 'zod';
import { SLUG_PATTERN } from '@reminders/core/domain/programme';
import { DIGEST_LIST_MAX, DIGEST_STATUSES } from '@reminders/core/services/digest-admin';
import { isoDate, nonBlankText, out, regex } from './common';

const programme = () => z.string().regex(regex(SLUG_PATTERN)).meta({ description: 'Only this programme (its slug)', examples: ['oslo-youth'] });

export const digestListQuery = z.strictObject({
  status: z.enum(DIGEST_STATUSES as [string, ...string[]]).describe('Only this status').optional(),
  date: isoDate('Only the digests for this local day').optional(),
  programme: programme().optional(),
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/u)
    .meta({ description: `At most this many, newest first (1-${DIGEST_LIST_MAX}, default 50)`, examples: ['50'] })
    .optional(),
});

const digest = z.object({
  id: z.int(),
  key: z.string().describe('The idempotency key; the Message-ID is `<key@follow-up-reminders>`'),
  kind: z.enum(['mentor', 'coordinator', 'undeliverable_notice']),
  status: z.enum(DIGEST_STATUSES as [string, ...string[]]),
  programme: z.string(),
  local_date: out.date(),
  part: z.int().describe('1 for the day; 2 and up for follow-ups (stragglers after the day’s digest)'),
  recipient: z.string().describe('`mentor <id>` or `coordinator <id>`: ids, never addresses'),
  attempts: z.int().describe('Attempts since it was made or last retried by an operator'),
  next_attempt_at: out.nullableDateTime('When a pending digest the relay refused is tried again'),
  lease_owner: z.string().nullable().describe('The worker sending it right now'),
  last_error: z.string().nullable(),
  sent_at: out.nullableDateTime(),
  created_at: out.dateTime(),
  reminders: z.int().describe('Reminders it lists'),
});

export const digestListResponse = z.object({ digests: z.array(digest) }).meta({
  description: 'Digests, newest first',
  examples: [
    {
      digests: [
        {
          id: 311,
          key: 'm12-p1-20261202-1',
          kind: 'mentor',
          status: 'failed',
          programme: 'default',
          local_date: '2026-12-02',
          part: 1,
          recipient: 'mentor 12',
          attempts: 5,
          next_attempt_at: null,
          lease_owner: null,
          last_error: 'e-mail: connect ECONNREFUSED 10.0.4.7:587',
          sent_at: null,
          created_at: '2026-12-02T08:00:04.120Z',
          reminders: 3,
        },
      ],
    },
  ],
});

export const digestResolveBody = z
  .strictObject({
    date: isoDate('Only the failed digests for this local day (default: every day)').optional(),
    programme: programme().optional(),
    reason: nonBlankText(500, 'Why; kept in the audit log (trimmed)').optional(),
  })
  .meta({ examples: [{ date: '2026-12-02', reason: 'relay down 01:10-02:40, INC-2291' }] });

export const digestResolveResponse = z
  .object({
    action: z.enum(['retry', 'cancel']),
    changed: z.int().describe('Failed digests changed (0: nothing in scope had failed; no audit row)'),
    keys: z.array(z.string()),
    audit_id: z.int().nullable(),
  })
  .meta({ examples: [{ action: 'retry', changed: 2, keys: ['c3-p1-20261202-1', 'm12-p1-20261202-1'], audit_id: 881 }] });
