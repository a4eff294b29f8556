/** Enum values shared with the database (prisma/schema.prisma), read from the generated client. */
import { ActivityType } from '@reminders/core/generated/prisma/enums';

export const ACTIVITY_TYPES = Object.values(ActivityType);
