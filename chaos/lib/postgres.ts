/** Postgres faults: terminate the backends of one database (only the scenario's own). */
import { Client } from 'pg';
import { databaseName, maintenanceUrl } from '@reminders/core/db/database-url';

/**
 * Terminates every connection to the database named in `databaseUrl` (never another database's:
 * the name is checked to be a test database). Returns how many backends were terminated.
 */
export async function terminateBackends(databaseUrl: string): Promise<number> {
  const name = databaseName(databaseUrl);
  if (!name.startsWith('reminders_test_')) throw new Error(`refusing to terminate backends of ${name}: not a test database`);
  const admin = new Client({ connectionString: maintenanceUrl(databaseUrl) });
  await admin.connect();
  try {
    const r = await admin.query<{ ok: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    return r.rows.filter((x) => x.ok).length;
  } finally {
    await admin.end();
  }
}
