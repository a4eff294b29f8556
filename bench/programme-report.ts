/**
 * The programmes section of docs/benchmarks.md (issue 15), written by
 * `npm run bench -- --programmes N --assignments M` and kept by every other bench run.
 */
import { keptSection } from './kept-section';
import type { PhaseFigures, ProgrammeScenario } from './programme-bench';

/** Many programmes against one of the same total size (time from the slot to the last final row). */
export const manyToOne = (s: ProgrammeScenario) => s.many.slotToLastFinalSeconds / s.one.slotToLastFinalSeconds;

export function programmeTargets(s: ProgrammeScenario): { target: string; met: boolean }[] {
  return [
    { target: `${s.programmes} programmes swept in at most 2× the time of one programme of the same total size (${manyToOne(s).toFixed(2)}×)`, met: s.one.exactlyOnce && s.many.exactlyOnce && manyToOne(s) <= 2 },
    {
      target: `a ${s.latency.smallDue}-assignment programme's reminders written within 5 s of its slot while a ${s.latency.bigDue.toLocaleString('en-US')}-assignment programme runs (${s.latency.smallSlotToLastWrittenSeconds} s)`,
      met: s.latency.exactlyOnce && s.latency.smallSlotToLastWrittenSeconds <= 5,
    },
  ];
}

const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (v: number) => `${Math.round(v * 100)}%`;
const phaseRow = (name: string, p: PhaseFigures) =>
  `| ${name} | ${n(p.programmes)} | ${n(p.due)} | **${p.slotToLastFinalSeconds.toFixed(2)} s** | ${p.slotToLastWrittenSeconds.toFixed(2)} s | ${p.slotToLastClaimSeconds.toFixed(2)} s | ${p.runSecondsP50.toFixed(2)} / ${p.runSecondsMax.toFixed(2)} s | ${p.succeeded}/${p.programmes} | ${p.exactlyOnce ? 'yes' : '**NO**'} (${n(p.reminderRows)} rows, ${p.duplicates} duplicate keys) | ${p.peakWorkerRssMb.join(', ')} MB | PostgreSQL ${p.cpu.postgres.toFixed(1)}, Redis ${p.cpu.redis.toFixed(1)}, workers ${p.cpu.workers.toFixed(1)}, others ${p.cpu.other.toFixed(1)} |`;

function lines(s: ProgrammeScenario): string[] {
  const l = s.latency;
  return [
    '## Programmes: many small programmes against one large, and a small programme under a large run',
    '',
    'Written by `npm run bench -- --programmes N --assignments M` (bench/programme-bench.ts); the other bench',
    'runs keep this section. Real `serve-worker` processes; every run starts the way a production one does,',
    "from the workers' programme tick claiming the programme's slot once its local send time has passed",
    '(PROGRAMME_TICK_SECONDS at its default). A phase begins with one UPDATE that sets its programmes\' send',
    'time to the current local minute (all due at the same local minute) and is timed from that commit, the',
    'slot, to the last final execution-log row. Both phases sweep the same due assignments on the same',
    'workers; reminders are emptied between them.',
    '',
    `Measured ${s.date} on ${s.machine}; ${s.workers} worker(s) × DISPATCH_CONCURRENCY ${s.concurrency}, SWEEP_CONCURRENCY ${s.sweepConcurrency}; seeded in ${s.seedSeconds.toFixed(1)} s. ` +
      `Load average before / after: ${s.load.loadavgBefore.map((v) => v.toFixed(2)).join(' ')} / ${s.load.loadavgAfter.map((v) => v.toFixed(2)).join(' ')}.`,
    '',
    '| phase | programmes | due | slot → last final row | slot → last reminder written | slot → last slot claimed | run span p50 / max | succeeded | exactly once | peak worker RSS | CPU seconds |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |',
    phaseRow('one programme', s.one),
    phaseRow(`${n(s.programmes)} programmes`, s.many),
    '',
    `**${n(s.programmes)} programmes take ${manyToOne(s).toFixed(2)}× the time of one programme of the same size** (slot to last final row).`,
    '',
    `Small programme under a large run: a ${n(l.smallDue)}-assignment programme's slot came when the ${n(l.bigDue)}-assignment programme had ` +
      `${pct(l.bigWrittenAtSlot)} of its reminders written. The tick claimed it ${l.smallSlotToClaimSeconds.toFixed(2)} s after its slot; ` +
      `**its last reminder was written ${l.smallSlotToLastWrittenSeconds.toFixed(2)} s after its slot** and its run ended at ${l.smallSlotToFinalRowSeconds.toFixed(2)} s, ` +
      `when the large programme had ${pct(l.bigWrittenWhenSmallDone)} written; the large one ended ${l.bigSlotToFinalRowSeconds.toFixed(2)} s after its own slot. ` +
      `Exactly once: ${l.exactlyOnce ? 'yes' : '**NO**'}.`,
    '',
    'Targets (issue 15): ' + programmeTargets(s).map((t) => `${t.met ? 'met' : '**not met**'}: ${t.target}`).join('; ') + '.',
    '',
    '```',
    `npm run bench -- --programmes ${s.programmes} --assignments ${s.assignments} --workers ${s.workers} --concurrency ${s.concurrency} --sweep-concurrency ${s.sweepConcurrency}`,
    '```',
  ];
}

const section = keptSection<ProgrammeScenario>('programme-bench', lines);
export const renderProgrammeSection = section.render;
export const readProgrammeScenario = section.read;
export const writeProgrammeReport = section.write;
