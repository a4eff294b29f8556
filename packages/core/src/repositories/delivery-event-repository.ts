/**
 * One delivery event (a provider's bounce or complaint) stored once and applied in one
 * transaction: the address's counters, its undeliverable mark (first time only), the notices to
 * the coordinators of its mentors (an in-app notification and an `undeliverable_notice` digest
 * each, once per undeliverable episode) and a soft bounce's retry of the message it names. The
 * event row is inserted last, `ON CONFLICT (source, event_id) DO NOTHING`: a concurrent copy of
 * the same event rolls the whole transaction back, so a webhook retry never applies twice.
 */
import type { Prisma, PrismaClient } from '../db/prisma';
import type { Locale } from '../domain/programme';
import { keyOfMessageId, undeliverableNoticeKey } from '../domain/email-address';

export type DeliveryEventType = 'hard_bounce' | 'soft_bounce' | 'complaint';
export type DeliveryEffect = 'undeliverable' | 'already_undeliverable' | 'digest_retried' | 'reminder_retried' | 'retries_exhausted' | 'counted' | 'ignored';

export type DeliveryEventInput = {
  source: string;
  eventId: string;
  type: DeliveryEventType;
  /** Lower-cased. */
  address: string;
  messageId: string | null;
  occurredAt: Date;
  diagnostic: string | null;
};

export type ApplyOptions = {
  receivedBy: string;
  now: Date;
  /** A reminder named by a soft bounce is re-sent while its email_attempts is below this (EMAIL_MAX_ATTEMPTS). */
  reminderMaxAttempts: number;
  /** A digest named by a soft bounce is set back to pending while its attempts are below this. */
  digestMaxAttempts: number;
  /** The spacing of a digest's retries: next_attempt_at = occurred_at + this x attempts. */
  digestRetryStepMinutes: number;
  /** The in-app notice to a coordinator, in their language. */
  noticeText: (locale: Locale, mentorNames: string[]) => { title: string; body: string };
};

export type ApplyResult = { stored: false } | { stored: true; effect: DeliveryEffect; notices: number };

type Tx = Prisma.TransactionClient;

/** Thrown inside the transaction to roll it back when the event was already stored. */
class AlreadyStored extends Error {}

/** One transaction at a time takes a coordinator's next notice part (digests are unique per recipient, programme, day and part). */
const NOTICE_LOCK = 1_601_600;

const reasonOf = (e: DeliveryEventInput) => `${e.type}${e.diagnostic ? `: ${e.diagnostic}` : ''}`.slice(0, 1000);

async function isKnown(tx: Tx, address: string): Promise<boolean> {
  const [r] = await tx.$queryRaw<{ known: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM peer_mentors WHERE lower(email) = ${address})
        OR EXISTS (SELECT 1 FROM coordinators WHERE lower(email) = ${address}) AS known`;
  return r!.known;
}

/** The counters first: the upsert locks the address's row, so the undeliverable mark below is decided by one transaction at a time. */
async function count(tx: Tx, e: DeliveryEventInput, now: Date) {
  const [hard, soft, complaint] = [e.type === 'hard_bounce', e.type === 'soft_bounce', e.type === 'complaint'].map(Number);
  await tx.$executeRaw`
    INSERT INTO email_addresses AS x (address, hard_bounces, soft_bounces, complaints, last_event_at, updated_at)
    VALUES (${e.address}, ${hard}::int, ${soft}::int, ${complaint}::int, ${e.occurredAt}, ${now})
    ON CONFLICT (address) DO UPDATE
       SET hard_bounces = x.hard_bounces + EXCLUDED.hard_bounces, soft_bounces = x.soft_bounces + EXCLUDED.soft_bounces,
           complaints = x.complaints + EXCLUDED.complaints, last_event_at = GREATEST(x.last_event_at, EXCLUDED.last_event_at),
           updated_at = EXCLUDED.updated_at`;
}

/** Tells each coordinator of a mentor with `address` once: a notification and an `undeliverable_notice` digest. */
async function notifyCoordinators(tx: Tx, address: string, since: Date, o: ApplyOptions): Promise<number> {
  const rows = await tx.$queryRaw<{ coordinatorId: number; locale: string | null; names: string[]; programmeId: number }[]>`
    WITH mentors AS (SELECT id, name, coordinator_id FROM peer_mentors WHERE lower(email) = ${address}),
    links AS (
      SELECT m.coordinator_id, m.id AS mentor_id, NULL::int AS programme_id FROM mentors m WHERE m.coordinator_id IS NOT NULL
      UNION ALL
      SELECT a.coordinator_id, a.peer_mentor_id, a.programme_id
        FROM assignments a JOIN mentors m ON m.id = a.peer_mentor_id
       WHERE a.status = 'active' AND a.coordinator_id IS NOT NULL
    ), any_programme AS (
      SELECT min(a.programme_id) AS id FROM assignments a JOIN mentors m ON m.id = a.peer_mentor_id WHERE a.status = 'active'
    )
    SELECT l.coordinator_id AS "coordinatorId", c.locale, array_agg(DISTINCT m.name) AS names,
           coalesce(min(l.programme_id), (SELECT id FROM any_programme), 1)::int AS "programmeId"
      FROM links l JOIN coordinators c ON c.id = l.coordinator_id JOIN mentors m ON m.id = l.mentor_id
     GROUP BY l.coordinator_id, c.locale
     ORDER BY l.coordinator_id`;
  if (rows.length === 0) return 0;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${NOTICE_LOCK}::int)`;
  let told = 0;
  for (const r of rows) {
    const key = undeliverableNoticeKey(address, since, r.coordinatorId);
    const [digest] = await tx.$queryRaw<{ id: number; locale: string }[]>`
      WITH p AS (SELECT id, default_locale, (${o.now}::timestamptz AT TIME ZONE time_zone)::date AS today FROM programmes WHERE id = ${r.programmeId}::int)
      INSERT INTO digests (digest_key, kind, programme_id, recipient_type, recipient_id, local_date, part, status, next_attempt_at, created_at)
      SELECT ${key}, 'undeliverable_notice', p.id, 'coordinator', ${r.coordinatorId}::int, p.today,
             1 + coalesce((SELECT max(d.part) FROM digests d
                            WHERE d.kind = 'undeliverable_notice' AND d.recipient_id = ${r.coordinatorId}::int AND d.programme_id = p.id AND d.local_date = p.today), 0),
             'pending', ${o.now}, ${o.now}
        FROM p
      ON CONFLICT (digest_key) DO NOTHING
      RETURNING id, (SELECT default_locale FROM p) AS locale`;
    if (!digest) continue;
    const locale = (r.locale ?? digest.locale ?? 'nb') as Locale;
    const text = o.noticeText(locale, [...r.names].sort());
    await tx.notification.create({ data: { reminderId: null, recipientType: 'coordinator', recipientId: r.coordinatorId, title: text.title, body: text.body, createdAt: o.now } });
    told++;
  }
  return told;
}

/** A soft bounce: the digest or reminder its Message-ID names goes back to be sent again, within its bound. */
async function retry(tx: Tx, e: DeliveryEventInput, o: ApplyOptions): Promise<DeliveryEffect> {
  const key = keyOfMessageId(e.messageId);
  if (!key) return 'counted';
  const error = `soft bounce reported by ${e.source}: ${e.diagnostic ?? 'no diagnostic'}`.slice(0, 1000);
  // The message must have gone to the address the event is about: a Message-ID alone carries no authority.
  const [digest] = await tx.$queryRaw<{ id: number; status: string; attempts: number }[]>`
    SELECT d.id, d.status::text AS status, d.attempts
      FROM digests d
      LEFT JOIN peer_mentors m ON d.recipient_type = 'peer_mentor' AND m.id = d.recipient_id
      LEFT JOIN coordinators c ON d.recipient_type = 'coordinator' AND c.id = d.recipient_id
     WHERE d.digest_key = ${key} AND lower(coalesce(m.email, c.email)) = ${e.address}
       FOR UPDATE OF d`;
  if (digest) {
    if (digest.status !== 'sent') return 'counted';
    if (digest.attempts >= o.digestMaxAttempts) return 'retries_exhausted';
    await tx.$executeRaw`
      UPDATE digests SET status = 'pending', lease_owner = NULL, lease_until = NULL, last_error = ${error},
                         next_attempt_at = ${e.occurredAt}::timestamptz + make_interval(mins => ${o.digestRetryStepMinutes}::int * attempts)
       WHERE id = ${digest.id}::int`;
    return 'digest_retried';
  }
  const [reminder] = await tx.$queryRaw<{ id: number; status: string; attempts: number }[]>`
    SELECT r.id, r.email_status::text AS status, r.email_attempts AS attempts
      FROM reminders r JOIN assignments a ON a.id = r.assignment_id JOIN peer_mentors m ON m.id = a.peer_mentor_id
     WHERE r.reminder_key = ${key} AND lower(m.email) = ${e.address}
       FOR UPDATE OF r`;
  if (!reminder || reminder.status !== 'sent') return 'counted';
  if (reminder.attempts >= o.reminderMaxAttempts) return 'retries_exhausted';
  // `failed` is what the next run's dispatch adopts and sends again (reminder-repository claimEmails).
  await tx.$executeRaw`UPDATE reminders SET email_status = 'failed', email_last_error = ${error} WHERE id = ${reminder.id}::int`;
  return 'reminder_retried';
}

export function createDeliveryEventRepository(prisma: PrismaClient) {
  return {
    /** Whether `source` already reported `eventId` (a cheap look before the transaction, which decides). */
    async seen(source: string, eventId: string): Promise<boolean> {
      return (await prisma.deliveryEvent.count({ where: { source, eventId } })) > 0;
    },

    async apply(e: DeliveryEventInput, o: ApplyOptions): Promise<ApplyResult> {
      try {
        return await prisma.$transaction(async (tx) => {
          let effect: DeliveryEffect = 'ignored';
          let notices = 0;
          if (await isKnown(tx, e.address)) {
            await count(tx, e, o.now);
            if (e.type === 'soft_bounce') effect = await retry(tx, e, o);
            else {
              const [marked] = await tx.$queryRaw<{ since: Date }[]>`
                UPDATE email_addresses SET undeliverable_at = ${o.now}, undeliverable_reason = ${reasonOf(e)}
                 WHERE address = ${e.address} AND undeliverable_at IS NULL
                RETURNING undeliverable_at AS since`;
              effect = marked ? 'undeliverable' : 'already_undeliverable';
              if (marked) notices = await notifyCoordinators(tx, e.address, marked.since, o);
            }
          }
          const stored = await tx.$queryRaw<{ id: number }[]>`
            INSERT INTO delivery_events (source, event_id, type, effect, address, message_id, occurred_at, diagnostic, received_at, received_by)
            VALUES (${e.source}, ${e.eventId}, ${e.type}::delivery_event_type, ${effect}::delivery_event_effect, ${e.address}, ${e.messageId},
                    ${e.occurredAt}, ${e.diagnostic}, ${o.now}, ${o.receivedBy})
            ON CONFLICT (source, event_id) DO NOTHING
            RETURNING id`;
          if (stored.length === 0) throw new AlreadyStored();
          return { stored: true as const, effect, notices };
        });
      } catch (err) {
        if (err instanceof AlreadyStored) return { stored: false };
        throw err;
      }
    },
  };
}

export type DeliveryEventRepository = ReturnType<typeof createDeliveryEventRepository>;
