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

/** The rules live in the assignments' programme (default, id 1): the query reads them from there. */
const useRules = (r: { firstAfterDays: number; repeatEveryDays: number; escalateAfter: number }) =>
  prisma.$executeRaw`UPDATE programmes SET first_after_days = ${r.firstAfterDays}, repeat_every_days = ${r.repeatEveryDays}, escalate_after = ${r.escalateAfter} WHERE id = 1`;

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
        await useRules(rules);
        const found = [];
        let afterId = 0;
        for (;;) {
          const page = await repo.findDuePage({ now, afterId, limit: pageSize });
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
        // The guard's single pass counts the same due set (and every active assignment).
        expect(await repo.countActiveAndDue({ now })).toEqual({ active: 400, due: expected.length });
      },
    ),
    { numRuns: 25 },
  );
});

it('the guard counts active and due in one pass, leaving out reminders already written', async () => {
  const repo = createDueAssignmentRepository(prisma);
  const rules = { firstAfterDays: 3, repeatEveryDays: 7, escalateAfter: 3 };
  const now = new Date('2026-11-28T10:00:00Z');
  await useRules(rules);
  const p = { now };
  const before = await repo.countActiveAndDue(p);
  expect(before).toEqual({ active: 400, due: await repo.countDue(p) });
  const written = await repo.findDuePage({ ...p, afterId: 0, limit: 10 });
  for (const d of written) {
    await prisma.$executeRaw`
      INSERT INTO reminders (assignment_id, reminder_key, anchor_date, sequence_number, due_date, escalated, fencing_token)
      VALUES (${d.assignmentId}, ${`due-query-${d.assignmentId}`}, ${d.anchorDate}::date, ${d.sequenceNumber}, ${d.dueDate}::date, ${d.escalated}, 1)`;
  }
  await prisma.$executeRaw`UPDATE assignments SET status = 'paused' WHERE id = 400`;
  const after = await repo.countActiveAndDue(p);
  expect(after).toEqual({ active: 399, due: await repo.countDue(p) });
  expect(after.due).toBe(before.due - 10 - (written.some((d) => d.assignmentId === 400) ? 0 : 1));
  await prisma.$executeRaw`DELETE FROM reminders WHERE reminder_key LIKE 'due-query-%'`;
  await prisma.$executeRaw`UPDATE assignments SET status = 'active' WHERE id = 400`;
});
