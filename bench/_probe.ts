import { Client } from 'pg';
import { seedDemoData } from '@reminders/core/seed/seed-demo-data';
import { createBenchEnv } from './bench-env';
async function main() {
  const env = await createBenchEnv('postgresql://postgres@127.0.0.1:5432/postgres', 'redis://127.0.0.1:6379');
  const config = env.config();
  try {
    await seedDemoData({ databaseUrl: env.databaseUrl }, { assignments: 5000, timeZone: config.reminderTz, rules: config.rules });
    const pg = new Client({ connectionString: env.databaseUrl, options: '-c enable_seqscan=off -c plan_cache_mode=force_generic_plan' });
    await pg.connect();
    const { rows } = await pg.query(`SELECT id FROM assignments WHERE status <> 'closed' ORDER BY id`);
    const ids = rows.map((r) => r.id);
    const N = 300; const B = 100; const pick = (i: number) => Array.from({ length: B }, (_, k) => ids[(i * B + k * 7919) % ids.length]);
    const occ = () => new Date(Date.now() - 60000).toISOString();
    for (const round of [1, 2]) {
      let t = performance.now();
      for (let i = 0; i < N; i++) await pg.query({ name: 'bare', text: `INSERT INTO activities (assignment_id, activity_type, occurred_at, registration_path, registered_by) SELECT a, t, o, 'bulk', r FROM unnest($1::int[], $2::activity_type[], $3::timestamptz[], $4::text[]) AS u(a, t, o, r) RETURNING id`, values: [pick(i), Array(B).fill('call'), Array(B).fill(occ()), Array(B).fill('probe')] });
      const bare = (performance.now() - t) / N;
      t = performance.now();
      for (let i = 0; i < N; i++) await pg.query({ name: 'fn', text: `SELECT register_activities($1::int[], $2::activity_type[], $3::timestamptz[], $4::registration_path[], $5::text[], $6::text[], $7::text[], $8::timestamptz, $9::text) AS r`, values: [pick(i), Array(B).fill('call'), Array(B).fill(occ()), Array(B).fill('bulk'), Array(B).fill('probe'), Array(B).fill(null), Array(B).fill(null), new Date().toISOString(), 'Europe/Oslo'] });
      const fn = (performance.now() - t) / N;
      console.log(`round ${round}: bare ${bare.toFixed(3)} ms/call, function ${fn.toFixed(3)} ms/call`);
    }
    if (process.argv[2]) {
      await pg.query(`LOAD 'auto_explain'`);
      await pg.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_analyze = on; SET client_min_messages = log`);
      pg.on('notice', (m) => console.log(m.message));
      await pg.query({ name: 'fn', text: `SELECT register_activities($1::int[], $2::activity_type[], $3::timestamptz[], $4::registration_path[], $5::text[], $6::text[], $7::text[], $8::timestamptz, $9::text) AS r`, values: [pick(3), Array(B).fill('call'), Array(B).fill(occ()), Array(B).fill('bulk'), Array(B).fill('probe'), Array(B).fill(null), Array(B).fill(null), new Date().toISOString(), 'Europe/Oslo'] });
      await new Promise((r) => setTimeout(r, 200));
      const r = await pg.query(`EXPLAIN (ANALYZE, BUFFERS) SELECT register_activities(ARRAY[${pick(1).join(',')}], array_fill('call'::activity_type, ARRAY[100]), array_fill(now(), ARRAY[100]), array_fill('bulk'::registration_path, ARRAY[100]), array_fill('p'::text, ARRAY[100]), array_fill(NULL::text, ARRAY[100]), array_fill(NULL::text, ARRAY[100]), now(), 'Europe/Oslo')`);
      console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
    }
    await pg.end();
  } finally {
    await env.destroy();
  }
}
void main();
