/**
 * The one code path that writes activities, and the admin correction of last_contact_date.
 *
 * Activities: registered by one call of a database function (`register_activity_one` for a single
 * item, `register_activity_rows` for several), which also answers with each assignment's new
 * contact state. The repository never writes last_contact_date for an activity: the database trigger
 * `activities_touch_contact` does, in the same transaction, for every activity row whoever
 * inserts it (so a direct SQL insert by another service is covered too). Rows are inserted in
 * assignment id order, so the trigger's row locks are always taken in the same order and two
 * concurrent bulk registrations cannot deadlock.
 */
import type { Pool, PoolClient } from 'pg';
import type { PrismaClient } from '../db/prisma';
import { dateColumnToIso } from '../domain/calendar';
import type { AbsencePolicy } from '../domain/programme';
import type { AbsenceContext } from '../domain/reminder-due';
import type { ReminderRules } from '../domain/reminder-rules';
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
  /** The assignment's programme's time zone and rules: its calendar days and next reminder follow them. */
  timeZone: string;
  rules: ReminderRules;
  /** The programme's stop rule (null: none). */
  stopAfter: number | null;
  peerMentorId: number;
  /** The programme's absence policy, the mentor's absences that matter for this silence (ending after the anchor) and the snooze. */
  absence: AbsenceContext;
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

/** The contact state of `ids` (the database function contact_states, the same one registration answers with). */
async function contactStates(db: Tx, ids: number[]): Promise<Map<number, ContactState>> {
  if (ids.length === 0) return new Map();
  const [row] = await db.$queryRaw<Pick<Registered, 'states' | 'programmes'>[]>`SELECT states, programmes FROM contact_states(${ids}::int[])`;
  return statesOf(row!);
}

/** A stored activity under a client id: [id, assignment_id, activity_type, occurred_ms]. */
type KnownActivity = [id: number, assignmentId: number, activityType: string, occurredMs: number | string];

/** A client id seen before: the same activity again (duplicate) or another one under the same id (conflict). */
function compare(item: ActivityInput, [id, assignmentId, activityType, occurredMs]: KnownActivity): ItemOutcome {
  const same = assignmentId === item.assignmentId && activityType === item.activityType && Number(occurredMs) === item.occurredAt.getTime();
  return { outcome: same ? 'duplicate' : 'conflict', activityId: id };
}

/** The positional rows contact_states answers with (see its migration). */
type StateColumns = [
  id: number,
  status: ContactState['status'],
  assignedDate: string,
  lastContactDate: string | null,
  programmeId: number,
  peerMentorId: number,
  snoozedUntil: string | null,
  lastSeq: number,
  absences: [string, string][] | null,
];
type ProgrammeColumns = [timeZone: string, firstAfterDays: number, repeatEveryDays: number, escalateAfter: number, stopAfter: number | null, absencePolicy: AbsencePolicy];
type Registered = {
  ids: (number | null)[];
  reasons: (string | null)[];
  inserted: boolean[];
  known: Record<string, KnownActivity> | null;
  states: StateColumns[] | null;
  programmes: Record<string, ProgrammeColumns> | null;
};

/** contact_states' columns (prisma/migrations/20261203020000_register_activities_columns) as each assignment's ContactState. */
function statesOf({ states, programmes }: Pick<Registered, 'states' | 'programmes'>): Map<number, ContactState> {
  const byProgramme = programmes ?? {};
  return new Map(
    (states ?? []).map(([id, status, assignedDate, lastContactDate, programmeId, peerMentorId, snoozedUntil, lastSeq, absences]): [number, ContactState] => {
      const [timeZone, firstAfterDays, repeatEveryDays, escalateAfter, stopAfter, policy] = byProgramme[String(programmeId)]!;
      return [
        id,
        {
          assignmentId: id,
          status,
          assignedDate,
          lastContactDate,
          lastSentSequence: lastSeq,
          timeZone,
          rules: Object.freeze({ firstAfterDays, repeatEveryDays, escalateAfter }),
          stopAfter,
          peerMentorId,
          absence: { policy, absences: absences ?? [], snoozedUntil },
        },
      ];
    }),
  );
}

const REGISTER_SQL = `SELECT * FROM register_activity_rows($1::int[], $2::activity_type[], $3::timestamptz[], $4::registration_path[], $5::text[], $6::text[], $7::text[], $8::timestamptz, $9::text)`;
const REGISTER_ONE_SQL = `SELECT * FROM register_activity_one($1::int, $2::activity_type, $3::timestamptz, $4::registration_path, $5::text, $6::text, $7::text, $8::timestamptz, $9::text)`;

/** The statement for `items`: one item goes to register_activity_one (no array machinery), more to register_activity_rows. */
function registerStatement(items: ActivityInput[], now: Date, clientScope: string) {
  if (items.length === 1) {
    const [i] = items as [ActivityInput];
    return {
      name: 'register_activity_one',
      text: REGISTER_ONE_SQL,
      values: [i.assignmentId, i.activityType, i.occurredAt.toISOString(), i.registrationPath, i.registeredBy, i.clientId, i.note, now.toISOString(), clientScope],
    };
  }
  return {
    name: 'register_activity_rows',
    text: REGISTER_SQL,
    values: [
      items.map((i) => i.assignmentId),
      items.map((i) => i.activityType),
      items.map((i) => i.occurredAt.toISOString()),
      items.map((i) => i.registrationPath),
      items.map((i) => i.registeredBy),
      items.map((i) => i.clientId),
      items.map((i) => i.note),
      now.toISOString(),
      clientScope,
    ],
  };
}

/**
 * One call of register_activity_one or register_activity_rows (prisma/migrations/20261204000000_register_activity_one,
 * 20261203020000_register_activities_columns): one round trip, one answer shape.
 */
async function callRegister(db: Pick<Pool, 'query'> | PoolClient, items: ActivityInput[], now: Date, clientScope: string) {
  const { rows } = await db.query<Registered>(registerStatement(items, now, clientScope));
  const r = rows[0]!;
  const known = r.known ?? {};
  const outcomes = items.map((item, k): ItemOutcome => {
    const reason = r.reasons[k];
    if (reason) return { outcome: 'rejected', reason };
    const stored = known[String(k + 1)];
    if (stored) return compare(item, stored);
    if (r.inserted[k]) return { outcome: 'created', activityId: r.ids[k]! };
    throw new Error(`activity ${r.ids[k]} was neither inserted nor found by client id`);
  });
  return { outcomes, states: statesOf(r) };
}

export function createContactTrackingRepository(prisma: PrismaClient, pool: Pool) {
  return {
    contactState: async (assignmentId: number) => (await contactStates(prisma, [assignmentId])).get(assignmentId) ?? null,
    /** The contact states of several assignments (missing ids are left out). */
    contactStates: (assignmentIds: number[]) => contactStates(prisma, assignmentIds),

    /**
     * Registers activities and answers with each one's outcome and the new contact states.
     * `precheck` refuses an item before the database is asked (null = go on: the future check
     * needs no data); the database then refuses a missing or closed assignment or an activity
     * before it began (reasons assignment_not_found, assignment_closed, before_assignment, with
     * the local date in the assignment's programme's time zone) and answers a known client id from the stored row.
     * `respond` builds the answer from the outcomes (in input order) and the states.
     *
     * Without an idempotency scope this is one statement (one round trip, its own transaction).
     * Under one, the key row is written first in the same transaction (a concurrent request with
     * the same key waits on it), and a retry with the same body gets the stored answer back. An
     * expired key row is taken over by the new request, so whether the watchdog has purged it
     * yet makes no difference.
     */
    async register<R>(
      items: ActivityInput[],
      opts: {
        now: Date;
        /** Whose client_id namespace the items' client ids live in (the API token's name). */
        clientScope: string;
        idempotency?: IdempotencyScope;
        precheck: (item: ActivityInput) => string | null;
        respond: (outcomes: ItemOutcome[], states: Map<number, ContactState>) => R;
      },
    ): Promise<RegisterResult<R>> {
      const early = items.map((item) => opts.precheck(item));
      const toDb = items.filter((_, i) => early[i] === null);
      const merge = (db: { outcomes: ItemOutcome[]; states: Map<number, ContactState> }) => {
        let k = 0;
        const outcomes = early.map((reason): ItemOutcome => (reason === null ? db.outcomes[k++]! : { outcome: 'rejected', reason }));
        return opts.respond(outcomes, db.states);
      };
      const nothing = { outcomes: [] as ItemOutcome[], states: new Map<number, ContactState>() };
      const idem = opts.idempotency;
      if (!idem) {
        return { kind: 'registered', response: merge(toDb.length ? await callRegister(pool, toDb, opts.now, opts.clientScope) : nothing) };
      }
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // DO UPDATE only for an expired row; a live one is left alone (and RETURNING gives nothing).
        const claimed = await client.query(
          `INSERT INTO api_idempotency_keys (token_name, idempotency_key, request_hash, created_at)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (token_name, idempotency_key) DO UPDATE
              SET request_hash = EXCLUDED.request_hash, response = NULL, created_at = EXCLUDED.created_at
            WHERE api_idempotency_keys.created_at < $5
           RETURNING 1`,
          [idem.tokenName, idem.key, idem.requestHash, opts.now, idem.expiredBefore],
        );
        let result: RegisterResult<R>;
        if (claimed.rowCount === 0) {
          const { rows: [prior] } = await client.query<{ request_hash: string; response: R | null }>(
            `SELECT request_hash, response FROM api_idempotency_keys WHERE token_name = $1 AND idempotency_key = $2`,
            [idem.tokenName, idem.key],
          );
          result = prior && prior.request_hash === idem.requestHash && prior.response !== null ? { kind: 'replayed', response: prior.response } : { kind: 'key_reused' };
        } else {
          const response = merge(toDb.length ? await callRegister(client, toDb, opts.now, opts.clientScope) : nothing);
          await client.query(`UPDATE api_idempotency_keys SET response = $3::jsonb WHERE token_name = $1 AND idempotency_key = $2`, [
            idem.tokenName,
            idem.key,
            JSON.stringify(response),
          ]);
          result = { kind: 'registered', response };
        }
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
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
      | { kind: 'in_future'; today: string; timeZone: string }
      | { kind: 'before_assigned'; assignedDate: string }
      | { kind: 'corrected'; before: string | null; after: string; auditId: number; auditedAt: Date }
    > {
      return prisma.$transaction(async (tx) => {
        // "The future" is judged on the assignment's programme's calendar.
        const [row] = await tx.$queryRaw<{ assigned_date: Date; last_contact_date: Date | null; today: Date; time_zone: string }[]>`
          SELECT a.assigned_date, a.last_contact_date, (${p.now}::timestamptz AT TIME ZONE pr.time_zone)::date AS today, pr.time_zone
            FROM assignments a JOIN programmes pr ON pr.id = a.programme_id
           WHERE a.id = ${p.assignmentId} FOR UPDATE OF a`;
        if (!row) return { kind: 'not_found' as const };
        const today = dateColumnToIso(row.today);
        if (p.date > today) return { kind: 'in_future' as const, today, timeZone: row.time_zone };
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
