/**
 * The one code path that writes activities, and the admin correction of last_contact_date.
 *
 * Activities: inserted in one transaction that also answers with each assignment's new contact
 * state. The repository never writes last_contact_date for an activity: the database trigger
 * `activities_touch_contact` does, in the same transaction, for every activity row whoever
 * inserts it (so a direct SQL insert by another service is covered too). Rows are inserted in
 * assignment id order, so the trigger's row locks are always taken in the same order and two
 * concurrent bulk registrations cannot deadlock.
 */
import type { PrismaClient } from '../db/prisma';
import { dateColumnToIso } from '../domain/calendar';
import type { ActivityType, RegistrationPath } from '../generated/prisma/enums';

export type { ActivityType, RegistrationPath };

export type ActivityInput = {
  assignmentId: number;
  activityType: ActivityType;
  occurredAt: Date;
  registrationPath: RegistrationPath;
  registeredBy: string;
  clientId: string | null;
  note: string | null;
};

export type ContactState = {
  assignmentId: number;
  status: 'active' | 'paused' | 'closed';
  assignedDate: string;
  lastContactDate: string | null;
  /** Highest reminder sequence already written for the current anchor (0 when none). */
  lastSentSequence: number;
};

export type ItemOutcome =
  | { outcome: 'created'; activityId: number }
  | { outcome: 'duplicate'; activityId: number }
  | { outcome: 'conflict'; activityId: number }
  | { outcome: 'rejected'; reason: string };

export type IdempotencyScope = {
  tokenName: string;
  key: string;
  requestHash: string;
  /** A stored key created before this has expired: it is claimed afresh, as if it had never been used. */
  expiredBefore: Date;
};

export type RegisterResult<R> =
  | { kind: 'registered'; response: R }
  | { kind: 'replayed'; response: R }
  | { kind: 'key_reused' };

type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 };

async function contactStates(db: Tx, ids: number[]): Promise<Map<number, ContactState>> {
  if (ids.length === 0) return new Map();
  const rows = await db.$queryRaw<{ id: number; status: ContactState['status']; assigned_date: Date; last_contact_date: Date | null; last_seq: number }[]>`
    SELECT a.id, a.status::text AS status, a.assigned_date, a.last_contact_date,
           COALESCE((SELECT max(r.sequence_number) FROM reminders r
                      WHERE r.assignment_id = a.id
                        AND r.anchor_date = COALESCE(a.last_contact_date, a.assigned_date)), 0)::int AS last_seq
      FROM assignments a
     WHERE a.id = ANY(${ids}::int[])`;
  return new Map(
    rows.map((r) => [
      r.id,
      {
        assignmentId: r.id,
        status: r.status,
        assignedDate: dateColumnToIso(r.assigned_date),
        lastContactDate: r.last_contact_date ? dateColumnToIso(r.last_contact_date) : null,
        lastSentSequence: Number(r.last_seq),
      },
    ]),
  );
}

type StoredActivity = { id: number; client_id: string; assignment_id: number; activity_type: string; occurred_at: Date };

async function activitiesByClientId(db: Tx, clientIds: (string | null)[]): Promise<Map<string, StoredActivity>> {
  const wanted = clientIds.filter((c): c is string => c !== null);
  if (wanted.length === 0) return new Map();
  const rows = await db.$queryRaw<StoredActivity[]>`
    SELECT id, client_id, assignment_id, activity_type::text, occurred_at FROM activities WHERE client_id = ANY(${wanted}::text[])`;
  return new Map(rows.map((r) => [r.client_id, r]));
}

/** A client id seen before: the same activity again (duplicate) or another one under the same id (conflict). */
function compare(item: ActivityInput, prior: StoredActivity): ItemOutcome {
  const same =
    prior.assignment_id === item.assignmentId && prior.activity_type === item.activityType && prior.occurred_at.getTime() === item.occurredAt.getTime();
  return { outcome: same ? 'duplicate' : 'conflict', activityId: prior.id };
}

export function createContactTrackingRepository(prisma: PrismaClient) {
  return {
    contactState: async (assignmentId: number) => (await contactStates(prisma, [assignmentId])).get(assignmentId) ?? null,

    /**
     * Registers activities in one transaction. `check` refuses an item against its assignment's
     * state before anything is written (null = accept); `respond` builds the answer from the
     * outcomes (in input order) and the new contact states. Under an idempotency scope, the key
     * row is written first (a concurrent request with the same key waits on it), and a retry with
     * the same body gets the stored answer back. An expired key row is taken over by the new request,
     * so whether the watchdog has purged it yet makes no difference.
     */
    async register<R>(
      items: ActivityInput[],
      opts: {
        now: Date;
        idempotency?: IdempotencyScope;
        check: (item: ActivityInput, state: ContactState | undefined) => string | null;
        respond: (outcomes: ItemOutcome[], states: Map<number, ContactState>) => R;
      },
    ): Promise<RegisterResult<R>> {
      return prisma.$transaction(async (tx) => {
        const idem = opts.idempotency;
        if (idem) {
          // DO UPDATE only for an expired row; a live one is left alone (and RETURNING gives nothing).
          const claimed = await tx.$queryRaw<unknown[]>`
            INSERT INTO api_idempotency_keys (token_name, idempotency_key, request_hash, created_at)
            VALUES (${idem.tokenName}, ${idem.key}, ${idem.requestHash}, ${opts.now})
            ON CONFLICT (token_name, idempotency_key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, response = NULL, created_at = EXCLUDED.created_at
             WHERE api_idempotency_keys.created_at < ${idem.expiredBefore}
            RETURNING 1`;
          if (claimed.length === 0) {
            const [prior] = await tx.$queryRaw<{ request_hash: string; response: R | null }[]>`
              SELECT request_hash, response FROM api_idempotency_keys
               WHERE token_name = ${idem.tokenName} AND idempotency_key = ${idem.key}`;
            if (prior && prior.request_hash === idem.requestHash && prior.response !== null) return { kind: 'replayed', response: prior.response };
            return { kind: 'key_reused' };
          }
        }

        const ids = [...new Set(items.map((i) => i.assignmentId))];
        const before = await contactStates(tx, ids);
        const outcomes: (ItemOutcome | null)[] = items.map((item) => {
          const reason = opts.check(item, before.get(item.assignmentId));
          return reason ? { outcome: 'rejected', reason } : null;
        });
        // Client ids seen before are answered from the stored rows without touching the sequence;
        // ON CONFLICT below still covers a concurrent request registering the same client id.
        const priorByClientId = await activitiesByClientId(tx, items.filter((it, i) => outcomes[i] === null).map((it) => it.clientId));
        items.forEach((item, i) => {
          const prior = item.clientId === null ? undefined : priorByClientId.get(item.clientId);
          if (outcomes[i] === null && prior) outcomes[i] = compare(item, prior);
        });
        const pending = items.map((item, index) => ({ item, index })).filter(({ index }) => outcomes[index] === null);

        if (pending.length > 0) {
          // Sorted by assignment id: the trigger then locks assignment rows in one global order.
          const rows = [...pending].sort((x, y) => x.item.assignmentId - y.item.assignmentId || x.index - y.index);
          // Ids are drawn in the same statement so each row maps back to its item exactly,
          // whether it was inserted or stopped by ON CONFLICT.
          const mapped = await tx.$queryRaw<{ ord: bigint; id: number; inserted: boolean }[]>`
            WITH input AS MATERIALIZED (
              SELECT nextval(pg_get_serial_sequence('activities', 'id'))::int AS id, u.*
                FROM unnest(${rows.map((r) => r.item.assignmentId)}::int[],
                            ${rows.map((r) => r.item.activityType)}::activity_type[],
                            ${rows.map((r) => r.item.occurredAt.toISOString())}::timestamptz[],
                            ${rows.map((r) => r.item.registrationPath)}::registration_path[],
                            ${rows.map((r) => r.item.registeredBy)}::text[],
                            ${rows.map((r) => r.item.clientId)}::text[],
                            ${rows.map((r) => r.item.note)}::text[])
                     WITH ORDINALITY AS u(assignment_id, activity_type, occurred_at, registration_path, registered_by, client_id, note, ord)
               ORDER BY u.ord
            ), ins AS (
              INSERT INTO activities (id, assignment_id, activity_type, occurred_at, registration_path, registered_by, client_id, note, created_at)
              SELECT id, assignment_id, activity_type, occurred_at, registration_path, registered_by, client_id, note, ${opts.now}::timestamptz
                FROM input ORDER BY ord
              ON CONFLICT (client_id) DO NOTHING
              RETURNING id
            )
            SELECT input.ord, input.id, (ins.id IS NOT NULL) AS inserted FROM input LEFT JOIN ins USING (id)`;
          const byOrd = new Map(mapped.map((m) => [Number(m.ord), m]));
          const placed = rows.map((r, k) => ({ ...r, id: byOrd.get(k + 1)!.id, inserted: byOrd.get(k + 1)!.inserted }));
          const racedPrior = await activitiesByClientId(tx, placed.filter((r) => !r.inserted).map((r) => r.item.clientId));
          for (const r of placed) {
            if (r.inserted) {
              outcomes[r.index] = { outcome: 'created', activityId: r.id };
              continue;
            }
            const prior = racedPrior.get(r.item.clientId ?? '');
            if (!prior) throw new Error(`activity ${r.id} was neither inserted nor found by client id`);
            outcomes[r.index] = compare(r.item, prior);
          }
        }

        const after = await contactStates(tx, ids);
        const response = opts.respond(outcomes as ItemOutcome[], after);
        if (idem) {
          await tx.$executeRaw`
            UPDATE api_idempotency_keys SET response = ${JSON.stringify(response)}::jsonb
             WHERE token_name = ${idem.tokenName} AND idempotency_key = ${idem.key}`;
        }
        return { kind: 'registered', response };
      }, TX_OPTIONS);
    },

    /**
     * Sets last_contact_date by hand (it may move backwards: that is what a correction is for)
     * and writes exactly one admin_audit_log row, in one transaction with the row locked.
     */
    async correct(p: {
      assignmentId: number;
      date: string;
      actor: string;
      reason: string;
      now: Date;
    }): Promise<
      | { kind: 'not_found' }
      | { kind: 'before_assigned'; assignedDate: string }
      | { kind: 'corrected'; before: string | null; after: string; auditId: number; auditedAt: Date }
    > {
      return prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ assigned_date: Date; last_contact_date: Date | null }[]>`
          SELECT assigned_date, last_contact_date FROM assignments WHERE id = ${p.assignmentId} FOR UPDATE`;
        if (!row) return { kind: 'not_found' as const };
        const assignedDate = dateColumnToIso(row.assigned_date);
        if (p.date < assignedDate) return { kind: 'before_assigned' as const, assignedDate };
        const before = row.last_contact_date ? dateColumnToIso(row.last_contact_date) : null;
        await tx.$executeRaw`
          UPDATE assignments SET last_contact_date = ${p.date}::date, updated_at = ${p.now} WHERE id = ${p.assignmentId}`;
        const audit = await tx.adminAuditLog.create({
          data: {
            actor: p.actor,
            action: 'assignment.correct_last_contact_date',
            targetType: 'assignment',
            targetId: String(p.assignmentId),
            before: { last_contact_date: before },
            after: { last_contact_date: p.date },
            reason: p.reason,
            createdAt: p.now,
          },
          select: { id: true, createdAt: true },
        });
        return { kind: 'corrected' as const, before, after: p.date, auditId: audit.id, auditedAt: audit.createdAt };
      }, TX_OPTIONS);
    },
  };
}

export type ContactTrackingRepository = ReturnType<typeof createContactTrackingRepository>;
