/**
 * `npm run bench -- --programmes 1000 --assignments 100000` (issue 15): the same number of due
 * assignments swept as one programme and as `--programmes` programmes of equal size whose send
 * times all come at the same local minute, and then the small-programme latency: a 100-assignment
 * programme whose send time comes while a programme of `--assignments` is dispatching.
 *
 * Every run goes the way production's do: real `serve-worker` processes whose programme tick
 * claims each programme's slot once its local send time has passed. A phase's programmes are
 * created dormant (send time 23:59, created yesterday); the phase starts with one UPDATE that sets
 * their send time to the current local minute, as an operator changing `send_at` would, and is
 * timed from that statement's commit (the slot) to each run's final execution-log row.
 */
import os from 'node:os';
import { Client } from 'pg';
import { createBenchEnv, machineDescription, percentile, startWorker, type BenchWorker } from './bench-env';
import { cpuSnapshot, cpuUsage, type CpuUsage } from './cpu-accounting';
import { seedDemoData } from '@reminders/core/seed/seed-demo-data';
import type { Config } from '@reminders/core/config';

/** How many due assignments the small programme of the latency phase has. */
export const SMALL_PROGRAMME_SIZE = 100;

export type PhaseFigures = {
  programmes: number;
  due: number;
  /** Slot (the UPDATE's commit) to the last run's final row. */
  slotToLastFinalSeconds: number;
  /** Slot to the last reminder written. */
  slotToLastWrittenSeconds: number;
  /** Slot to each programme's sweep request (the tick claiming it): the largest. */
  slotToLastClaimSeconds: number;
  /** Each run's own span (started_at to finished_at): median and largest. */
  runSecondsP50: number;
  runSecondsMax: number;
  succeeded: number;
  reminderRows: number;
  duplicates: number;
  exactlyOnce: boolean;
  peakWorkerRssMb: number[];
  cpu: CpuUsage;
};

export type LatencyFigures = {
  bigDue: number;
  smallDue: number;
  /** Share of the big programme's reminders written when the small one's slot came. */
  bigWrittenAtSlot: number;
  /** ... and when the small one's last reminder was written. */
  bigWrittenWhenSmallDone: number;
  smallSlotToClaimSeconds: number;
  smallSlotToLastWrittenSeconds: number;
  smallSlotToFinalRowSeconds: number;
  bigSlotToFinalRowSeconds: number;
  exactlyOnce: boolean;
};

export type ProgrammeScenario = {
  date: string;
  machine: string;
  load: { loadavgBefore: number[]; loadavgAfter: number[] };
  assignments: number;
  programmes: number;
  workers: number;
  concurrency: number;
  sweepConcurrency: number;
  seedSeconds: number;
  one: PhaseFigures;
  many: PhaseFigures;
  latency: LatencyFigures;
};

const secondsBetween = (a: Date | string, b: Date | string) => +((new Date(b).getTime() - new Date(a).getTime()) / 1000).toFixed(2);

/** Dormant programmes (send time 23:59, created yesterday, rules of `config`) named `<prefix>-<n>`; returns their ids in order. */
async function createProgrammes(pg: Client, config: Config, prefix: string, count: number): Promise<number[]> {
  const { rows } = await pg.query<{ id: number }>(
    `WITH p AS (
       INSERT INTO programmes (slug, name, time_zone, send_at, first_after_days, repeat_every_days, escalate_after, created_at, updated_at)
       SELECT $1 || '-' || lpad(n::text, 4, '0'), 'bench ' || $1 || ' ' || n, $2, '23:59', $3, $4, $5, now() - interval '1 day', now()
         FROM generate_series(1, $6::int) n
       RETURNING id, slug)
     INSERT INTO sweep_state (job_name, programme_id) SELECT 'reminder-sweep:' || slug, id FROM p RETURNING programme_id AS id`,
    [prefix, config.reminderTz, config.rules.firstAfterDays, config.rules.repeatEveryDays, config.rules.escalateAfter, count],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** The phase's slot: every programme's send time becomes the current local minute (one statement). */
async function openSlot(pg: Client, ids: number[], timeZone: string): Promise<Date> {
  const { rows } = await pg.query<{ at: Date }>(
    `UPDATE programmes SET send_at = to_char(now() AT TIME ZONE $2, 'HH24:MI'), updated_at = now() WHERE id = ANY($1::int[]) RETURNING clock_timestamp() AS at`,
    [ids, timeZone],
  );
  return rows.reduce((a, r) => (r.at > a ? r.at : a), rows[0]!.at);
}

/** Puts the due assignments `from..from+count-1` (bench_due.i) into the programmes, `perProgramme` each, in order. */
async function assign(pg: Client, ids: number[], from: number, perProgramme: number): Promise<void> {
  await pg.query(
    `UPDATE assignments a SET programme_id = ($1::int[])[1 + (d.i - $2) / $3]
       FROM bench_due d WHERE d.id = a.id AND d.i >= $2 AND d.i < $2 + $3 * cardinality($1::int[])`,
    [ids, from, perProgramme],
  );
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every programme in `ids` has a final run row, then reads the phase's figures. */
async function phaseFigures(pg: Client, ids: number[], slot: Date, due: number, timeoutMs: number): Promise<Omit<PhaseFigures, 'peakWorkerRssMb' | 'cpu'>> {
  await waitFor(`${ids.length} final run rows`, timeoutMs, async () => {
    const { rows: [r] } = await pg.query(`SELECT count(*)::int AS n FROM cron_execution_log WHERE programme_id = ANY($1::int[]) AND status <> 'running'`, [ids]);
    return r.n >= ids.length ? true : null;
  });
  const { rows: [r] } = await pg.query(
    `SELECT (SELECT max(finished_at) FROM cron_execution_log WHERE programme_id = ANY($1::int[])) AS last_final,
            (SELECT count(*)::int FROM cron_execution_log WHERE programme_id = ANY($1::int[]) AND status = 'succeeded') AS succeeded,
            (SELECT array_agg(extract(epoch FROM finished_at - started_at)::float8 ORDER BY finished_at - started_at) FROM cron_execution_log WHERE programme_id = ANY($1::int[])) AS spans,
            (SELECT max(created_at) FROM sweep_requests WHERE programme_id = ANY($1::int[])) AS last_claim,
            (SELECT max(r.created_at) FROM reminders r JOIN cron_execution_log l ON l.id = r.run_id WHERE l.programme_id = ANY($1::int[])) AS last_written,
            (SELECT count(*)::int FROM reminders r JOIN cron_execution_log l ON l.id = r.run_id WHERE l.programme_id = ANY($1::int[])) AS rows,
            (SELECT count(*)::int FROM (SELECT 1 FROM reminders GROUP BY assignment_id, anchor_date, sequence_number HAVING count(*) > 1) d) AS duplicates`,
    [ids],
  );
  const spans = (r.spans as number[]).map((s) => Math.round(s * 1000));
  return {
    programmes: ids.length,
    due,
    slotToLastFinalSeconds: secondsBetween(slot, r.last_final),
    slotToLastWrittenSeconds: secondsBetween(slot, r.last_written),
    slotToLastClaimSeconds: secondsBetween(slot, r.last_claim),
    runSecondsP50: percentile(spans, 50) / 1000,
    runSecondsMax: spans[spans.length - 1]! / 1000,
    succeeded: r.succeeded,
    reminderRows: r.rows,
    duplicates: r.duplicates,
    exactlyOnce: r.rows === due && r.duplicates === 0 && r.succeeded === ids.length,
  };
}

export async function benchProgrammes(o: {
  databaseUrl: string;
  redisUrl: string;
  programmes: number;
  assignments: number;
  workers: number;
  concurrency: number;
  /** SWEEP_CONCURRENCY for the workers; unset, the service's default. */
  sweepConcurrency?: number;
  timeoutMs: number;
  say: (s: string) => void;
}): Promise<ProgrammeScenario> {
  if (o.assignments % o.programmes !== 0) throw new Error(`--assignments (${o.assignments}) must be a multiple of --programmes (${o.programmes})`);
  const env = await createBenchEnv(o.databaseUrl, o.redisUrl);
  const config = env.config();
  const sweepConcurrency = o.sweepConcurrency ?? config.sweepConcurrency;
  const pg = new Client({ connectionString: env.databaseUrl });
  await pg.connect();
  const procs: BenchWorker[] = [];
  const loadavgBefore = os.loadavg();
  try {
    const local = (await pg.query(`SELECT to_char(now() AT TIME ZONE $1, 'HH24:MI') AS t`, [config.reminderTz])).rows[0].t as string;
    if (local >= '23:50') throw new Error(`it is ${local} in ${config.reminderTz}: the phases would cross local midnight; run the bench after 00:00`);
    // About 85% of seeded assignments are due with --due-share 1: seed enough for both phases' due sets.
    const wanted = o.assignments + SMALL_PROGRAMME_SIZE;
    const seedStarted = performance.now();
    const seeded = await seedDemoData({ databaseUrl: env.databaseUrl }, { assignments: Math.ceil(wanted * 1.25), dueShare: 1, timeZone: config.reminderTz, rules: config.rules });
    const seedSeconds = +((performance.now() - seedStarted) / 1000).toFixed(1);
    if (seeded.dueToday < wanted) throw new Error(`the seed made ${seeded.dueToday} assignments due, fewer than the ${wanted} the bench needs`);
    o.say(`seeded ${seeded.assignments} assignments (${seeded.dueToday} due) in ${seedSeconds} s`);
    // The due set in id order (bench_due.i from 0); everything else stays in a programme whose slot never comes during the bench.
    await pg.query(
      `CREATE TABLE bench_due AS
         SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS i FROM assignments
          WHERE status = 'active' AND (now() AT TIME ZONE $1)::date - coalesce(last_contact_date, assigned_date) >= $2`,
      [config.reminderTz, config.rules.firstAfterDays],
    );
    await pg.query(`CREATE UNIQUE INDEX ON bench_due (i)`);
    const [parked] = await createProgrammes(pg, config, 'parked', 1);
    await pg.query(`UPDATE assignments SET programme_id = $1`, [parked]);
    await pg.query('VACUUM ANALYZE');

    for (let i = 0; i < o.workers; i++) {
      procs.push(await startWorker(env.vars({ DISPATCH_CONCURRENCY: String(o.concurrency), SWEEP_CONCURRENCY: String(sweepConcurrency), WORKER_ID: `bench-${i + 1}` })));
    }
    const reset = async () => {
      await pg.query('TRUNCATE notifications, reminders');
      await pg.query('VACUUM ANALYZE');
    };
    const phase = async (label: string, count: number): Promise<PhaseFigures> => {
      const ids = await createProgrammes(pg, config, label, count);
      await assign(pg, ids, 0, o.assignments / count);
      await pg.query('ANALYZE assignments');
      o.say(`${label}: ${count} programme(s) × ${o.assignments / count} due (load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')})`);
      const before = cpuSnapshot();
      const slot = await openSlot(pg, ids, config.reminderTz);
      const figures = await phaseFigures(pg, ids, slot, o.assignments, o.timeoutMs);
      const cpu = cpuUsage(before, cpuSnapshot(), procs.map((p) => p.proc.pid!));
      await pg.query(`UPDATE assignments SET programme_id = $1 WHERE programme_id = ANY($2::int[])`, [parked, ids]);
      o.say(`  slot to last final row ${figures.slotToLastFinalSeconds} s (last claimed at ${figures.slotToLastClaimSeconds} s), ${figures.succeeded}/${count} runs succeeded, exactly once: ${figures.exactlyOnce}`);
      return { ...figures, peakWorkerRssMb: procs.map((p) => p.peakRssMb()), cpu };
    };

    const one = await phase('one', 1);
    await reset();
    const many = await phase('many', o.programmes);
    await reset();
    const latency = await latencyPhase(pg, config, o, parked!);
    o.say(`latency: small programme's reminders written ${latency.smallSlotToLastWrittenSeconds} s after its slot (big programme ${Math.round(latency.bigWrittenAtSlot * 100)}% written at the slot)`);
    return {
      date: new Date().toISOString(),
      machine: machineDescription(),
      load: { loadavgBefore, loadavgAfter: os.loadavg() },
      assignments: o.assignments,
      programmes: o.programmes,
      workers: o.workers,
      concurrency: o.concurrency,
      sweepConcurrency,
      seedSeconds,
      one,
      many,
      latency,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await pg.end();
    await env.destroy();
  }

  /** A big programme's slot, then, once a tenth of its reminders are written, a small programme's. */
  async function latencyPhase(pg: Client, config: Config, o: { assignments: number; timeoutMs: number }, parked: number): Promise<LatencyFigures> {
    const [big] = await createProgrammes(pg, config, 'big', 1);
    const [small] = await createProgrammes(pg, config, 'small', 1);
    await assign(pg, [big!], 0, o.assignments);
    await assign(pg, [small!], o.assignments, SMALL_PROGRAMME_SIZE);
    await pg.query('ANALYZE assignments');
    const written = async (programme: number) =>
      Number((await pg.query(`SELECT count(*)::int AS n FROM reminders r JOIN cron_execution_log l ON l.id = r.run_id WHERE l.programme_id = $1`, [programme])).rows[0].n);
    const bigSlot = await openSlot(pg, [big!], config.reminderTz);
    await waitFor('a tenth of the big programme written', o.timeoutMs, async () => ((await written(big!)) >= o.assignments / 10 ? true : null));
    const smallSlot = await openSlot(pg, [small!], config.reminderTz);
    const bigAtSlot = await written(big!);
    await waitFor('the small programme written', o.timeoutMs, async () => ((await written(small!)) >= SMALL_PROGRAMME_SIZE ? true : null));
    const bigWhenSmallDone = await written(big!);
    const smallFigures = await phaseFigures(pg, [small!], smallSlot, SMALL_PROGRAMME_SIZE, o.timeoutMs);
    const bigFigures = await phaseFigures(pg, [big!], bigSlot, o.assignments, o.timeoutMs);
    await pg.query(`UPDATE assignments SET programme_id = $1 WHERE programme_id = ANY($2::int[])`, [parked, [big, small]]);
    return {
      bigDue: o.assignments,
      smallDue: SMALL_PROGRAMME_SIZE,
      bigWrittenAtSlot: +(bigAtSlot / o.assignments).toFixed(3),
      bigWrittenWhenSmallDone: +(bigWhenSmallDone / o.assignments).toFixed(3),
      smallSlotToClaimSeconds: smallFigures.slotToLastClaimSeconds,
      smallSlotToLastWrittenSeconds: smallFigures.slotToLastWrittenSeconds,
      smallSlotToFinalRowSeconds: smallFigures.slotToLastFinalSeconds,
      bigSlotToFinalRowSeconds: bigFigures.slotToLastFinalSeconds,
      // Each phase's own count: reminders of the small programme's run and of the big one's.
      exactlyOnce: smallFigures.reminderRows === SMALL_PROGRAMME_SIZE && bigFigures.reminderRows === o.assignments && bigFigures.duplicates === 0,
    };
  }
}
