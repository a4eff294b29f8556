/**
 * A tick-started programme's schedule as `status` shows it: daily at its send time in its time
 * zone, and when that next comes (services/programme-tick.ts starts it). The same two questions
 * the job scheduler registration answers for `default` (read, check).
 */
import type { Clock } from '../clock';
import { nextLocalTime } from '../domain/local-time';
import type { ProgrammeRepository } from '../repositories/programme-repository';
import type { ScheduleInfo } from './job-scheduler-registration';

export const PROGRAMME_TICK_ID = 'programme-tick';

export function createTickSchedule(deps: { programmes: Pick<ProgrammeRepository, 'byId'>; programmeId: number; clock: Clock }) {
  async function read(): Promise<ScheduleInfo | null> {
    const p = await deps.programmes.byId(deps.programmeId);
    if (!p) return null;
    return { id: PROGRAMME_TICK_ID, pattern: `daily at ${p.sendAt}`, tz: p.timeZone, next: nextLocalTime(deps.clock.now(), p.sendAt, p.timeZone) };
  }
  return {
    read,
    check: async (): Promise<string | null> => ((await read()) ? null : `programme ${deps.programmeId} no longer exists`),
  };
}
