/** Programmes as JSON (snake_case, ISO times), for the /v1/programmes routes. */
import type { Programme } from '@reminders/core/domain/programme';
import type { MoveResult, ProgrammeView } from '@reminders/core/services/programme-service';

export const programmeJson = (p: Programme) => ({
  slug: p.slug,
  name: p.name,
  time_zone: p.timeZone,
  send_at: p.sendAt,
  first_after_days: p.rules.firstAfterDays,
  repeat_every_days: p.rules.repeatEveryDays,
  escalate_after: p.rules.escalateAfter,
  stop_after: p.stopAfter,
  default_locale: p.defaultLocale,
  delivery: p.delivery,
  absence_policy: p.absencePolicy,
  from_environment: p.fromEnvironment,
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});

export const programmeShowJson = (v: ProgrammeView) => ({ ...programmeJson(v), usage: v.usage });

export const moveJson = (m: MoveResult) => ({
  assignment_id: m.assignmentId,
  from: m.from,
  to: m.to,
  audit: { id: m.audit.id, actor: m.audit.actor, reason: m.audit.reason, created_at: m.audit.createdAt.toISOString() },
});

/** A request body in the service's words (absent fields stay absent). */
export const programmeInput = (b: {
  slug?: string;
  name?: string;
  time_zone?: string;
  send_at?: string;
  first_after_days?: number;
  repeat_every_days?: number;
  escalate_after?: number;
  stop_after?: number | null;
  default_locale?: string;
  delivery?: string;
  absence_policy?: string;
}) => ({
  slug: b.slug,
  name: b.name,
  timeZone: b.time_zone,
  sendAt: b.send_at,
  firstAfterDays: b.first_after_days,
  repeatEveryDays: b.repeat_every_days,
  escalateAfter: b.escalate_after,
  stopAfter: b.stop_after,
  defaultLocale: b.default_locale,
  delivery: b.delivery,
  absencePolicy: b.absence_policy,
});
