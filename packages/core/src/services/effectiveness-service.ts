/**
 * Whether reminders work, per programme and period (issue 16): checks the period and N, then asks
 * the effectiveness repository (where every figure and its definition is). The API
 * (`GET /v1/programmes/{slug}/stats`) and `npx reminders stats` both call this, so they give the
 * same answer and the same refusals.
 */
import type { Clock } from '../clock';
import { addDays, daysBetween, isIsoDate, localDate } from '../domain/calendar';
import type { Programme } from '../domain/programme';
import { AppError, type FieldError } from '../errors';
import type { EffectivenessRepository, FocusEntry, PeriodFigures } from '../repositories/effectiveness-repository';
import type { ProgrammeRepository } from '../repositories/programme-repository';
import { COUNT_MAX } from './programme-input';

/** Days in the period when `from` is not given (ending with `to`, both counted). */
export const DEFAULT_PERIOD_DAYS = 28;
/** The longest period one request may cover, in days. */
export const MAX_PERIOD_DAYS = 366;
/** How many focus-list entries an answer lists (focusTotal counts them all). */
export const FOCUS_LIMIT = 100;

export type StatsQuery = {
  /** First local day (YYYY-MM-DD) of the period. @defaultValue 27 days before `to` */
  from?: string;
  /** Last local day of the period. @defaultValue today in the programme's time zone */
  to?: string;
  /** The focus list's N. @defaultValue the programme's escalate_after */
  silentAfter?: number;
};

export type EffectivenessStats = {
  programme: string;
  timeZone: string;
  from: string;
  to: string;
  days: number;
  silentAfter: number;
  computedAt: Date;
} & Omit<PeriodFigures, 'label' | 'remindersUntilContact' | 'episodes'> & {
  remindersUntilContact: { mean: number | null; episodes: number };
  focus: FocusListEntry[];
  focusTotal: number;
};

/** A focus-list entry as the API and the CLI show it. */
export type FocusListEntry = Omit<FocusEntry, 'peerMentorId' | 'peerMentorFirstName'> & { peerMentor: { id: number; firstName: string | null } };

const listed = ({ peerMentorId, peerMentorFirstName, ...e }: FocusEntry): FocusListEntry => ({
  assignmentId: e.assignmentId,
  peerMentor: { id: peerMentorId, firstName: peerMentorFirstName },
  contactFirstName: e.contactFirstName,
  reminders: e.reminders,
  silentSince: e.silentSince,
  lastReminderOn: e.lastReminderOn,
});

export type EffectivenessServiceDeps = {
  effectiveness: EffectivenessRepository;
  programmes: Pick<ProgrammeRepository, 'bySlug'>;
  clock: Clock;
};

const invalid = (name: string, detail: string): never => {
  const errors: FieldError[] = [{ in: 'querystring', pointer: `/${name}`, detail }];
  throw new AppError('invalid', 'validation-error', `${name} ${detail}`, errors);
};

function day(name: 'from' | 'to', value: string | undefined): string | undefined {
  if (value !== undefined && !isIsoDate(value)) invalid(name, `must be a calendar date YYYY-MM-DD, got "${value}"`);
  return value;
}

export function createEffectivenessService(deps: EffectivenessServiceDeps) {
  const { effectiveness, programmes, clock } = deps;

  /** The stats of a programme already found (the CLI resolves `--programme` itself). */
  async function forProgramme(p: Programme, q: StatsQuery = {}): Promise<EffectivenessStats> {
    const now = clock.now();
    const to = day('to', q.to) ?? localDate(now, p.timeZone);
    const from = day('from', q.from) ?? addDays(to, 1 - DEFAULT_PERIOD_DAYS);
    if (from > to) invalid('from', `must not be after to (${from} > ${to})`);
    const days = daysBetween(from, to) + 1;
    if (days > MAX_PERIOD_DAYS) invalid('to', `must be at most ${MAX_PERIOD_DAYS} days from from, both counted (${from}..${to} is ${days} days)`);
    const silentAfter = q.silentAfter ?? p.rules.escalateAfter;
    if (!Number.isInteger(silentAfter) || silentAfter < 1 || silentAfter > COUNT_MAX) invalid('silent_after', `must be a whole number from 1 to ${COUNT_MAX}, got ${silentAfter}`);

    const [{ label: _label, remindersUntilContact, episodes, ...figures }, focus] = await Promise.all([
      effectiveness.period({ programmeId: p.id, from, to, now }),
      effectiveness.focus({ programmeId: p.id, silentAfter, limit: FOCUS_LIMIT }),
    ]);
    return { programme: p.slug, timeZone: p.timeZone, from, to, days, silentAfter, computedAt: now, ...figures, remindersUntilContact: { mean: remindersUntilContact, episodes }, focus: focus.entries.map(listed), focusTotal: focus.total };
  }

  return {
    forProgramme,

    /** The stats of the programme `slug` names (404 problem when there is none). */
    async forSlug(slug: string, q: StatsQuery = {}): Promise<EffectivenessStats> {
      const p = await programmes.bySlug(slug);
      if (!p) throw new AppError('not_found', 'programme-not-found', `programme "${slug}" does not exist`);
      return forProgramme(p, q);
    },
  };
}

export type EffectivenessService = ReturnType<typeof createEffectivenessService>;
