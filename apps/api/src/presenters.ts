/** Core results (camelCase) to the API's JSON (snake_case). Pure; the response schemas serialise them. */
import type { TokenRecord } from '@reminders/core/auth/token-repository';
import type { BulkResult } from '@reminders/core/services/activity-registration-service';
import type { AssignmentView, CorrectionResult } from '@reminders/core/services/assignment-service';
import type { ContactView } from '@reminders/core/services/contact-view';

export const contactJson = (c: ContactView) => ({
  id: c.assignmentId,
  status: c.status,
  assigned_date: c.assignedDate,
  last_contact_date: c.lastContactDate,
  anchor_date: c.anchorDate,
  days_since_contact: c.daysSinceContact,
  next_reminder: c.nextReminder ? { due_date: c.nextReminder.dueDate, sequence_number: c.nextReminder.sequenceNumber, escalated: c.nextReminder.escalated } : null,
  next_reminder_to: c.nextReminderTo,
  snoozed_until: c.snoozedUntil,
});

export const assignmentJson = (a: AssignmentView) => ({
  ...contactJson(a.contact),
  peer_mentor_id: a.peerMentorId,
  contact_id: a.contactId,
  coordinator_id: a.coordinatorId,
  reminders: a.reminders.map((r) => ({
    id: r.id,
    anchor_date: r.anchorDate,
    sequence_number: r.sequenceNumber,
    due_date: r.dueDate,
    escalated: r.escalated,
    email_status: r.emailStatus,
    created_at: r.createdAt.toISOString(),
  })),
  recent_activities: a.recentActivities.map((x) => ({
    id: x.id,
    activity_type: x.activityType,
    occurred_at: x.occurredAt.toISOString(),
    registration_path: x.registrationPath,
    registered_by: x.registeredBy,
  })),
});

export const correctionJson = (r: CorrectionResult) => ({
  assignment: assignmentJson(r.assignment),
  audit: { id: r.audit.id, actor: r.audit.actor, before: r.audit.before, after: r.audit.after, reason: r.audit.reason, created_at: r.audit.createdAt.toISOString() },
});

export const bulkJson = (r: BulkResult, replayed: boolean) => ({
  replayed,
  summary: r.summary,
  items: r.items.map((i) => ({
    index: i.index,
    assignment_id: i.assignmentId,
    status: i.outcome,
    activity_id: i.activityId,
    error: i.error,
    last_contact_date: i.lastContactDate,
    next_reminder_due_date: i.nextReminderDueDate,
  })),
});

export const tokenJson = (t: TokenRecord) => ({
  name: t.name,
  role: t.role,
  created_by: t.createdBy,
  created_at: t.createdAt.toISOString(),
  revoked_at: t.revokedAt?.toISOString() ?? null,
  last_used_at: t.lastUsedAt?.toISOString() ?? null,
  expires_at: t.expiresAt?.toISOString() ?? null,
});
