/**
 * Programmes: read, create, change, delete, and the default programme kept in step with the
 * environment. A programme's sweep state row is created with it, in the same transaction.
 */
import type { PrismaClient } from '../db/prisma';
import type { Prisma, Programme as ProgrammeRow } from '../generated/prisma/client';
import { DEFAULT_PROGRAMME_ID, type AbsencePolicy, type Delivery, type Locale, type Programme } from '../domain/programme';
import { programmeJobName } from '../domain/programme-names';
import type { ReminderRules } from '../domain/reminder-rules';

/** What an operator sets on a programme (delivery and absence policy left out: the table's defaults, digest and freeze). */
export type ProgrammeFields = Pick<Programme, 'slug' | 'name' | 'timeZone' | 'sendAt' | 'rules' | 'stopAfter' | 'defaultLocale'> & Partial<Pick<Programme, 'delivery' | 'absencePolicy'>>;


export function toProgramme(r: ProgrammeRow): Programme {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    timeZone: r.timeZone,
    sendAt: r.sendAt,
    rules: Object.freeze({ firstAfterDays: r.firstAfterDays, repeatEveryDays: r.repeatEveryDays, escalateAfter: r.escalateAfter }),
    stopAfter: r.stopAfter,
    defaultLocale: r.defaultLocale as Locale,
    delivery: r.delivery as Delivery,
    absencePolicy: r.absencePolicy as AbsencePolicy,
    fromEnvironment: r.fromEnvironment,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const columns = (f: Partial<ProgrammeFields>): Prisma.ProgrammeUpdateInput => ({
  ...(f.slug !== undefined ? { slug: f.slug } : {}),
  ...(f.name !== undefined ? { name: f.name } : {}),
  ...(f.timeZone !== undefined ? { timeZone: f.timeZone } : {}),
  ...(f.sendAt !== undefined ? { sendAt: f.sendAt } : {}),
  ...(f.rules ? { firstAfterDays: f.rules.firstAfterDays, repeatEveryDays: f.rules.repeatEveryDays, escalateAfter: f.rules.escalateAfter } : {}),
  ...(f.stopAfter !== undefined ? { stopAfter: f.stopAfter } : {}),
  ...(f.defaultLocale !== undefined ? { defaultLocale: f.defaultLocale } : {}),
  ...(f.delivery !== undefined ? { delivery: f.delivery } : {}),
  ...(f.absencePolicy !== undefined ? { absencePolicy: f.absencePolicy } : {}),
});

export function createProgrammeRepository(prisma: PrismaClient) {
  return {
    list: async (): Promise<Programme[]> => (await prisma.programme.findMany({ orderBy: { id: 'asc' } })).map(toProgramme),
    byId: async (id: number): Promise<Programme | null> => {
      const r = await prisma.programme.findUnique({ where: { id } });
      return r ? toProgramme(r) : null;
    },
    bySlug: async (slug: string): Promise<Programme | null> => {
      const r = await prisma.programme.findUnique({ where: { slug } });
      return r ? toProgramme(r) : null;
    },

    /** A new programme and its sweep state row (enabled); the slug is unique (P2002 otherwise). */
    create: (f: ProgrammeFields, now: Date): Promise<Programme> =>
      prisma.$transaction(async (tx) => {
        const r = await tx.programme.create({ data: { ...(columns(f) as Prisma.ProgrammeCreateInput), createdAt: now, updatedAt: now } });
        await tx.sweepState.create({ data: { jobName: programmeJobName(r), programmeId: r.id } });
        return toProgramme(r);
      }),

    /** Changes the given fields; an operator's change ends `default`'s tie to the environment. */
    update: async (id: number, f: Partial<Omit<ProgrammeFields, 'slug'>>, now: Date): Promise<Programme> =>
      toProgramme(await prisma.programme.update({ where: { id }, data: { ...columns(f), fromEnvironment: false, updatedAt: now } })),

    /** How many assignments and runs belong to a programme (what keeps it from being deleted). */
    async usage(id: number): Promise<{ assignments: number; runs: number }> {
      const [assignments, runs] = await Promise.all([prisma.assignment.count({ where: { programmeId: id } }), prisma.cronExecutionLog.count({ where: { programmeId: id } })]);
      return { assignments, runs };
    },

    /** Deletes a programme with no assignments and no runs (its sweep state goes with it); false if it has either. */
    async delete(id: number): Promise<'deleted' | 'has_assignments' | 'has_runs'> {
      return prisma.$transaction(async (tx) => {
        if (await tx.assignment.count({ where: { programmeId: id } })) return 'has_assignments';
        if (await tx.cronExecutionLog.count({ where: { programmeId: id } })) return 'has_runs';
        await tx.programme.delete({ where: { id } });
        return 'deleted';
      });
    },

    /**
     * Keeps `default` in step with the environment it runs with (REMINDER_TZ, the send time of
     * REMINDER_CRON when it has the daily form, the rule knobs) while no operator has changed it.
     * Returns whether anything changed.
     */
    async syncDefault(env: { timeZone: string; sendAt: string | null; rules: ReminderRules }, now: Date): Promise<boolean> {
      // Its schedule is always the environment's (REMINDER_TZ, REMINDER_CRON); its rules only until an operator changes them.
      const schedule = await prisma.programme.updateMany({
        where: { id: DEFAULT_PROGRAMME_ID, NOT: { timeZone: env.timeZone, ...(env.sendAt ? { sendAt: env.sendAt } : {}) } },
        data: { timeZone: env.timeZone, ...(env.sendAt ? { sendAt: env.sendAt } : {}), updatedAt: now },
      });
      const { count } = await prisma.programme.updateMany({
        where: {
          id: DEFAULT_PROGRAMME_ID,
          fromEnvironment: true,
          NOT: {
            timeZone: env.timeZone,
            firstAfterDays: env.rules.firstAfterDays,
            repeatEveryDays: env.rules.repeatEveryDays,
            escalateAfter: env.rules.escalateAfter,
            ...(env.sendAt ? { sendAt: env.sendAt } : {}),
          },
        },
        data: {
          timeZone: env.timeZone,
          firstAfterDays: env.rules.firstAfterDays,
          repeatEveryDays: env.rules.repeatEveryDays,
          escalateAfter: env.rules.escalateAfter,
          ...(env.sendAt ? { sendAt: env.sendAt } : {}),
          updatedAt: now,
        },
      });
      return count > 0 || schedule.count > 0;
    },

    /** The programme an assignment belongs to, or null if there is no such assignment. */
    assignmentProgramme: async (assignmentId: number): Promise<number | null> =>
      (await prisma.assignment.findUnique({ where: { id: assignmentId }, select: { programmeId: true } }))?.programmeId ?? null,

    /** Moves an assignment to another programme; returns the programme it was in, or null if there is no such assignment. */
    async moveAssignment(assignmentId: number, programmeId: number): Promise<{ from: number } | null> {
      return prisma.$transaction(async (tx) => {
        const a = await tx.assignment.findUnique({ where: { id: assignmentId }, select: { programmeId: true } });
        if (!a) return null;
        await tx.assignment.update({ where: { id: assignmentId }, data: { programmeId } });
        return { from: a.programmeId };
      });
    },
  };
}

export type ProgrammeRepository = ReturnType<typeof createProgrammeRepository>;
