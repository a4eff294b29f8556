/** Read side of one assignment for the API and CLI: who, contact state, reminder history, recent activities. */
import type { PrismaClient } from '../db/prisma';
import { dateColumnToIso } from '../domain/calendar';

export type ReminderHistoryEntry = {
  id: number;
  anchorDate: string;
  sequenceNumber: number;
  dueDate: string;
  escalated: boolean;
  emailStatus: string;
  createdAt: Date;
};

export type ActivitySummary = {
  id: number;
  activityType: string;
  occurredAt: Date;
  registrationPath: string;
  registeredBy: string;
};

export function createAssignmentRepository(prisma: PrismaClient) {
  return {
    /** The assignment with its newest `limit` reminders and activities, or null. */
    async detail(id: number, limit = 50) {
      const a = await prisma.assignment.findUnique({
        where: { id },
        select: {
          id: true,
          status: true,
          peerMentorId: true,
          contactId: true,
          coordinatorId: true,
          assignedDate: true,
          lastContactDate: true,
          reminders: {
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            take: limit,
            select: { id: true, anchorDate: true, sequenceNumber: true, dueDate: true, escalated: true, emailStatus: true, createdAt: true },
          },
          activities: {
            orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
            take: limit,
            select: { id: true, activityType: true, occurredAt: true, registrationPath: true, registeredBy: true },
          },
        },
      });
      if (!a) return null;
      return {
        id: a.id,
        status: a.status,
        peerMentorId: a.peerMentorId,
        contactId: a.contactId,
        coordinatorId: a.coordinatorId,
        assignedDate: dateColumnToIso(a.assignedDate),
        lastContactDate: a.lastContactDate ? dateColumnToIso(a.lastContactDate) : null,
        reminders: a.reminders.map(
          (r): ReminderHistoryEntry => ({ ...r, anchorDate: dateColumnToIso(r.anchorDate), dueDate: dateColumnToIso(r.dueDate) }),
        ),
        recentActivities: a.activities as ActivitySummary[],
      };
    },
  };
}

export type AssignmentRepository = ReturnType<typeof createAssignmentRepository>;
export type AssignmentDetail = NonNullable<Awaited<ReturnType<AssignmentRepository['detail']>>>;
