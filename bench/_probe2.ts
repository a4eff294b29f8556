import { Client } from 'pg';
import { seedDemoData } from '@reminders/core/seed/seed-demo-data';
import { createBenchEnv } from './bench-env';
import { measureRun } from './measure-run';
async function main() {
  const env = await createBenchEnv('postgresql://postgres@127.0.0.1:5432/postgres', 'redis://127.0.0.1:6379');
  const config = env.config();
  const pg = new Client({ connectionString: env.databaseUrl });
  await pg.connect();
  try {
    const seeded = await seedDemoData({ databaseUrl: env.databaseUrl }, { assignments: 20000, timeZone: config.reminderTz, rules: config.rules });
    await pg.query('VACUUM ANALYZE');
    const db = new URL(env.databaseUrl).pathname.slice(1);
    await pg.query(`ALTER DATABASE "${db}" SET session_preload_libraries = 'auto_explain'`);
    await pg.query(`ALTER DATABASE "${db}" SET auto_explain.log_min_duration = '${process.argv[2] ?? '40ms'}'`);
    await pg.query(`ALTER DATABASE "${db}" SET auto_explain.log_analyze = on`);
    console.log('db', db);
    const run = await measureRun({ pg, redisUrl: config.redisUrl, prefix: `${env.prefix}-p`, vars: env.vars, workers: 1, concurrency: 500, due: seeded.dueToday, smtp: null, timeoutMs: 600000 });
    console.log(run.status, run.triggerToFinalRowSeconds, run.dispatchPerSecond);
  } finally {
    await pg.end();
    await env.destroy();
  }
}
void main();
