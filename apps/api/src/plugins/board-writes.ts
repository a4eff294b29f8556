/**
 * Which Bull Board writes an operator may make, decided on the server (deny by default). The
 * board's own UI offers far more than is safe here: adding a job or editing its data would put a
 * payload in front of the workers that no audited path wrote; emptying or obliterating a queue
 * loses work; the schedulers page's edit / delete / run now bypass the boot-time upsert and the
 * audited trigger. Every route of @bull-board/api 9.10 (dist/routes.js) that is not a GET is
 * listed below, with why it is allowed or refused; a route not listed (a newer board version) is
 * refused.
 */
export const BOARD_PREFIX = '/admin/queues';

export type BoardWrite = {
  /** `METHOD /route` as the board declares it (relative to the board's base path). */
  route: string;
  /** The audit action of an allowed write, or null when the write is refused. */
  action: string | null;
  /** Why it is refused (shown to the caller) or what it does (kept in the audit row). */
  why: string;
};

const refuse = (why: string) => ({ action: null, why });

export const BOARD_WRITES: Readonly<Record<string, Omit<BoardWrite, 'route'>>> = Object.freeze({
  'PUT /api/queues/:queueName/pause': { action: 'board.queue.pause', why: 'pauses one queue: its workers take no new jobs' },
  'PUT /api/queues/:queueName/resume': { action: 'board.queue.resume', why: 'resumes one paused queue' },
  'PUT /api/queues/:queueName/:jobId/retry': { action: 'board.job.retry', why: 'moves one failed (or completed) job back to waiting' },
  'PUT /api/queues/:queueName/:jobId/promote': { action: 'board.job.promote', why: 'runs one delayed job now' },
  'PUT /api/queues/:queueName/clean/:queueStatus': { action: 'board.queue.clean', why: 'removes the finished (completed or failed) jobs of one queue' },
  'PUT /api/queues/:queueName/:jobId/clean': { action: 'board.job.clean', why: 'removes one finished job' },

  'POST /api/queues/:queueName/add': refuse('adding a job is refused: a job written here bypasses the audited trigger (use `npx reminders trigger` or POST /v1/sweep/trigger)'),
  'PATCH /api/queues/:queueName/:jobId/update-data': refuse("editing a job's data is refused: workers must only see payloads the service wrote"),
  'PATCH /api/queues/:queueName/:jobId/delay': refuse("changing a job's delay is refused: retry timing belongs to the job catalog"),
  'PATCH /api/queues/:queueName/:jobId/priority': refuse("changing a job's priority is refused"),
  'PUT /api/queues/:queueName/:jobId/remove-unprocessed-children': refuse('removing flow children is refused (the service uses no flows)'),
  'PUT /api/queues/:queueName/empty': refuse('emptying a queue is refused: it drops reminders that are waiting to be sent'),
  'PUT /api/queues/:queueName/obliterate': refuse('obliterating a queue is refused: it deletes the queue, its jobs and its job scheduler'),
  'PUT /api/queues/:queueName/concurrency': refuse('setting the global concurrency is refused: it is configuration (DISPATCH_CONCURRENCY), not a board action'),
  'PUT /api/queues/:queueName/rate-limit': refuse('setting a rate limit is refused: it is configuration, not a board action'),
  'PUT /api/queues/:queueName/rate-limit/release': refuse('releasing a rate limit is refused'),
  'PUT /api/queues/:queueName/retry/:queueStatus': refuse('retrying every job at once is refused: retry the jobs one by one (each is audited)'),
  'PUT /api/queues/:queueName/promote': refuse('promoting every delayed job at once is refused: promote them one by one'),
  'PUT /api/queues/pause': refuse('pausing every queue at once is refused: pause one queue, or pause the sweep with `npx reminders pause`'),
  'PUT /api/queues/resume': refuse('resuming every queue at once is refused: resume one queue'),
  'PUT /api/queues/:queueName/job-schedulers/:schedulerId/run': refuse('Run now is refused: it starts a run with no actor and a slot that is no cron slot; use `npx reminders trigger`'),
  'PATCH /api/queues/:queueName/job-schedulers/:schedulerId': refuse('editing the job scheduler is refused: REMINDER_CRON / REMINDER_TZ decide it, and the next worker start overwrites an edit'),
  'PUT /api/queues/:queueName/job-schedulers/:schedulerId/remove': refuse('deleting the job scheduler is refused: the sweep would stop firing until the next worker start'),
  'POST /api/metrics/history/purge': refuse('purging metrics history is refused'),
});

const FINISHED = new Set(['completed', 'failed']);

/**
 * Classifies a board write by the route Fastify matched (`routeUrl`, with the board prefix) and
 * its parameters. A write whose route is unknown is refused.
 */
export function classifyBoardWrite(method: string, routeUrl: string | undefined, params: Record<string, string | undefined>): BoardWrite {
  const relative = routeUrl?.startsWith(BOARD_PREFIX) ? routeUrl.slice(BOARD_PREFIX.length) : null;
  const route = `${method.toUpperCase()} ${relative ?? '(no route)'}`;
  const known = relative === null ? undefined : BOARD_WRITES[route];
  if (!known) return { route, action: null, why: `${route} is not on the board's allowlist of writes (pause / resume a queue, retry / promote / clean a job, clean finished jobs)` };
  if (route === 'PUT /api/queues/:queueName/clean/:queueStatus' && !FINISHED.has(params.queueStatus ?? '')) {
    return { route, action: null, why: `cleaning "${params.queueStatus}" jobs is refused: only finished jobs (completed, failed) may be cleaned` };
  }
  return { route, ...known };
}

/** A job may be cleaned one by one only once it has finished (the board's per-job Clean would drop waiting work too). */
export const isFinishedState = (state: string) => FINISHED.has(state);
