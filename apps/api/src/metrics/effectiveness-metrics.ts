/**
 * The `reminders_effectiveness_*` gauges (issue 16): whether reminders work, per programme label,
 * over the last 28 local days ending today (N = each programme's escalate_after), computed by the
 * same SQL as GET /v1/programmes/{slug}/stats (effectiveness-repository.ts). That SQL reads a
 * month of reminders and their activities, so its result is kept for a minute: however often and
 * by however many scrapers /metrics is read, one API process runs it at most once a minute.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '@reminders/core/clock';
import type { EffectivenessRepository, PeriodFigures } from '@reminders/core/repositories/effectiveness-repository';

/** How long one computation of the gauges is served. @defaultValue 60 s */
export const EFFECTIVENESS_CACHE_MS = 60_000;

export const EFFECTIVENESS_METRIC_NAMES = [
  'reminders_effectiveness_reminders',
  'reminders_effectiveness_followed',
  'reminders_effectiveness_pending',
  'reminders_effectiveness_followed_ratio',
  'reminders_effectiveness_median_days_to_contact',
  'reminders_effectiveness_reminders_until_contact',
  'reminders_effectiveness_focus_assignments',
] as const;

type Figures = { period: PeriodFigures[]; focus: Map<string, number> };

export function registerEffectivenessGauges(registry: Registry, deps: { effectiveness: EffectivenessRepository; clock: Clock; labelMax: number }) {
  const { effectiveness, clock, labelMax } = deps;
  let cached: { at: number; figures: Promise<Figures> } | null = null;

  function figures(): Promise<Figures> {
    const now = clock.now();
    const age = cached ? now.getTime() - cached.at : Infinity;
    if (!cached || age >= EFFECTIVENESS_CACHE_MS || age < 0) {
      const mine: { at: number; figures: Promise<Figures> } = {
        at: now.getTime(),
        figures: Promise.all([effectiveness.metricsPeriod(now, labelMax), effectiveness.metricsFocus(now, labelMax)]).then(([period, focus]) => ({
          period,
          focus: new Map(focus.map((f) => [f.label, f.total])),
        })),
      };
      // A failed computation is not kept: the next scrape tries again.
      mine.figures.catch(() => {
        if (cached === mine) cached = null;
      });
      cached = mine;
    }
    return cached.figures;
  }

  /** A gauge per programme label; a figure that is null (nothing to compute it from) has no sample. */
  const gauge = (name: (typeof EFFECTIVENESS_METRIC_NAMES)[number], help: string, value: (p: PeriodFigures, f: Figures) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['programme'],
      registers: [registry],
      async collect() {
        const f = await figures();
        this.reset();
        for (const p of f.period) {
          const v = value(p, f);
          if (v !== null) this.set({ programme: p.label }, v);
        }
      },
    });

  gauge('reminders_effectiveness_reminders', 'Reminders written in the last 28 local days, by programme', (p) => p.reminders);
  gauge('reminders_effectiveness_followed', 'Of those, reminders followed by contact (an activity) within 7 days', (p) => p.followed);
  gauge('reminders_effectiveness_pending', 'Of those, reminders not followed whose 7 days are not over yet (left out of the ratio)', (p) => p.pending);
  gauge('reminders_effectiveness_followed_ratio', 'followed / (reminders - pending) over the last 28 local days (no sample when that is 0)', (p) => p.share);
  gauge('reminders_effectiveness_median_days_to_contact', 'Median days from a reminder of the last 28 local days to the first later activity (no sample when none has one)', (p) => p.medianDaysToContact);
  gauge('reminders_effectiveness_reminders_until_contact', 'Mean reminders per silence that ended with contact, over silences with a reminder in the last 28 local days', (p) => p.remindersUntilContact);
  gauge('reminders_effectiveness_focus_assignments', "Active assignments whose current silence has at least escalate_after reminders (the stats' focus list)", (p, f) => f.focus.get(p.label) ?? 0);
}
