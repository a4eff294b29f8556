/**
 * Creates, lists and revokes API tokens, and authenticates a presented token. The API's auth
 * plugin and the `reminders token` commands both use this; neither ever logs a token.
 */
import type { Clock } from '../clock';
import { parseDuration } from '../domain/duration';
import type { AuditRepository } from '../repositories/audit-repository';
import { AppError } from '../errors';
import { generateToken, hashToken, isWellFormedToken, sameHash } from './api-token';
import { isRole, ROLES, type Role } from './roles';
import type { TokenRecord, TokenRepository } from './token-repository';

export type TokenServiceDeps = {
  tokens: TokenRepository;
  clock: Clock;
  /** Create, revoke and expiry are written here (who, what, when). */
  audit: AuditRepository;
  /** Default lifetime of a new token by role, in days (TOKEN_LIFETIME_DAYS_*). */
  lifetimeDays: Readonly<Record<Role, number>>;
  /** last_used_at is written at most this often per token, so reads stay reads. @defaultValue 60000 */
  touchEveryMs?: number;
  /** Called when writing last_used_at fails; authentication still succeeds. */
  onTouchError?: (err: unknown) => void;
};

export type Principal = { tokenId: number; name: string; role: Role };

/** `expiresAt` lets a cache of successful checks (apps/api/src/plugins/token-cache.ts) stop at the token's expiry. */
export type AuthResult = { ok: true; principal: Principal; expiresAt: Date | null } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' };

/** The longest lifetime `expiresIn` may ask for. */
const MAX_LIFETIME_MS = 3650 * 86_400_000;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/;

export function createTokenService(deps: TokenServiceDeps) {
  const touchEveryMs = deps.touchEveryMs ?? 60_000;

  return {
    /** Creates a token; the returned `token` is the only time its value exists outside the caller. */
    async create(input: { name: string; role: string; createdBy: string; expiresIn?: string }): Promise<{ token: string; record: TokenRecord }> {
      if (!NAME_RE.test(input.name)) {
        throw new AppError('invalid', 'invalid-token-name', 'token name must be 1-100 characters: letters, digits and . _ : @ - (starting with a letter or digit)');
      }
      if (!isRole(input.role)) throw new AppError('invalid', 'invalid-role', `role must be one of ${ROLES.join(', ')}`);
      const lifetimeMs = input.expiresIn === undefined ? deps.lifetimeDays[input.role] * 86_400_000 : parseDuration(input.expiresIn);
      if (lifetimeMs === null || lifetimeMs > MAX_LIFETIME_MS) {
        throw new AppError('invalid', 'invalid-expires-in', `expires-in must be a duration such as 12h, 30d or 365d (at most 3650d), got "${input.expiresIn}"`);
      }
      const now = deps.clock.now();
      const expiresAt = new Date(now.getTime() + lifetimeMs);
      const token = generateToken();
      const record = await deps.tokens.create({
        name: input.name,
        role: input.role,
        tokenHash: hashToken(token),
        createdBy: input.createdBy,
        now,
        expiresAt,
      });
      if (!record) throw new AppError('conflict', 'token-name-taken', `a token named "${input.name}" already exists (names are never reused, even after revocation)`);
      await deps.audit.record({ actor: input.createdBy, action: 'token.create', targetType: 'token', targetId: record.name, after: { role: record.role, expiresAt: record.expiresAt }, now });
      return { token, record };
    },

    /** Revokes by name; `already` is true when it was revoked before. */
    async revoke(name: string, by: string): Promise<{ record: TokenRecord; already: boolean }> {
      const now = deps.clock.now();
      const revoked = await deps.tokens.revoke(name, now);
      const record = await deps.tokens.findByName(name);
      if (!record) throw new AppError('not_found', 'token-not-found', `no token named "${name}"`);
      if (revoked) await deps.audit.record({ actor: by, action: 'token.revoke', targetType: 'token', targetId: name, before: { revokedAt: null }, after: { revokedAt: record.revokedAt }, now });
      return { record, already: !revoked };
    },

    /** Writes one `token.expire` audit row per token that has expired (called by the watchdog); returns their names. */
    async auditExpired(): Promise<string[]> {
      const now = deps.clock.now();
      const expired = await deps.tokens.expiredUnaudited(now);
      for (const t of expired) {
        await deps.audit.record({ actor: 'system:token-expiry', action: 'token.expire', targetType: 'token', targetId: t.name, after: { role: t.role, expiresAt: t.expires_at }, now });
      }
      return expired.map((t) => t.name);
    },

    expiringBetween: (from: Date, to: Date) => deps.tokens.expiringBetween(from, to),

    list: () => deps.tokens.list(),

    /** Checks a presented token: shape, then the stored hash (compared in constant time), then revocation. */
    async authenticate(presented: string): Promise<AuthResult> {
      if (!isWellFormedToken(presented)) return { ok: false, reason: 'malformed' };
      const hash = hashToken(presented);
      const row = await deps.tokens.findByHash(hash);
      if (!row || !sameHash(row.tokenHash, hash)) return { ok: false, reason: 'unknown' };
      if (row.revokedAt) return { ok: false, reason: 'revoked' };
      const now = deps.clock.now();
      if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= touchEveryMs) {
        await deps.tokens.touchLastUsed(row.id, now).catch((err: unknown) => deps.onTouchError?.(err));
      }
      return { ok: true, principal: { tokenId: row.id, name: row.name, role: row.role }, expiresAt: row.expiresAt ?? null };
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
