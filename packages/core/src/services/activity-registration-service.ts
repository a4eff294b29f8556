/**
 * Activity registration, single and bulk. Every activity goes through the contact tracking
 * repository: one database call (one statement without an Idempotency-Key) registers it, moves
 * last_contact_date (via the database trigger) and answers with the assignment's new contact state.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { AppError, type FieldError } from '../errors';
import type {
  ActivityInput,
  ActivityType,
  ContactTrackingRepository,
  ItemOutcome,
  RegistrationPath,
} from '../repositories/contact-tracking-repository';
import { contactView, type ContactView } from './contact-view';

export type ActivityRequest = {
  assignmentId: number;
  activityType: ActivityType;
  /** ISO 8601 instant with an offset. */
  occurredAt: string;
  registeredBy: string;
  clientId?: string | null;
  note?: string | null;
};

export type RejectReason = 'assignment_not_found' | 'assignment_closed' | 'before_assignment' | 'occurred_in_future';

export type BulkItemResult = {
  index: number;
  assignmentId: number;
  outcome: ItemOutcome['outcome'];
  activityId: number | null;
  error: { code: RejectReason | 'client_id_conflict'; detail: string } | null;
  lastContactDate: string | null;
  nextReminderDueDate: string | null;
};

export type BulkResult = {
  items: BulkItemResult[];
  summary: { received: number; created: number; duplicate: number; conflict: number; rejected: number };
};

export type ActivityRegistrationDeps = {
  contactTracking: ContactTrackingRepository;
  clock: Clock;
  /** How far in the future occurred_at may be (clock skew between systems). @defaultValue 300000 (5 min) */
  futureToleranceMs?: number;
  /** Most items one bulk request may carry. @defaultValue 1000 */
  maxBulkItems?: number;
  /** How long an Idempotency-Key is remembered; an older one counts as new. @defaultValue 24 */
  idempotencyKeyRetentionHours?: number;
};

const REJECT_STATUS: Record<RejectReason, 'not_found' | 'conflict' | 'unprocessable'> = {
  assignment_not_found: 'not_found',
  assignment_closed: 'conflict',
  before_assignment: 'unprocessable',
  occurred_in_future: 'unprocessable',
};

export function createActivityRegistrationService(deps: ActivityRegistrationDeps) {
  const tolerance = deps.futureToleranceMs ?? 300_000;
  const maxBulk = deps.maxBulkItems ?? 1000;
  const keyRetentionMs = (deps.idempotencyKeyRetentionHours ?? 24) * 3600_000;

  const describe = (reason: RejectReason, item: ActivityInput): string =>
    ({
      assignment_not_found: `assignment ${item.assignmentId} does not exist`,
      assignment_closed: `assignment ${item.assignmentId} is closed; activities are not registered on closed assignments`,
      // The start date is not quoted: a caller that may register activities must not read assignments.
      before_assignment: `occurred_at ${item.occurredAt.toISOString()} is before assignment ${item.assignmentId} began`,
      occurred_in_future: `occurred_at ${item.occurredAt.toISOString()} is in the future`,
    })[reason];

  function toInput(r: ActivityRequest, path: RegistrationPath): ActivityInput {
    return {
      assignmentId: r.assignmentId,
      activityType: r.activityType,
      occurredAt: new Date(r.occurredAt),
      registrationPath: path,
      registeredBy: r.registeredBy.trim(),
      clientId: r.clientId ?? null,
      note: r.note ?? null,
    };
  }

  /** What needs no data: a valid instant, not in the future. The rest is judged by the database. */
  function precheck(now: Date) {
    return (item: ActivityInput): RejectReason | null => {
      if (Number.isNaN(item.occurredAt.getTime())) throw new AppError('invalid', 'validation-error', 'occurred_at is not a valid date-time');
      if (item.occurredAt.getTime() > now.getTime() + tolerance) return 'occurred_in_future';
      return null;
    };
  }

  return {
    /**
     * One activity (path direct, proxy or coordinator_proxy). Refusals throw `AppError`.
     * `clientScope` names the caller (its API token): a client_id is looked up only among its own.
     */
    async registerOne(request: ActivityRequest & { registrationPath: RegistrationPath }, clientScope: string) {
      const now = deps.clock.now();
      const item = toInput(request, request.registrationPath);
      const result = await deps.contactTracking.register([item], {
        now,
        clientScope,
        precheck: precheck(now),
        respond: ([outcome], states) => {
          const state = states.get(item.assignmentId);
          return { outcome: outcome!, contact: state ? contactView(state, now) : null };
        },
      });
      if (result.kind !== 'registered') throw new Error('unreachable: single registration has no idempotency scope');
      const { outcome, contact } = result.response;
      if (outcome.outcome === 'rejected') {
        const reason = outcome.reason as RejectReason;
        throw new AppError(REJECT_STATUS[reason], reason.replace(/_/g, '-'), describe(reason, item));
      }
      if (outcome.outcome === 'conflict') {
        throw new AppError('conflict', 'client-id-conflict', `client_id "${item.clientId}" is already used by activity ${outcome.activityId} with different content`);
      }
      return { created: outcome.outcome === 'created', activityId: outcome.activityId, activity: item, contact: contact! };
    },

    /**
     * Up to `maxBulkItems` activities (stored with path `bulk`), each with its own result. With an
     * idempotency key, a retry with the same body answers exactly as the first request did, for
     * `idempotencyKeyRetentionHours` after it; later the key is new again.
     */
    async registerBulk(requests: ActivityRequest[], opts: { clientScope: string; idempotency?: { tokenName: string; key: string } }): Promise<{ replayed: boolean; result: BulkResult }> {
      if (requests.length === 0 || requests.length > maxBulk) {
        throw new AppError('invalid', 'validation-error', `items must hold 1 to ${maxBulk} activities`, [{ pointer: '/items', detail: `must hold 1 to ${maxBulk} items` }]);
      }
      const items = requests.map((r) => toInput(r, 'bulk'));
      const seen = new Map<string, number>();
      const dupes: FieldError[] = [];
      items.forEach((it, i) => {
        if (it.clientId === null) return;
        const first = seen.get(it.clientId);
        if (first !== undefined) dupes.push({ pointer: `/items/${i}/client_id`, detail: `repeats the client_id of /items/${first}` });
        else seen.set(it.clientId, i);
      });
      if (dupes.length) throw new AppError('invalid', 'validation-error', 'client_id must be unique within one request', dupes);

      const now = deps.clock.now();
      const result = await deps.contactTracking.register(items, {
        now,
        clientScope: opts.clientScope,
        precheck: precheck(now),
        // The body's hash is needed only under a key (it tells a retry from a reuse).
        idempotency: opts.idempotency ? { ...opts.idempotency, requestHash: createHash('sha256').update(JSON.stringify(items)).digest('hex'), expiredBefore: new Date(now.getTime() - keyRetentionMs) } : undefined,
        respond: (outcomes, states): BulkResult => {
          const summary = { received: items.length, created: 0, duplicate: 0, conflict: 0, rejected: 0 };
          const views = new Map<number, ContactView>();
          for (const [id, s] of states) views.set(id, contactView(s, now));
          const results = outcomes.map((o, index): BulkItemResult => {
            const item = items[index]!;
            summary[o.outcome] += 1;
            // A rejected item says why, never the assignment's contact state: a token that may
            // register activities must not read any assignment by sending items that fail.
            const view = o.outcome === 'rejected' ? undefined : views.get(item.assignmentId);
            let error: BulkItemResult['error'] = null;
            if (o.outcome === 'rejected') error = { code: o.reason as RejectReason, detail: describe(o.reason as RejectReason, item) };
            if (o.outcome === 'conflict') error = { code: 'client_id_conflict', detail: `client_id "${item.clientId}" is already used by activity ${o.activityId} with different content` };
            return {
              index,
              assignmentId: item.assignmentId,
              outcome: o.outcome,
              activityId: o.outcome === 'rejected' ? null : o.activityId,
              error,
              lastContactDate: view?.lastContactDate ?? null,
              nextReminderDueDate: view?.nextReminder?.dueDate ?? null,
            };
          });
          return { items: results, summary };
        },
      });
      if (result.kind === 'key_reused') {
        throw new AppError('unprocessable', 'idempotency-key-reused', 'this Idempotency-Key was already used with a different request body');
      }
      return { replayed: result.kind === 'replayed', result: result.response };
    },
  };
}

export type ActivityRegistrationService = ReturnType<typeof createActivityRegistrationService>;
