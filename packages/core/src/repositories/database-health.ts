/** The readiness probe's view of PostgreSQL. */
import type { PrismaClient } from '../db/prisma';

export function createDatabaseHealth(prisma: PrismaClient) {
  return {
    /** Does PostgreSQL answer a query? Resolves when it does, rejects with the driver's error otherwise. */
    async ping(): Promise<void> {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}

export type DatabaseHealth = ReturnType<typeof createDatabaseHealth>;
