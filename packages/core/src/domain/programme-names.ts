/**
 * The names a programme's sweep is known by (issue 15). `default` keeps the names it had before
 * programmes (job name, lock and Redis key `reminder-sweep`), so an existing deployment's runbook
 * commands and saved queries stay true; every other programme's carry its slug.
 */
import { SWEEP_LOCK_NAME, SWEEP_SCHEDULER_ID } from '../jobs/job-catalog';
import { DEFAULT_PROGRAMME_ID } from './programme';

/** What a programme's sweep parts need to know of it: never its rules (SQL reads those). */
export type ProgrammeRef = { id: number; slug: string };

export const DEFAULT_PROGRAMME: ProgrammeRef = { id: DEFAULT_PROGRAMME_ID, slug: 'default' };

const named = (base: string, p: ProgrammeRef) => (p.id === DEFAULT_PROGRAMME_ID ? base : `${base}:${p.slug}`);

/** The execution log's job_name and the sweep_state row of the programme's sweep. */
export const programmeJobName = (p: ProgrammeRef) => named(SWEEP_SCHEDULER_ID, p);
/** The redlock lock around one of the programme's runs. */
export const programmeLockName = (p: ProgrammeRef) => named(SWEEP_LOCK_NAME, p);
