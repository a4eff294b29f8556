/**
 * Programmes for operators (issue 15): create, change, list, show and delete them, and move an
 * assignment from one to another. The API (/v1/programmes) and `reminders programme` both call
 * this; every change writes one admin_audit_log row with who, before, after (and why, for a move).
 */
import type { Clock } from '../clock';
import { DEFAULT_PROGRAMME_ID, DEFAULT_PROGRAMME_SLUG, type Programme } from '../domain/programme';
import { AppError } from '../errors';
import { Prisma } from '../db/prisma';
import type { AuditRepository } from '../repositories/audit-repository';
import type { ProgrammeRepository } from '../repositories/programme-repository';
import { checkCreate, checkSlug, checkUpdate, type ProgrammeInput } from './programme-input';

export type ProgrammeServiceDeps = {
  programmes: ProgrammeRepository;
  audit: AuditRepository;
  clock: Clock;
};

export type MoveRequest = { assignmentId: number; to: string; reason: string; actor: string };

/** What the audit log keeps of a programme: its settings, not its timestamps. */
const audited = (p: Programme) => ({
  slug: p.slug,
  name: p.name,
  timeZone: p.timeZone,
  sendAt: p.sendAt,
  ...p.rules,
  stopAfter: p.stopAfter,
  defaultLocale: p.defaultLocale,
  delivery: p.delivery,
  absencePolicy: p.absencePolicy,
  fromEnvironment: p.fromEnvironment,
});

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function checkActor(actor: string): string {
  const a = actor.trim();
  if (!a) throw new AppError('invalid', 'validation-error', 'the actor making the change must be named');
  return a;
}

export function createProgrammeService(deps: ProgrammeServiceDeps) {
  const { programmes, audit, clock } = deps;

  async function bySlug(slug: string): Promise<Programme> {
    const p = await programmes.bySlug(checkSlug(slug));
    if (!p) throw new AppError('not_found', 'programme-not-found', `programme "${slug}" does not exist`);
    return p;
  }

  return {
    list: () => programmes.list(),

    /** A programme with how many assignments and runs belong to it. */
    async show(slug: string) {
      const p = await bySlug(slug);
      return { ...p, usage: await programmes.usage(p.id) };
    },

    /** A new programme; anything not given (time zone, send time, rules, stop, locale) is the default programme's. */
    async create(input: ProgrammeInput, actor: string): Promise<Programme> {
      const by = checkActor(actor);
      const base = (await programmes.byId(DEFAULT_PROGRAMME_ID))!;
      const fields = checkCreate(input, base);
      const now = clock.now();
      let created: Programme;
      try {
        created = await programmes.create(fields, now);
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          throw new AppError('conflict', 'programme-slug-taken', `a programme with slug "${fields.slug}" already exists`);
        }
        throw err;
      }
      await audit.record({ actor: by, action: 'programme.create', targetType: 'programme', targetId: created.slug, after: audited(created), now });
      return created;
    },

    /** Changes the given fields (never the slug); changing `default` ends its tie to the environment. */
    async update(slug: string, input: ProgrammeInput, actor: string): Promise<Programme> {
      const by = checkActor(actor);
      const current = await bySlug(slug);
      const changes = checkUpdate(input, current);
      // default's schedule is the environment's: it runs at REMINDER_CRON in REMINDER_TZ (any cron,
      // weekdays only included), as it did before programmes.
      if (current.id === DEFAULT_PROGRAMME_ID) {
        for (const [field, env] of [['timeZone', 'REMINDER_TZ'], ['sendAt', 'REMINDER_CRON']] as const) {
          if (changes[field] !== undefined && changes[field] !== current[field]) {
            const name = field === 'timeZone' ? 'time_zone' : 'send_at';
            throw new AppError('conflict', 'programme-default-schedule', `programme "${DEFAULT_PROGRAMME_SLUG}" takes its ${name} from ${env}; change ${env} (or create another programme)`);
          }
        }
      }
      const now = clock.now();
      const updated = await programmes.update(current.id, changes, now);
      await audit.record({ actor: by, action: 'programme.update', targetType: 'programme', targetId: slug, before: audited(current), after: audited(updated), now });
      return updated;
    },

    /** Deletes a programme nothing belongs to; `default` is never deleted. */
    async delete(slug: string, actor: string): Promise<Programme> {
      const by = checkActor(actor);
      const current = await bySlug(slug);
      if (current.id === DEFAULT_PROGRAMME_ID) {
        throw new AppError('conflict', 'programme-is-default', `programme "${DEFAULT_PROGRAMME_SLUG}" cannot be deleted: assignments that name no programme join it`);
      }
      const r = await programmes.delete(current.id);
      if (r !== 'deleted') {
        const u = await programmes.usage(current.id);
        throw new AppError(
          'conflict',
          'programme-in-use',
          r === 'has_assignments'
            ? `programme "${slug}" has ${plural(u.assignments, 'assignment')}; move them to another programme first`
            : `programme "${slug}" has ${plural(u.runs, 'run')} in the execution log; a programme that has run is kept for its history`,
        );
      }
      await audit.record({ actor: by, action: 'programme.delete', targetType: 'programme', targetId: slug, before: audited(current), now: clock.now() });
      return current;
    },

    /** Moves an assignment to another programme; its next sweep uses that programme's rules, time zone and send time. */
    async moveAssignment(req: MoveRequest) {
      const by = checkActor(req.actor);
      const reason = req.reason.trim();
      if (reason.length < 3) {
        throw new AppError('invalid', 'validation-error', 'a reason of at least 3 characters is required', [{ pointer: '/reason', detail: 'must be at least 3 characters' }]);
      }
      const to = await bySlug(req.to);
      const current = await programmes.assignmentProgramme(req.assignmentId);
      if (current === null) throw new AppError('not_found', 'assignment-not-found', `assignment ${req.assignmentId} does not exist`);
      if (current === to.id) throw new AppError('conflict', 'assignment-already-in-programme', `assignment ${req.assignmentId} is already in programme "${to.slug}"`);
      const moved = await programmes.moveAssignment(req.assignmentId, to.id);
      if (!moved) throw new AppError('not_found', 'assignment-not-found', `assignment ${req.assignmentId} does not exist`);
      const from = (await programmes.byId(moved.from))!;
      const now = clock.now();
      const row = await audit.record({
        actor: by,
        action: 'assignment.move_programme',
        targetType: 'assignment',
        targetId: String(req.assignmentId),
        before: { programme: from.slug },
        after: { programme: to.slug },
        reason,
        now,
      });
      return { assignmentId: req.assignmentId, from: from.slug, to: to.slug, audit: { id: row.id, actor: by, reason, createdAt: row.createdAt } };
    },
  };
}

export type ProgrammeService = ReturnType<typeof createProgrammeService>;
export type ProgrammeView = Awaited<ReturnType<ProgrammeService['show']>>;
export type MoveResult = Awaited<ReturnType<ProgrammeService['moveAssignment']>>;
