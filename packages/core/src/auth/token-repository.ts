/** `api_tokens`: name, role, sha256 of the token, expiry, revocation and last use. Never the token itself. */
import type { PrismaClient } from '../db/prisma';
import type { Role } from './roles';

export type TokenRecord = {
  id: number;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** null: never expires (created before tokens expired). */
  expiresAt: Date | null;
};

const PUBLIC_FIELDS = { id: true, name: true, role: true, createdBy: true, createdAt: true, revokedAt: true, lastUsedAt: true, expiresAt: true } as const;

export function createTokenRepository(prisma: PrismaClient) {
  return {
    /** Inserts a token; returns null when the name is taken (names stay taken after revocation). */
    async create(t: { name: string; role: Role; tokenHash: string; createdBy: string; now: Date; expiresAt: Date }): Promise<TokenRecord | null> {
      // Checked first so a refused name leaves the table and its sequence untouched; ON CONFLICT covers a race.
      if (await prisma.apiToken.findUnique({ where: { name: t.name }, select: { id: true } })) return null;
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        INSERT INTO api_tokens (name, token_hash, role, created_by, created_at, expires_at)
        VALUES (${t.name}, ${t.tokenHash}, ${t.role}::token_role, ${t.createdBy}, ${t.now}, ${t.expiresAt})
        ON CONFLICT (name) DO NOTHING
        RETURNING id`;
      if (!rows[0]) return null;
      return prisma.apiToken.findUniqueOrThrow({ where: { id: rows[0].id }, select: PUBLIC_FIELDS });
    },

    findByHash: (tokenHash: string) =>
      prisma.apiToken.findUnique({ where: { tokenHash }, select: { ...PUBLIC_FIELDS, tokenHash: true } }),

    findByName: (name: string) => prisma.apiToken.findUnique({ where: { name }, select: PUBLIC_FIELDS }),

    list: () => prisma.apiToken.findMany({ orderBy: { id: 'asc' }, select: PUBLIC_FIELDS }),

    /** Sets revoked_at once; returns false when the token was already revoked or does not exist. */
    async revoke(name: string, now: Date): Promise<boolean> {
      const { count } = await prisma.apiToken.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: now } });
      return count === 1;
    },

    /** Unrevoked tokens whose expiry falls in [from, to). */
    expiringBetween: (from: Date, to: Date) =>
      prisma.apiToken.findMany({ where: { revokedAt: null, expiresAt: { gte: from, lt: to } }, orderBy: { expiresAt: 'asc' }, select: PUBLIC_FIELDS }),

    /** Unrevoked tokens that expired before `now` and whose expiry is not in the audit log yet. */
    expiredUnaudited: (now: Date) =>
      prisma.$queryRaw<{ name: string; role: Role; expires_at: Date }[]>`
        SELECT t.name, t.role::text AS role, t.expires_at FROM api_tokens t
        WHERE t.revoked_at IS NULL AND t.expires_at <= ${now}
          AND NOT EXISTS (SELECT 1 FROM admin_audit_log a WHERE a.action = 'token.expire' AND a.target_type = 'token' AND a.target_id = t.name)
        ORDER BY t.expires_at LIMIT 100`,

    touchLastUsed: async (id: number, now: Date) => {
      await prisma.apiToken.update({ where: { id }, data: { lastUsedAt: now }, select: { id: true } });
    },
  };
}

export type TokenRepository = ReturnType<typeof createTokenRepository>;
