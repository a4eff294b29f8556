/** Prisma client over node-postgres (driver adapter: no engine binary needed). */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type { PrismaClient };
export { Prisma } from '../generated/prisma/client';

/**
 * JIT is off on the service's connections: the due queries (reminder_due over every active
 * assignment) are estimated above jit_above_cost, and compiling them took about 1 s per query
 * against 0.3 s to run them (85,000 assignments); nothing here runs long enough to win it back.
 */
export const SESSION_JIT_OFF = '-c jit=off';

export function createPrisma(databaseUrl: string, opts: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.max ?? 10, options: SESSION_JIT_OFF });
  return new PrismaClient({ adapter });
}
