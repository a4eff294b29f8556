/** Schemas for the admin token routes. */
import { ROLES } from '@reminders/core/auth/roles';
import { DURATION_PATTERN } from '@reminders/core/domain/duration';
import { TOKEN_NAME_PATTERN } from './patterns';

const TOKEN_NAME = { type: 'string', pattern: TOKEN_NAME_PATTERN, description: 'Unique name; never reused' } as const;

const tokenRecord = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    created_by: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    revoked_at: { type: ['string', 'null'], format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
    expires_at: { type: ['string', 'null'], format: 'date-time', description: 'When it stops working (null: never; tokens created before expiry existed)' },
  },
} as const;

export const tokenListResponse = {
  type: 'object',
  properties: { tokens: { type: 'array', items: tokenRecord } },
  examples: [
    { tokens: [{ name: 'mentor-app', role: 'service', created_by: 'cli:ops', created_at: '2026-11-01T08:00:00.000Z', revoked_at: null, last_used_at: '2026-11-28T09:00:00.000Z', expires_at: '2027-11-01T08:00:00.000Z' }] },
  ],
} as const;

export const tokenCreateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: {
    name: TOKEN_NAME,
    role: { type: 'string', enum: ROLES },
    expires_in: { type: 'string', pattern: DURATION_PATTERN, description: 'Lifetime such as 12h, 30d, 365d (at most 3650d); default: the role\'s TOKEN_LIFETIME_DAYS_*' },
  },
  examples: [{ name: 'mentor-app', role: 'service', expires_in: '365d' }],
} as const;

export const tokenCreateResponse = {
  type: 'object',
  properties: {
    ...tokenRecord.properties,
    token: { type: 'string', description: 'The token itself. Shown only in this answer: only its sha256 is stored' },
  },
  examples: [
    { name: 'mentor-app', role: 'service', created_by: 'token:ops-admin', created_at: '2026-11-28T09:00:00.000Z', revoked_at: null, last_used_at: null, expires_at: '2027-11-28T09:00:00.000Z', token: 'rmd_3q2-7xXxW1c0mD8X1sQ5e8Yl3Rk9uJ0vBz4tNn6aHfE' },
  ],
} as const;

export const tokenNameParams = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: TOKEN_NAME },
} as const;

export const tokenRevokeResponse = {
  type: 'object',
  properties: { ...tokenRecord.properties, already_revoked: { type: 'boolean' } },
  examples: [
    { name: 'mentor-app', role: 'service', created_by: 'cli:ops', created_at: '2026-11-01T08:00:00.000Z', revoked_at: '2026-11-28T09:30:00.000Z', last_used_at: '2026-11-28T09:00:00.000Z', expires_at: '2027-11-01T08:00:00.000Z', already_revoked: false },
  ],
} as const;
