/** Schemas of the operations routes: sweep trigger / pause / resume / status, runs, lock, alerts. */
import { z } from 'zod';
import { dateTime, idParam, idSchema, isoDate, nonBlankText, out } from './common';

const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped_locked', 'skipped_disabled', 'timed_out', 'abandoned', 'awaiting_confirmation', 'cancelled'] as const;
const nullableTime = (description: string) => out.nullableDateTime(description);

const runExample = {
  id: 41, job_name: 'reminder-sweep', trigger: 'scheduled', status: 'succeeded', scheduled_for: '2026-11-28T06:00:00.000Z',
  started_at: '2026-11-28T06:00:00.210Z', finished_at: '2026-11-28T06:00:07.900Z', duration_ms: 7690, heartbeat_at: '2026-11-28T06:00:07.900Z',
  assignments_evaluated: 10000, reminders_enqueued: 812, reminders_sent: 812, reminders_suppressed: 0, reminders_skipped: 0, reminders_failed: 0,
  error: null, worker_id: 'worker-1', fencing_token: '41', triggered_by: null, resolved_by: null, resolved_at: null, continued_by_run_id: null,
};

/** One run (GET /v1/runs/:id, the cancel answer, and inside the others), with its example. */
export const runSchema = z
  .object({
    id: z.int(),
    job_name: z.string(),
    trigger: z.enum(['scheduled', 'manual', 'catchup', 'retry']),
    status: z.enum(RUN_STATUSES),
    scheduled_for: nullableTime('The cron slot this run stands for'),
    started_at: out.dateTime(),
    finished_at: nullableTime('When the run reached its final status'),
    duration_ms: z.int().nullable(),
    heartbeat_at: nullableTime('Last sign of life of a running run'),
    assignments_evaluated: z.int(),
    reminders_enqueued: z.int(),
    reminders_sent: z.int(),
    reminders_suppressed: z.int(),
    reminders_skipped: z.int(),
    reminders_failed: z.int(),
    error: z.string().nullable(),
    worker_id: z.string(),
    fencing_token: z.string().nullable().describe('Increases with every run; stale runs cannot write'),
    triggered_by: z.string().nullable(),
    resolved_by: z.string().nullable().describe('Who confirmed or cancelled a held run'),
    resolved_at: nullableTime('When a held run was confirmed or cancelled'),
    continued_by_run_id: z.int().nullable().describe('The run that went ahead after confirmation'),
  })
  .meta({ description: 'One cron_execution_log row', examples: [runExample] });

export const triggerBody = z
  .strictObject({
    confirm_run_id: idSchema('Let this run, held by the blast-radius guard, go ahead').optional(),
    wait_seconds: z.int().min(0).max(600).describe('Wait up to this long for the run to finish and answer with its row (0: answer at once)').optional(),
  })
  .meta({ examples: [{}, { wait_seconds: 60 }, { confirm_run_id: 57 }] });

const triggerResponse = z
  .object({ job_id: z.string(), run: runSchema.nullable() })
  .meta({ examples: [{ job_id: 'sweep-request-41', run: null }, { job_id: 'sweep-request-42', run: runExample }] });
export const triggerFinished = triggerResponse.describe('Finished (wait_seconds)');
export const triggerQueued = triggerResponse.describe('Queued');

export const previewQuery = z.strictObject({
  limit: z.string().regex(/^[1-9][0-9]{0,3}$/u).describe('How many due reminders to list (1-9999, default 50)').optional(),
});

export const previewResponse = z
  .object({
    today: isoDate('The local day in REMINDER_TZ'),
    due: z.int().describe('Reminders that a run now would send'),
    shown: z.int(),
    reminders: z.array(z.object({ assignment_id: z.int(), anchor_date: out.date(), sequence_number: z.int(), due_date: out.date(), escalated: z.boolean() })),
  })
  .meta({
    description: 'Due reminders',
    examples: [{ today: '2026-11-28', due: 812, shown: 1, reminders: [{ assignment_id: 42, anchor_date: '2026-11-01', sequence_number: 3, due_date: '2026-11-29', escalated: true }] }],
  });

export const pauseBody = z
  .strictObject({
    reason: nonBlankText(500, 'Why; shown in status and kept in the audit log'),
    until: dateTime('Resume automatically at this time (in the future, at most PAUSE_MAX_DAYS away)').optional(),
    replace: z.boolean().describe('Change the pause in force; without it pausing a paused sweep is a 409').optional(),
  })
  .meta({ examples: [{ reason: 'bulk import of contacts in progress', until: '2026-11-29T06:00:00Z' }] });

const sweepStateResponse = z
  .object({
    enabled: z.boolean(),
    pause_reason: z.string().nullable(),
    paused_by: z.string().nullable(),
    paused_at: nullableTime('When it was paused'),
    paused_until: nullableTime('When it resumes by itself'),
  })
  .meta({ examples: [{ enabled: false, pause_reason: 'bulk import of contacts in progress', paused_by: 'ops-anna', paused_at: '2026-11-28T09:00:00.000Z', paused_until: '2026-11-29T06:00:00.000Z' }] });
export const paused = sweepStateResponse.describe('Paused');
export const resumed = sweepStateResponse.describe('Resumed');

const lockSchema = z.object({
  key: z.string(),
  held: z.boolean(),
  ttl_ms: z.int().describe('Remaining TTL; negative when free'),
  holder: z.object({ worker_id: z.string(), run_id: z.int().nullable(), since: z.string() }).nullable(),
});
export const lockResponse = lockSchema.meta({
  description: 'Lock',
  examples: [{ key: 'reminders:lock:reminder-sweep', held: true, ttl_ms: 24000, holder: { worker_id: 'worker-1', run_id: 57, since: '2026-11-28T06:00:00.210Z' } }],
});

export const statusResponse = z
  .object({
    enabled: z.boolean(),
    pause: z.object({ reason: z.string().nullable(), by: z.string().nullable(), at: nullableTime('Paused at'), until: nullableTime('Resumes by itself at') }).nullable(),
    consecutive_failures: z.int(),
    last_success_at: nullableTime('When the last successful run finished'),
    schedule: z.object({
      id: z.string(),
      pattern: z.string().nullable(),
      tz: z.string().nullable(),
      next: nullableTime('Next fire time of the job scheduler'),
      problem: z.string().nullable().describe('What is wrong with the registered schedule, if anything'),
    }),
    lock: lockSchema,
    current_run: runSchema.nullable(),
    last_runs: z.array(runSchema),
    sweep_queue: z.record(z.string(), z.int()),
    queues_paused: z
      .object({ sweep: z.boolean(), dispatch: z.boolean() })
      .describe("BullMQ queues paused in Bull Board (apart from the sweep's own pause): a paused sweep queue starts no run, a paused dispatch queue sends nothing"),
    workers: z
      .object({
        live: z.array(z.object({ worker_id: z.string(), last_seen: out.dateTime() })).describe('Workers whose last heartbeat is at most 30 s old, newest first'),
        last_seen: nullableTime('The newest heartbeat of any worker (null: none in the last 7 days)'),
      })
      .describe('Worker processes by their heartbeats (one every 10 s); none live for WORKER_ABSENT_ALERT_MINUTES raises no_workers'),
  })
  .meta({
    description: 'Status',
    examples: [
      {
        enabled: true, pause: null, consecutive_failures: 0, last_success_at: '2026-11-28T06:00:07.900Z',
        schedule: { id: 'reminder-sweep', pattern: '0 7 * * *', tz: 'Europe/Oslo', next: '2026-11-29T06:00:00.000Z', problem: null },
        lock: { key: 'reminders:lock:reminder-sweep', held: false, ttl_ms: -2, holder: null }, current_run: null, last_runs: [runExample],
        sweep_queue: { waiting: 0, active: 0, delayed: 0, failed: 0 }, queues_paused: { sweep: false, dispatch: false },
        workers: { live: [{ worker_id: 'worker-1', last_seen: '2026-11-28T08:15:02.120Z' }], last_seen: '2026-11-28T08:15:02.120Z' },
      },
    ],
  });

export const runsQuery = z.strictObject({
  limit: z.string().regex(/^[1-9][0-9]{0,2}$/u).describe('How many runs, newest first (1-999, default 20)').optional(),
  status: z.enum(RUN_STATUSES).optional(),
});

/** GET /v1/runs. */
export const runsResponse = z.array(runSchema).meta({ description: 'Runs', examples: [[runExample]] });

export const runParams = z.strictObject({ id: idParam('Run id') });

export const cancelBody = z
  .strictObject({ reason: nonBlankText(500, 'Why; kept in the audit log').optional() })
  .meta({ examples: [{ reason: 'the guard was right: the contact import doubled the due list' }] });

export const releaseBody = z
  .strictObject({
    force: z.boolean().describe("Release even though the holder's run looks alive").optional(),
    reason: nonBlankText(500, 'Why; kept in the audit log').optional(),
  })
  .meta({ examples: [{ reason: 'worker VM died during the run' }, { force: true, reason: 'holder is wedged; runbook step 4' }] });

export const releaseResponse = z
  .object({ released: z.boolean(), closed_run: z.int().nullable(), holder_was_alive: z.boolean() })
  .meta({ description: 'Released', examples: [{ released: true, closed_run: 57, holder_was_alive: false }] });

export const alertsResponse = z
  .array(
    z.object({
      id: z.int(),
      kind: z.string(),
      incident_key: z.string(),
      run_id: z.int().nullable(),
      message: z.string(),
      created_at: out.dateTime(),
      delivered_at: nullableTime('When every channel accepted it'),
      delivery_attempts: z.int(),
      last_error: z.string().nullable(),
    }),
  )
  .meta({
    description: 'Alerts',
    examples: [
      [{ id: 3, kind: 'consecutive_failures', incident_key: 'reminder-sweep-3', run_id: 57, message: 'The reminder sweep failed 3 times in a row', created_at: '2026-11-28T06:01:00.000Z', delivered_at: '2026-11-28T06:01:01.000Z', delivery_attempts: 1, last_error: null }],
    ],
  });
