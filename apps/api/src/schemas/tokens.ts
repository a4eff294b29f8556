/** Schemas for the admin token routes. */
import { z } from 'zod';
import { ROLES } from '@reminders/core/auth/roles';
import { DURATION_PATTERN } from '@reminders/core/domain/duration';
import { out, regex } from './common';
import { TOKEN_NAME_PATTERN } from './patterns';

const tokenName = () => z.string().regex(regex(TOKEN_NAME_PATTERN)).describe('Unique name; never reused');

const tokenRecord = {
  name: z.string(),
  role: z.enum(ROLES),
  created_by: z.string(),
  created_at: out.dateTime(),
  revoked_at: out.nullableDateTime(),
  last_used_at: out.nullableDateTime(),
  expires_at: out.nullableDateTime('When it stops working (null: never; tokens created before expiry existed)'),
};

export const tokenListResponse = z.object({ tokens: z.array(z.object(tokenRecord)) }).meta({
  description: 'Tokens',
  examples: [
    { tokens: [{ name: 'mentor-app', role: 'service', created_by: 'cli:ops', created_at: '2026-11-01T08:00:00.000Z', revoked_at: null, last_used_at: '2026-11-28T09:00:00.000Z', expires_at: '2027-11-01T08:00:00.000Z' }] },
  ],
});

export const tokenCreateBody = z
  .strictObject({
    name: tokenName(),
    role: z.enum(ROLES),
    expires_in: z
      .string()
      .regex(regex(DURATION_PATTERN))
      .describe("Lifetime such as 12h, 30d, 365d (at most 3650d); default: the role's TOKEN_LIFETIME_DAYS_*")
      .optional(),
  })
  .meta({ examples: [{ name: 'mentor-app', role: 'service', expires_in: '365d' }] });

export const tokenCreateResponse = z
  .object({ ...tokenRecord, token: z.string().describe('The token itself. Shown only in this answer: only its sha256 is stored') })
  .meta({
    description: 'Created',
    examples: [
      { name: 'mentor-app', role: 'service', created_by: 'token:ops-admin', created_at: '2026-11-28T09:00:00.000Z', revoked_at: null, last_used_at: null, expires_at: '2027-11-28T09:00:00.000Z', token: 'rmd_3q2-7xXxW1c0mD8X1sQ5e8Yl3Rk9uJ0vBz4tNn6aHfE' },
    ],
  });

export const tokenNameParams = z.strictObject({ name: tokenName() });

export const tokenRevokeResponse = z
  .object({ ...tokenRecord, already_revoked: z.boolean() })
  .meta({
    description: 'Revoked',
    examples: [
      { name: 'mentor-app', role: 'service', created_by: 'cli:ops', created_at: '2026-11-01T08:00:00.000Z', revoked_at: '2026-11-28T09:30:00.000Z', last_used_at: '2026-11-28T09:00:00.000Z', expires_at: '2027-11-01T08:00:00.000Z', already_revoked: false },
    ],
  });
