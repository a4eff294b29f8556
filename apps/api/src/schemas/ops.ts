/** Schemas of the operations routes: sweep trigger / pause / resume / status, runs, lock, alerts. */
import { dateTime, idParam, idSchema, isoDate, nonBlankText } from './common';

const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped_locked', 'skipped_disabled', 'timed_out', 'abandoned', 'awaiting_confirmation', 'cancelled'];
const nullableTime = (description: string) => ({ type: ['string', 'null'], format: 'date-time', description }) as const;

export const runSchema = {
  type: 'object',
  description: 'One cron_execution_log row',
  properties: {
    id: { type: 'integer' },
    job_name: { type: 'string' },
    trigger: { type: 'string', enum: ['scheduled', 'manual', 'catchup', 'retry'] },
    status: { type: 'string', enum: RUN_STATUSES },
    scheduled_for: nullableTime('The cron slot this run stands for'),
    started_at: { type: 'string', format: 'date-time' },
    finished_at: nullableTime('When the run reached its final status'),
    duration_ms: { type: ['integer', 'null'] },
    heartbeat_at: nullableTime('Last sign of life of a running run'),
    assignments_evaluated: { type: 'integer' },
    reminders_enqueued: { type: 'integer' },
    reminders_sent: { type: 'integer' },
    reminders_suppressed: { type: 'integer' },
    reminders_skipped: { type: 'integer' },
    reminders_failed: { type: 'integer' },
    error: { type: ['string', 'null'] },
    worker_id: { type: 'string' },
    fencing_token: { type: ['string', 'null'], description: 'Increases with every run; stale runs cannot write' },
    triggered_by: { type: ['string', 'null'] },
    resolved_by: { type: ['string', 'null'], description: 'Who confirmed or cancelled a held run' },
    resolved_at: nullableTime('When a held run was confirmed or cancelled'),
    continued_by_run_id: { type: ['integer', 'null'], description: 'The run that went ahead after confirmation' },
  },
  examples: [
    {
      id: 41, job_name: 'reminder-sweep', trigger: 'scheduled', status: 'succeeded', scheduled_for: '2026-11-28T06:00:00.000Z',
      started_at: '2026-11-28T06:00:00.210Z', finished_at: '2026-11-28T06:00:07.900Z', duration_ms: 7690, heartbeat_at: '2026-11-28T06:00:07.900Z',
      assignments_evaluated: 10000, reminders_enqueued: 812, reminders_sent: 812, reminders_suppressed: 0, reminders_skipped: 0, reminders_failed: 0,
      error: null, worker_id: 'worker-1', fencing_token: '41', triggered_by: null, resolved_by: null, resolved_at: null, continued_by_run_id: null,
    },
  ],
} as const;

export const triggerBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    confirm_run_id: idSchema('Let this run, held by the blast-radius guard, go ahead'),
    wait_seconds: { type: 'integer', minimum: 0, maximum: 600, description: 'Wait up to this long for the run to finish and answer with its row (0: answer at once)' },
  },
  examples: [{}, { wait_seconds: 60 }, { confirm_run_id: 57 }],
} as const;

export const triggerResponse = {
  type: 'object',
  properties: { job_id: { type: 'string' }, run: { anyOf: [runSchema, { type: 'null' }] } },
  examples: [{ job_id: 'sweep-request-41', run: null }, { job_id: 'sweep-request-42', run: runSchema.examples[0] }],
} as const;

export const previewQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$', description: 'How many due reminders to list (1-9999, default 50)' } },
} as const;

export const previewResponse = {
  type: 'object',
  properties: {
    today: isoDate('The local day in REMINDER_TZ'),
    due: { type: 'integer', description: 'Reminders that a run now would send' },
    shown: { type: 'integer' },
    reminders: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          assignment_id: { type: 'integer' },
          anchor_date: { type: 'string', format: 'date' },
          sequence_number: { type: 'integer' },
          due_date: { type: 'string', format: 'date' },
          escalated: { type: 'boolean' },
        },
      },
    },
  },
  examples: [{ today: '2026-11-28', due: 812, shown: 1, reminders: [{ assignment_id: 42, anchor_date: '2026-11-01', sequence_number: 3, due_date: '2026-11-29', escalated: true }] }],
} as const;

export const pauseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    reason: nonBlankText(500, 'Why; shown in status and kept in the audit log'),
    until: dateTime('Resume automatically at this time (in the future, at most PAUSE_MAX_DAYS away)'),
    replace: { type: 'boolean', description: 'Change the pause in force; without it pausing a paused sweep is a 409' },
  },
  examples: [{ reason: 'bulk import of contacts in progress', until: '2026-11-29T06:00:00Z' }],
} as const;

export const sweepStateResponse = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    pause_reason: { type: ['string', 'null'] },
    paused_by: { type: ['string', 'null'] },
    paused_at: nullableTime('When it was paused'),
    paused_until: nullableTime('When it resumes by itself'),
  },
  examples: [{ enabled: false, pause_reason: 'bulk import of contacts in progress', paused_by: 'ops-anna', paused_at: '2026-11-28T09:00:00.000Z', paused_until: '2026-11-29T06:00:00.000Z' }],
} as const;

const lockSchema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    held: { type: 'boolean' },
    ttl_ms: { type: 'integer', description: 'Remaining TTL; negative when free' },
    holder: {
      anyOf: [
        { type: 'object', properties: { worker_id: { type: 'string' }, run_id: { type: ['integer', 'null'] }, since: { type: 'string' } } },
        { type: 'null' },
      ],
    },
  },
} as const;
export const lockResponse = {
  ...lockSchema,
  examples: [{ key: 'reminders:lock:reminder-sweep', held: true, ttl_ms: 24000, holder: { worker_id: 'worker-1', run_id: 57, since: '2026-11-28T06:00:00.210Z' } }],
} as const;

export const statusResponse = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    pause: {
      anyOf: [
        { type: 'object', properties: { reason: { type: ['string', 'null'] }, by: { type: ['string', 'null'] }, at: nullableTime('Paused at'), until: nullableTime('Resumes by itself at') } },
        { type: 'null' },
      ],
    },
    consecutive_failures: { type: 'integer' },
    last_success_at: nullableTime('When the last successful run finished'),
    schedule: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        pattern: { type: ['string', 'null'] },
        tz: { type: ['string', 'null'] },
        next: nullableTime('Next fire time of the job scheduler'),
        problem: { type: ['string', 'null'], description: 'What is wrong with the registered schedule, if anything' },
      },
    },
    lock: lockSchema,
    current_run: { anyOf: [runSchema, { type: 'null' }] },
    last_runs: { type: 'array', items: runSchema },
    sweep_queue: { type: 'object', additionalProperties: { type: 'integer' } },
    queues_paused: {
      type: 'object',
      description: "BullMQ queues paused in Bull Board (apart from the sweep's own pause): a paused sweep queue starts no run, a paused dispatch queue sends nothing",
      properties: { sweep: { type: 'boolean' }, dispatch: { type: 'boolean' } },
    },
    workers: {
      type: 'object',
      description: 'Worker processes by their heartbeats (one every 10 s); none live for WORKER_ABSENT_ALERT_MINUTES raises no_workers',
      properties: {
        live: {
          type: 'array',
          description: 'Workers whose last heartbeat is at most 30 s old, newest first',
          items: { type: 'object', properties: { worker_id: { type: 'string' }, last_seen: { type: 'string', format: 'date-time' } } },
        },
        last_seen: nullableTime('The newest heartbeat of any worker (null: none in the last 7 days)'),
      },
    },
  },
  examples: [{ enabled: true, pause: null, consecutive_failures: 0, last_success_at: '2026-11-28T06:00:07.900Z', schedule: { id: 'reminder-sweep', pattern: '0 7 * * *', tz: 'Europe/Oslo', next: '2026-11-29T06:00:00.000Z', problem: null }, lock: { key: 'reminders:lock:reminder-sweep', held: false, ttl_ms: -2, holder: null }, current_run: null, last_runs: [runSchema.examples[0]], sweep_queue: { waiting: 0, active: 0, delayed: 0, failed: 0 }, queues_paused: { sweep: false, dispatch: false }, workers: { live: [{ worker_id: 'worker-1', last_seen: '2026-11-28T08:15:02.120Z' }], last_seen: '2026-11-28T08:15:02.120Z' } }],
} as const;

export const runsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: 'How many runs, newest first (1-999, default 20)' },
    status: { type: 'string', enum: RUN_STATUSES },
  },
} as const;

/** GET /v1/runs. */
export const runsResponse = { type: 'array', items: runSchema, examples: [[runSchema.examples[0]]] } as const;

export const runParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: idParam('Run id') } } as const;

export const cancelBody = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: nonBlankText(500, 'Why; kept in the audit log') },
  examples: [{ reason: 'the guard was right: the contact import doubled the due list' }],
} as const;

export const releaseBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    force: { type: 'boolean', description: "Release even though the holder's run looks alive" },
    reason: nonBlankText(500, 'Why; kept in the audit log'),
  },
  examples: [{ reason: 'worker VM died during the run' }, { force: true, reason: 'holder is wedged; runbook step 4' }],
} as const;

export const releaseResponse = {
  type: 'object',
  properties: { released: { type: 'boolean' }, closed_run: { type: ['integer', 'null'] }, holder_was_alive: { type: 'boolean' } },
  examples: [{ released: true, closed_run: 57, holder_was_alive: false }],
} as const;

export const alertsResponse = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      kind: { type: 'string' },
      incident_key: { type: 'string' },
      run_id: { type: ['integer', 'null'] },
      message: { type: 'string' },
      created_at: { type: 'string', format: 'date-time' },
      delivered_at: nullableTime('When every channel accepted it'),
      delivery_attempts: { type: 'integer' },
      last_error: { type: ['string', 'null'] },
    },
  },
  examples: [[{ id: 3, kind: 'consecutive_failures', incident_key: 'reminder-sweep-3', run_id: 57, message: 'The reminder sweep failed 3 times in a row', created_at: '2026-11-28T06:01:00.000Z', delivered_at: '2026-11-28T06:01:01.000Z', delivery_attempts: 1, last_error: null }]],
} as const;
