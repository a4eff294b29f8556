/**
 * What an operator does with the digest outbox (issue 16): list it, and after a relay outage that
 * outlasted EMAIL_MAX_ATTEMPTS retry the failed digests (sent once each, same Message-ID) or
 * cancel them (their reminders stay in-app). The API (GET /v1/digests, POST /v1/digests/retry |
 * cancel) and `npx reminders digests` both call this: same checks, one audit row per change.
 */
import type { Clock } from '../clock';
import { isIsoDate } from '../domain/calendar';
import { AppError } from '../errors';
import type { DigestRepository, DigestRow, DigestStatus } from '../repositories/digest-repository';
import type { ProgrammeRepository } from '../repositories/programme-repository';

export const DIGEST_STATUSES: readonly DigestStatus[] = ['pending', 'sent', 'failed', 'cancelled'];
/** Rows one listing answers with at most. */
export const DIGEST_LIST_MAX = 500;

export type DigestScope = {
  /** The local day the digests are for (YYYY-MM-DD). @defaultValue every day */
  date?: string;
  /** A programme's slug. @defaultValue every programme */
  programme?: string;
};

export type DigestResolution = { action: 'retry' | 'cancel'; changed: number; keys: string[]; auditId: number | null };

export type DigestAdminDeps = {
  digests: Pick<DigestRepository, 'list' | 'resolveFailed'>;
  programmes: Pick<ProgrammeRepository, 'bySlug'>;
  clock: Clock;
};

export function createDigestAdminService(deps: DigestAdminDeps) {
  async function scope(s: DigestScope): Promise<{ localDate?: string; programmeId?: number }> {
    if (s.date !== undefined && !isIsoDate(s.date)) throw new AppError('invalid', 'invalid-date', `date must be a calendar date YYYY-MM-DD, got "${s.date}"`, [{ pointer: '/date', detail: 'must be YYYY-MM-DD' }]);
    let programmeId: number | undefined;
    if (s.programme !== undefined) {
      const p = await deps.programmes.bySlug(s.programme);
      if (!p) throw new AppError('not_found', 'programme-not-found', `no programme "${s.programme}"`);
      programmeId = p.id;
    }
    return { ...(s.date !== undefined ? { localDate: s.date } : {}), ...(programmeId !== undefined ? { programmeId } : {}) };
  }

  async function resolve(action: 'retry' | 'cancel', s: DigestScope & { actor: string; reason?: string | null }): Promise<DigestResolution> {
    const r = await deps.digests.resolveFailed({ ...(await scope(s)), action, actor: s.actor, reason: s.reason ?? null, now: deps.clock.now() });
    return { action, changed: r.keys.length, keys: r.keys, auditId: r.auditId };
  }

  return {
    /** Newest first; `status` one of DIGEST_STATUSES, `limit` 1 to DIGEST_LIST_MAX (default 50). */
    async list(q: DigestScope & { status?: string; limit?: number }): Promise<DigestRow[]> {
      if (q.status !== undefined && !DIGEST_STATUSES.includes(q.status as DigestStatus)) {
        throw new AppError('invalid', 'invalid-status', `status must be one of ${DIGEST_STATUSES.join(', ')}, got "${q.status}"`, [{ pointer: '/status', detail: `one of ${DIGEST_STATUSES.join(', ')}` }]);
      }
      const limit = q.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > DIGEST_LIST_MAX) throw new AppError('invalid', 'invalid-limit', `limit must be a whole number from 1 to ${DIGEST_LIST_MAX}, got ${limit}`, [{ pointer: '/limit', detail: `1 to ${DIGEST_LIST_MAX}` }]);
      return deps.digests.list({ ...(await scope(q)), ...(q.status ? { status: q.status as DigestStatus } : {}), limit });
    },
    /** Failed digests in scope back to pending, due now, with a fresh EMAIL_MAX_ATTEMPTS; `digests.retry` audited. */
    retry: (s: DigestScope & { actor: string; reason?: string | null }) => resolve('retry', s),
    /** Failed digests in scope given up (reminders in-app only); `digests.cancel` audited. */
    cancel: (s: DigestScope & { actor: string; reason?: string | null }) => resolve('cancel', s),
  };
}

export type DigestAdminService = ReturnType<typeof createDigestAdminService>;
