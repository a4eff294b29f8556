/**
 * The digest outbox (issue 16): a mentor's one e-mail a day per programme listing every reminder
 * due, a coordinator's escalation digest (with the reminders covered for absent mentors), and the
 * notice that a mentor's address bounced. PostgreSQL decides, as for the reminders' own outbox:
 *   - assembly takes every reminder waiting for a digest (`email_status` / `coordinator_email_status`
 *     `digest`, no digest yet) whose run is no longer running, groups them by recipient,
 *     programme and the run's local day, and gives each group a digest row with its own key
 *     (`m<mentor>-p<programme>-<YYYYMMDD>-<part>`); a reminder joins exactly one digest (its
 *     digest id is set once), so a straggler written after a day's digest (a retry run) goes in a
 *     follow-up part, never lost and never twice;
 *   - delivery claims a row with a lease (who, until), sends, and marks sent or failed only for
 *     the attempt it claimed; an expired lease may be adopted. The Message-ID is the key, so the
 *     one window that stays (SMTP accepted, the sender died before the mark) re-sends the same
 *     message with the same Message-ID after the lease.
 * Assemblies serialize on a transaction-scoped advisory lock, so two workers never number the
 * same part twice.
 */
import { Prisma, type PrismaClient } from '../db/prisma';
import { dateColumnToIso } from '../domain/calendar';

export type DigestKind = 'mentor' | 'coordinator' | 'undeliverable_notice';

export type ClaimedDigest = {
  id: number;
  key: string;
  kind: DigestKind;
  attempt: number;
  /** The attempt number an operator's retry started from: EMAIL_MAX_ATTEMPTS counts from it. */
  retryFrom: number;
  programmeId: number;
  programmeName: string;
  localDate: string;
  part: number;
  recipientId: number;
  recipientName: string;
  /** NULL: the recipient has no usable address any more (the digest is withdrawn, not sent). */
  recipientEmail: string | null;
  /** Why not: a mentor who turned e-mail off, or an address that bounced. */
  withdraw: 'opted_out' | 'undeliverable' | 'no_address' | null;
  locale: string;
  /** The programme's delivery: `each` makes a coordinator message of one reminder, not a digest. */
  delivery: 'digest' | 'each';
};

export type DigestItem = {
  reminderId: number;
  assignmentId: number;
  contactName: string;
  mentorName: string;
  sequenceNumber: number;
  escalated: boolean;
  covered: boolean;
  lastReminder: boolean;
};

export type DigestStatus = 'pending' | 'sent' | 'failed' | 'cancelled';

export type DigestFilter = { status?: DigestStatus; localDate?: string; programmeId?: number };

export type DigestRow = {
  id: number;
  key: string;
  kind: DigestKind;
  status: DigestStatus;
  programme: string;
  localDate: string;
  part: number;
  /** `mentor 12` / `coordinator 3`: ids, not addresses. */
  recipient: string;
  /** Attempts in this round (since an operator's last retry). */
  attempts: number;
  nextAttemptAt: Date | null;
  /** The worker holding it right now (a live lease), else null. */
  leaseOwner: string | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
  /** Reminders it lists. */
  reminders: number;
};

export type NoticeSubject = { mentorId: number; mentorName: string; reason: 'hard_bounce' | 'complaint' };

const ASSEMBLY_LOCK = 7_160_016;

/** An operator's scope (a local day, a programme), as a condition on `digests` (no alias). */
const inScope = (f: Omit<DigestFilter, 'status'>) =>
  Prisma.sql`${f.localDate === undefined ? Prisma.empty : Prisma.sql`AND local_date = ${f.localDate}::date`} ${f.programmeId === undefined ? Prisma.empty : Prisma.sql`AND programme_id = ${f.programmeId}::int`}`;

export function createDigestRepository(prisma: PrismaClient) {
  return {
    /**
     * Gives every waiting reminder of a finished run its digest (mentor copy and coordinator
     * copy). `programmeId` null: every programme. Returns the digests made.
     */
    async assemble(p: { programmeId: number | null }): Promise<{ mentor: number; coordinator: number }> {
      // Three statements over a temporary table, not one: in one statement the join of the
      // inserted digests back to the waiting reminders was planned as a nested loop over two CTE
      // scans estimated at a few rows (76,000 reminders x 20,000 digests: minutes); the analysed
      // table gives hash joins (well under a second).
      return prisma.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ASSEMBLY_LOCK}::int, 0)`;
          await tx.$executeRaw`
            CREATE TEMP TABLE digest_waiting ON COMMIT DROP AS
            SELECT r.id AS reminder_id, k.kind, k.recipient, a.programme_id,
                   (COALESCE(l.started_at, r.created_at) AT TIME ZONE pr.time_zone)::date AS local_date,
                   -- each delivery: a coordinator message per reminder (a part each), as the mentor's own e-mails are
                   CASE WHEN k.kind = 'coordinator' AND pr.delivery = 'each' THEN r.id ELSE 0 END AS single
              FROM reminders r
              JOIN assignments a ON a.id = r.assignment_id
              JOIN programmes pr ON pr.id = a.programme_id
              LEFT JOIN cron_execution_log l ON l.id = r.run_id
             CROSS JOIN LATERAL (
                   SELECT 'mentor'::digest_kind AS kind, a.peer_mentor_id AS recipient
                    WHERE r.email_status = 'digest' AND r.mentor_digest_id IS NULL
                   UNION ALL
                   SELECT 'coordinator'::digest_kind, a.coordinator_id
                    WHERE r.coordinator_email_status = 'digest' AND r.coordinator_digest_id IS NULL AND a.coordinator_id IS NOT NULL) k
             WHERE (r.email_status = 'digest' OR r.coordinator_email_status = 'digest')
               AND (l.id IS NULL OR l.status <> 'running')
               AND (${p.programmeId}::int IS NULL OR a.programme_id = ${p.programmeId}::int)`;
          await tx.$executeRaw`ANALYZE digest_waiting`;
          // One digest per group, numbered after the parts the day already has.
          await tx.$executeRaw`
            CREATE TEMP TABLE digest_groups ON COMMIT DROP AS
            SELECT g.kind, g.recipient, g.programme_id, g.local_date, g.single,
                   row_number() OVER (PARTITION BY g.kind, g.recipient, g.programme_id, g.local_date ORDER BY g.single)
                   + COALESCE((SELECT max(d.part) FROM digests d
                                WHERE d.kind = g.kind AND d.recipient_id = g.recipient
                                  AND d.programme_id = g.programme_id AND d.local_date = g.local_date), 0) AS part
              FROM (SELECT DISTINCT kind, recipient, programme_id, local_date, single FROM digest_waiting) g`;
          await tx.$executeRaw`ANALYZE digest_groups`;
          const made = await tx.$queryRaw<{ kind: 'mentor' | 'coordinator'; n: bigint }[]>`
            WITH made AS (
              INSERT INTO digests (digest_key, kind, programme_id, recipient_type, recipient_id, local_date, part)
              SELECT CASE kind WHEN 'mentor' THEN 'm' ELSE 'c' END || recipient || '-p' || programme_id || '-' || to_char(local_date, 'YYYYMMDD') || '-' || part,
                     kind, programme_id, (CASE kind WHEN 'mentor' THEN 'peer_mentor' ELSE 'coordinator' END)::recipient_type, recipient, local_date, part
                FROM digest_groups
              RETURNING kind
            )
            SELECT kind::text AS kind, count(*) AS n FROM made GROUP BY kind`;
          // Each waiting reminder joins its group's digest (mentor copy and coordinator copy in one row each).
          await tx.$executeRaw`
            WITH target AS (
              SELECT w.reminder_id,
                     max(d.id) FILTER (WHERE w.kind = 'mentor') AS mentor_digest,
                     max(d.id) FILTER (WHERE w.kind = 'coordinator') AS coordinator_digest
                FROM digest_waiting w
                JOIN digest_groups g ON g.kind = w.kind AND g.recipient = w.recipient AND g.programme_id = w.programme_id
                                    AND g.local_date = w.local_date AND g.single = w.single
                JOIN digests d ON d.kind = g.kind AND d.recipient_id = g.recipient AND d.programme_id = g.programme_id
                              AND d.local_date = g.local_date AND d.part = g.part
               GROUP BY w.reminder_id
            )
            UPDATE reminders r
               SET mentor_digest_id = COALESCE(t.mentor_digest, r.mentor_digest_id),
                   coordinator_digest_id = COALESCE(t.coordinator_digest, r.coordinator_digest_id)
              FROM target t
             WHERE r.id = t.reminder_id`;
          const n = (k: string) => Number(made.find((m) => m.kind === k)?.n ?? 0);
          return { mentor: n('mentor'), coordinator: n('coordinator') };
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
    },

    /**
     * Claims up to `limit` digests due for an attempt (pending, not before next_attempt_at, no
     * live lease), oldest first, skipping rows another claimer holds at this moment.
     */
    async claim(p: { limit: number; owner: string; leaseSeconds: number; now: Date }): Promise<ClaimedDigest[]> {
      const rows = await prisma.$queryRaw<
        { id: number; digest_key: string; kind: DigestKind; attempts: number; retry_from: number; programme_id: number; programme_name: string; local_date: Date; part: number; recipient_id: number; recipient_name: string | null; recipient_email: string | null; withdraw: ClaimedDigest['withdraw']; locale: string; delivery: 'digest' | 'each' }[]
      >`
        WITH picked AS (
          SELECT d.id FROM digests d
           WHERE d.status = 'pending'
             AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ${p.now}::timestamptz)
             AND (d.lease_until IS NULL OR d.lease_until <= clock_timestamp())
           ORDER BY d.id
           LIMIT ${p.limit}
             FOR UPDATE SKIP LOCKED
        ), claimed AS (
          UPDATE digests d SET attempts = d.attempts + 1, lease_owner = ${p.owner},
                               lease_until = clock_timestamp() + make_interval(secs => ${p.leaseSeconds}::int)
            FROM picked WHERE d.id = picked.id
          RETURNING d.*
        )
        SELECT c.id, c.digest_key, c.kind, c.attempts, c.retry_from, c.programme_id, pr.name AS programme_name, c.local_date, c.part, c.recipient_id,
               COALESCE(pm.name, co.name) AS recipient_name,
               COALESCE(pm.email, co.email) AS recipient_email,
               CASE WHEN COALESCE(pm.email, co.email) IS NULL THEN 'no_address'
                    WHEN c.kind = 'mentor' AND NOT pm.reminder_email THEN 'opted_out'
                    WHEN ea.undeliverable_at IS NOT NULL THEN 'undeliverable' END AS withdraw,
               COALESCE(pm.locale, co.locale, pr.default_locale) AS locale, pr.delivery::text AS delivery
          FROM claimed c
          JOIN programmes pr ON pr.id = c.programme_id
          LEFT JOIN peer_mentors pm ON c.recipient_type = 'peer_mentor' AND pm.id = c.recipient_id
          LEFT JOIN coordinators co ON c.recipient_type = 'coordinator' AND co.id = c.recipient_id
          LEFT JOIN email_addresses ea ON ea.address = lower(COALESCE(pm.email, co.email))
         ORDER BY c.id`;
      return rows.map((r) => ({
        id: r.id,
        key: r.digest_key,
        kind: r.kind,
        attempt: r.attempts,
        retryFrom: r.retry_from,
        programmeId: r.programme_id,
        programmeName: r.programme_name,
        localDate: dateColumnToIso(r.local_date),
        part: r.part,
        recipientId: r.recipient_id,
        recipientName: r.recipient_name ?? '',
        recipientEmail: r.recipient_email,
        withdraw: r.withdraw,
        locale: r.locale,
        delivery: r.delivery,
      }));
    },

    /** The reminders a mentor or coordinator digest lists, in assignment order. */
    async items(digestIds: number[]): Promise<Map<number, DigestItem[]>> {
      if (digestIds.length === 0) return new Map();
      const rows = await prisma.$queryRaw<{ digest_id: number; id: number; assignment_id: number; contact_name: string; mentor_name: string; seq: number; escalated: boolean; covered: boolean; last: boolean }[]>`
        SELECT x.digest_id, r.id, r.assignment_id, ct.name AS contact_name, pm.name AS mentor_name, r.sequence_number AS seq, r.escalated,
               r.preference_applied IS NOT DISTINCT FROM 'covered' AS covered,
               pr.stop_after IS NOT NULL AND r.sequence_number = pr.stop_after AS last
          FROM (SELECT id, mentor_digest_id AS digest_id FROM reminders WHERE mentor_digest_id = ANY(${digestIds}::int[])
                UNION ALL
                SELECT id, coordinator_digest_id FROM reminders WHERE coordinator_digest_id = ANY(${digestIds}::int[])) x
          JOIN reminders r ON r.id = x.id
          JOIN assignments a ON a.id = r.assignment_id
          JOIN programmes pr ON pr.id = a.programme_id
          JOIN contacts ct ON ct.id = a.contact_id
          JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
         ORDER BY r.assignment_id, r.id`;
      const out = new Map<number, DigestItem[]>();
      for (const r of rows) {
        const list = out.get(r.digest_id) ?? [];
        list.push({ reminderId: r.id, assignmentId: r.assignment_id, contactName: r.contact_name, mentorName: r.mentor_name, sequenceNumber: r.seq, escalated: r.escalated, covered: r.covered, lastReminder: r.last });
        out.set(r.digest_id, list);
      }
      return out;
    },

    /** Who an undeliverable notice is about: the coordinator's mentor whose address hashes to the key's. */
    async noticeSubject(d: { key: string; recipientId: number }): Promise<NoticeSubject | null> {
      const m = /^undeliverable-([0-9a-f]{16})-\d+-c\d+$/.exec(d.key);
      if (!m) return null;
      const [row] = await prisma.$queryRaw<{ id: number; name: string; reason: string | null }[]>`
        SELECT pm.id, pm.name, ea.undeliverable_reason AS reason
          FROM peer_mentors pm
          LEFT JOIN email_addresses ea ON ea.address = lower(pm.email)
         WHERE pm.email IS NOT NULL AND left(encode(sha256(convert_to(lower(pm.email), 'UTF8')), 'hex'), 16) = ${m[1]}
           AND (pm.coordinator_id = ${d.recipientId}
                OR EXISTS (SELECT 1 FROM assignments a WHERE a.peer_mentor_id = pm.id AND a.coordinator_id = ${d.recipientId}))
         ORDER BY pm.id LIMIT 1`;
      if (!row) return null;
      return { mentorId: row.id, mentorName: row.name, reason: row.reason === 'complaint' ? 'complaint' : 'hard_bounce' };
    },

    /**
     * Renews the lease of the attempt the caller holds, right before its send: a claim takes a
     * batch under one lease and the lanes send it one after another, so a digest late in the
     * batch could otherwise start (or still be in flight) after that lease, while another sender
     * adopts it. False: the attempt is no longer the caller's (adopted, or finished); do not send.
     */
    /** renewLease for several digests in one statement (the outbox's batcher); one answer per item. */
    async renewLeases(ps: { id: number; attempt: number; owner: string; leaseSeconds: number }[]): Promise<boolean[]> {
      if (ps.length === 0) return [];
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        UPDATE digests d SET lease_until = clock_timestamp() + make_interval(secs => u.secs)
          FROM unnest(${ps.map((p) => p.id)}::int[], ${ps.map((p) => p.attempt)}::int[], ${ps.map((p) => p.owner)}::text[], ${ps.map((p) => p.leaseSeconds)}::int[]) AS u(id, attempt, owner, secs)
         WHERE d.id = u.id AND d.attempts = u.attempt AND d.status = 'pending' AND d.lease_owner = u.owner
        RETURNING d.id`;
      const ours = new Set(rows.map((r) => r.id));
      return ps.map((p) => ours.has(p.id));
    },

    /** markSent for several digests in one statement (the outbox's batcher); one answer per item. */
    async markSentMany(ps: { id: number; attempt: number; at: Date }[]): Promise<boolean[]> {
      if (ps.length === 0) return [];
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        WITH u AS (
          SELECT * FROM unnest(${ps.map((p) => p.id)}::int[], ${ps.map((p) => p.attempt)}::int[], ${ps.map((p) => p.at.toISOString())}::timestamptz[]) AS u(id, attempt, at)
        ), marked AS (
          UPDATE digests d SET status = 'sent', sent_at = u.at, last_error = NULL, lease_owner = NULL, lease_until = NULL
            FROM u WHERE d.id = u.id AND d.attempts = u.attempt AND d.status = 'pending'
          RETURNING d.id, d.kind, u.at
        ), mentor_copies AS (
          UPDATE reminders r SET email_status = 'sent', email_sent_at = m.at
            FROM marked m WHERE m.kind = 'mentor' AND r.mentor_digest_id = m.id
        ), coordinator_copies AS (
          UPDATE reminders r SET coordinator_email_status = 'sent'
            FROM marked m WHERE m.kind = 'coordinator' AND r.coordinator_digest_id = m.id
        )
        SELECT id FROM marked`;
      const ours = new Set(rows.map((r) => r.id));
      return ps.map((p) => ours.has(p.id));
    },

    async renewLease(p: { id: number; attempt: number; owner: string; leaseSeconds: number }): Promise<boolean> {
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        UPDATE digests SET lease_until = clock_timestamp() + make_interval(secs => ${p.leaseSeconds}::int)
         WHERE id = ${p.id} AND attempts = ${p.attempt} AND status = 'pending' AND lease_owner = ${p.owner}
        RETURNING id`;
      return rows.length === 1;
    },

    /** Marks sent the attempt the caller holds, and its reminders' copies. False: the lease was taken over. */
    async markSent(p: { id: number; attempt: number; at: Date }): Promise<boolean> {
      const rows = await prisma.$queryRaw<{ id: number; kind: DigestKind }[]>`
        WITH marked AS (
          UPDATE digests SET status = 'sent', sent_at = ${p.at}::timestamptz, last_error = NULL, lease_owner = NULL, lease_until = NULL
           WHERE id = ${p.id} AND attempts = ${p.attempt} AND status = 'pending'
          RETURNING id, kind
        ), mentor_copies AS (
          UPDATE reminders r SET email_status = 'sent', email_sent_at = ${p.at}::timestamptz
            FROM marked m WHERE m.kind = 'mentor' AND r.mentor_digest_id = m.id
        ), coordinator_copies AS (
          UPDATE reminders r SET coordinator_email_status = 'sent'
            FROM marked m WHERE m.kind = 'coordinator' AND r.coordinator_digest_id = m.id
        )
        SELECT id, kind FROM marked`;
      return rows.length === 1;
    },

    /**
     * Records a failed attempt the caller holds: tried again after `retryAt`, or given up as
     * `failed` when `final`. False: the lease was taken over.
     */
    async markFailed(p: { id: number; attempt: number; error: string; retryAt: Date | null }): Promise<boolean> {
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        UPDATE digests SET status = (CASE WHEN ${p.retryAt}::timestamptz IS NULL THEN 'failed' ELSE 'pending' END)::digest_status,
                           next_attempt_at = ${p.retryAt}::timestamptz, last_error = ${p.error.slice(0, 2000)},
                           lease_owner = NULL, lease_until = NULL
         WHERE id = ${p.id} AND attempts = ${p.attempt} AND status = 'pending'
        RETURNING id`;
      return rows.length === 1;
    },

    /**
     * A digest whose recipient no longer takes e-mail (opted out, address bounced or gone) or that
     * lists nothing: cancelled, its reminders' copies in-app only, with the preference that applied.
     */
    async withdraw(p: { id: number; attempt: number; preference: 'opted_out' | 'undeliverable' | 'no_address' | 'empty' }): Promise<boolean> {
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        WITH marked AS (
          UPDATE digests SET status = 'cancelled', last_error = ${`withdrawn: ${p.preference}`}, lease_owner = NULL, lease_until = NULL
           WHERE id = ${p.id} AND attempts = ${p.attempt} AND status = 'pending'
          RETURNING id, kind
        ), mentor_copies AS (
          UPDATE reminders r SET email_status = 'not_applicable',
                                 preference_applied = CASE WHEN ${p.preference} = 'empty' THEN r.preference_applied ELSE ${p.preference}::email_preference END
            FROM marked m WHERE m.kind = 'mentor' AND r.mentor_digest_id = m.id
        ), coordinator_copies AS (
          UPDATE reminders r SET coordinator_email_status = 'not_applicable'
            FROM marked m WHERE m.kind = 'coordinator' AND r.coordinator_digest_id = m.id
        )
        SELECT id FROM marked`;
      return rows.length === 1;
    },

    /** Digests for an operator (`digests list`, GET /v1/digests), newest first. */
    async list(f: DigestFilter & { limit: number }): Promise<DigestRow[]> {
      const rows = await prisma.$queryRaw<{ id: number; digest_key: string; kind: DigestKind; status: DigestStatus; programme: string; local_date: Date; part: number; recipient_type: string; recipient_id: number; attempts: number; retry_from: number; next_attempt_at: Date | null; lease_owner: string | null; last_error: string | null; sent_at: Date | null; created_at: Date; reminders: number }[]>`
        SELECT d.id, d.digest_key, d.kind, d.status, pr.slug AS programme, d.local_date, d.part, d.recipient_type::text AS recipient_type, d.recipient_id,
               d.attempts, d.retry_from, d.next_attempt_at, CASE WHEN d.lease_until > clock_timestamp() THEN d.lease_owner END AS lease_owner,
               d.last_error, d.sent_at, d.created_at,
               -- Two counts, each by its own foreign-key index (an OR of the two would scan reminders per digest).
               CASE WHEN d.kind = 'mentor' THEN (SELECT count(*)::int FROM reminders r WHERE r.mentor_digest_id = d.id)
                    ELSE (SELECT count(*)::int FROM reminders r WHERE r.coordinator_digest_id = d.id) END AS reminders
          FROM digests d JOIN programmes pr ON pr.id = d.programme_id
         WHERE true ${f.status === undefined ? Prisma.empty : Prisma.sql`AND d.status = ${f.status}::digest_status`} ${inScope(f)}
         ORDER BY d.id DESC
         LIMIT ${f.limit}`;
      return rows.map((r) => ({
        id: r.id,
        key: r.digest_key,
        kind: r.kind,
        status: r.status,
        programme: r.programme,
        localDate: dateColumnToIso(r.local_date),
        part: r.part,
        recipient: `${r.recipient_type === 'peer_mentor' ? 'mentor' : 'coordinator'} ${r.recipient_id}`,
        attempts: r.attempts - r.retry_from,
        nextAttemptAt: r.next_attempt_at,
        leaseOwner: r.lease_owner,
        lastError: r.last_error,
        sentAt: r.sent_at,
        createdAt: r.created_at,
        reminders: r.reminders,
      }));
    },

    /**
     * An operator's answer to failed digests (after the relay is mended): `retry` sets them pending
     * again, due now, with a fresh EMAIL_MAX_ATTEMPTS; `cancel` gives them up, their reminders
     * in-app only (as a withdrawn digest). Only `failed` rows change; the keys of those changed.
     */
    async resolveFailed(f: Omit<DigestFilter, 'status'> & { action: 'retry' | 'cancel'; actor: string; reason: string | null; now: Date }): Promise<{ keys: string[]; auditId: number | null }> {
      return prisma.$transaction(async (tx) => {
        const rows =
          f.action === 'retry'
            ? await tx.$queryRaw<{ digest_key: string }[]>`
                UPDATE digests SET status = 'pending', retry_from = attempts, next_attempt_at = NULL
                 WHERE status = 'failed' ${inScope(f)}
                RETURNING digest_key`
            : await tx.$queryRaw<{ digest_key: string }[]>`
                WITH marked AS (
                  UPDATE digests SET status = 'cancelled', last_error = 'cancelled by an operator after: ' || COALESCE(last_error, 'no error recorded')
                   WHERE status = 'failed' ${inScope(f)}
                  RETURNING id, kind, digest_key
                ), mentor_copies AS (
                  UPDATE reminders r SET email_status = 'not_applicable' FROM marked m WHERE m.kind = 'mentor' AND r.mentor_digest_id = m.id
                ), coordinator_copies AS (
                  UPDATE reminders r SET coordinator_email_status = 'not_applicable' FROM marked m WHERE m.kind = 'coordinator' AND r.coordinator_digest_id = m.id
                )
                SELECT digest_key FROM marked`;
        const keys = rows.map((r) => r.digest_key).sort();
        if (keys.length === 0) return { keys, auditId: null };
        const audit = await tx.adminAuditLog.create({
          data: { actor: f.actor, action: f.action === 'retry' ? 'digests.retry' : 'digests.cancel', targetType: 'digest', targetId: null, before: { status: 'failed', localDate: f.localDate ?? null, programmeId: f.programmeId ?? null }, after: { status: f.action === 'retry' ? 'pending' : 'cancelled', keys }, reason: f.reason, createdAt: f.now },
          select: { id: true },
        });
        return { keys, auditId: audit.id };
      }, { maxWait: 10_000, timeout: 30_000 });
    },

    /** Digests by status (for metrics and `status`). */
    async countByStatus(): Promise<Record<string, number>> {
      const rows = await prisma.$queryRaw<{ status: string; n: bigint }[]>`SELECT status::text AS status, count(*) AS n FROM digests GROUP BY status`;
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
  };
}

export type DigestRepository = ReturnType<typeof createDigestRepository>;
