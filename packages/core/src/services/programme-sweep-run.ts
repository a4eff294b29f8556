/**
 * The sweep run for whichever programme a request names (issue 15): each programme's sweep is
 * its own SweepRunService (its job name, lock, fencing token, state row, blast-radius history and
 * alerts), made from the same shared parts when first needed.
 */
import { DEFAULT_PROGRAMME_ID } from '../domain/programme';
import { DEFAULT_PROGRAMME, type ProgrammeRef } from '../domain/programme-names';
import type { ProgrammeRepository } from '../repositories/programme-repository';
import { RunRequestError, type RunRequest, type RunResult, type SweepRunService } from './sweep-run-service';

export function createProgrammeSweepRun(deps: { programmes: Pick<ProgrammeRepository, 'byId'>; runFor: (p: ProgrammeRef) => SweepRunService }) {
  return {
    /** Runs one sweep of the request's programme (`default` when it names none). */
    async run(req: RunRequest): Promise<RunResult> {
      const id = req.programmeId ?? DEFAULT_PROGRAMME_ID;
      const programme = id === DEFAULT_PROGRAMME_ID ? DEFAULT_PROGRAMME : await deps.programmes.byId(id);
      if (!programme) throw new RunRequestError(`programme ${id} does not exist (deleted after the request?)`);
      return deps.runFor(programme).run({ ...req, programmeId: id });
    },
  };
}

export type ProgrammeSweepRun = ReturnType<typeof createProgrammeSweepRun>;
