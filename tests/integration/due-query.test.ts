/** The sweep's SQL and the pure rules in domain/reminder-rules.ts must agree on who is due. */
import fc from 'fast-check';
import { addDays } from '@reminders/core/domain/calendar';
import { currentReminder } from '@reminders/core/domain/reminder-rules';
import { createPrisma, type PrismaClient } from '@reminders/core/db/prisma';
import { createDueAssignmentRepository } from '@reminders/core/repositories/due-assignment-repository';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createSilentAssignments } from '../helpers/fixtures';

let env: TestEnv;
let prisma: PrismaClient;

beforeAll(async () => {
  env = await createTestEnv();
  prisma = createPrisma(env.databaseUrl);
  // 400 assignments whose anchors step back one day each from 2026-11-28.
  await createSilentAssignments(prisma, 400, '2026-11-28');
  await prisma.$executeRaw`UPDATE assignments SET last_contact_date = DATE '2026-11-28' - (id - 1)`;
});

afterAll(async () => {
  await prisma.$disconnect();
  await env.destroy();
});

it('the SQL due query matches currentReminder() for random rules, days and page sizes', async () => {
  const repo = createDueAssignmentRepository(prisma);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 7, max: 500 }),
      async (first, every, dayOffset, pageSize) => {
        const rules = { firstAfterDays: first, repeatEveryDays: every, escalateAfter: 3 };
        const today = addDays('2026-11-28', dayOffset);
        const now = new Date(`${today}T10:00:00Z`);
        const found = [];
        let afterId = 0;
        for (;;) {
          const page = await repo.findDuePage({ now, timeZone: 'Europe/Oslo', rules, afterId, limit: pageSize });
          found.push(...page);
          if (page.length < pageSize) break;
          afterId = page[page.length - 1]!.assignmentId;
        }
        const expected = [];
        for (let id = 1; id <= 400; id++) {
          const anchor = addDays('2026-11-28', -(id - 1));
          const due = currentReminder(anchor, today, rules);
          if (due) expected.push({ assignmentId: id, anchorDate: anchor, ...due });
        }
        expect(found).toEqual(expected);
      },
    ),
    { numRuns: 25 },
  );
});
