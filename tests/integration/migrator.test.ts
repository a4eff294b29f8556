/**
 * The project's migrator against the real PostgreSQL: it records migrations exactly as
 * `prisma migrate deploy` does, applies each once even when replicas race, and refuses tampered
 * or failing migrations naming the file. The CLI runs as a child process, as an operator runs it.
 * Each test gets a new empty database; temp copies of prisma/migrations stand in for edits.
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { checksumMatches, DEFAULT_MIGRATIONS_DIR, migrate, MigrationError, readMigrations } from '@reminders/core/db/migrator';
import { runCli } from '../helpers/run-cli';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { waitFor } from '../helpers/wait-for';

const INIT = '20261128000000_init';
/** The advisory lock id of Prisma's migrate engine. */
const PRISMA_MIGRATE_LOCK = 72707369;
const MIGRATIONS = readMigrations().map((m) => m.name);

type MigrationRow = {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
};

const created: { envs: TestEnv[]; dirs: string[] } = { envs: [], dirs: [] };
afterEach(async () => {
  for (const env of created.envs.splice(0)) await env.destroy();
  for (const dir of created.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<TestEnv> {
  const env = await createTestEnv({ migrate: false });
  created.envs.push(env);
  return env;
}

/** A temp copy of prisma/migrations that a test may edit. */
function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reminders-migrations-'));
  cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  created.dirs.push(dir);
  return dir;
}

function addMigration(dir: string, name: string, sql: string): string {
  mkdirSync(path.join(dir, name), { recursive: true });
  const file = path.join(dir, name, 'migration.sql');
  writeFileSync(file, sql);
  return file;
}

async function sql<T extends object>(env: TestEnv, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

const history = (env: TestEnv) => sql<MigrationRow>(env, 'SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name');
const exists = async (env: TestEnv, relation: string) =>
  (await sql<{ found: string | null }>(env, 'SELECT to_regclass($1)::text AS found', [relation]))[0]!.found !== null;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('migrator', () => {
  it('applies every migration to an empty database and records each as `prisma migrate deploy` does', async () => {
    expect(MIGRATIONS[0]).toBe(INIT);
    const env = await emptyDatabase();

    await expect(migrate(env.databaseUrl)).resolves.toEqual({ applied: MIGRATIONS, alreadyApplied: [] });

    const rows = await history(env);
    expect(rows.map((r) => r.migration_name)).toEqual(MIGRATIONS);
    for (const row of rows) {
      const file = readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        checksum: sha256(file),
        migration_name: row.migration_name,
        started_at: expect.any(Date),
        finished_at: expect.any(Date),
        applied_steps_count: 1,
        logs: null,
        rolled_back_at: null,
      });
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    // The table itself is the one Prisma creates, so the stock CLI reads and extends it as its own.
    const columns = await sql(
      env,
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', len: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', len: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', len: null, is_nullable: 'NO', column_default: '0' },
    ]);
    expect(await sql(env, `SELECT conname FROM pg_constraint WHERE conrelid = '"_prisma_migrations"'::regclass AND contype = 'p'`)).toEqual([
      { conname: '_prisma_migrations_pkey' },
    ]);
    expect(await exists(env, 'assignments')).toBe(true);
  });

  it('applies nothing and changes nothing when run again', async () => {
    const env = await emptyDatabase();
    await migrate(env.databaseUrl);
    const before = await history(env);

    await expect(migrate(env.databaseUrl)).resolves.toEqual({ applied: [], alreadyApplied: MIGRATIONS });
    expect(await history(env)).toEqual(before);
  });

  it("applies each migration once when two runs start together (Prisma's advisory lock)", async () => {
    const env = await emptyDatabase();
    // Hold the lock so both runs are provably waiting on it before either starts; then let go.
    const holder = new Client({ connectionString: env.databaseUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
      const runs = Promise.all([migrate(env.databaseUrl), migrate(env.databaseUrl)]);
      runs.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      await waitFor('both runs to wait on the migrate lock', async () => {
        const { rows } = await holder.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND objid = $1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [PRISMA_MIGRATE_LOCK],
        );
        return rows[0]!.n === 2;
      });
      await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
      const results = await runs;

      expect(results.map((r) => r.applied).sort((a, b) => b.length - a.length)).toEqual([MIGRATIONS, []]);
      expect((await history(env)).map((r) => r.migration_name)).toEqual(MIGRATIONS);
    } finally {
      await holder.end();
    }
  });

  it('refuses a migration edited after it was applied, naming its file, before applying anything', async () => {
    const env = await emptyDatabase();
    const dir = copyOfMigrations();
    await migrate(env.databaseUrl, { dir });
    const before = await history(env);
    const file = path.join(dir, INIT, 'migration.sql');
    appendFileSync(file, '\n-- edited after it was applied\n');
    addMigration(dir, '29990101000000_later', 'CREATE TABLE "later_table" ("id" INTEGER);\n');

    const err = await migrate(env.databaseUrl, { dir }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain(`migration ${INIT} was modified after it was applied`);
    expect((err as Error).message).toContain(file);
    expect(await history(env)).toEqual(before);
    expect(await exists(env, 'later_table')).toBe(false);
  });

  it('accepts an applied migration whose line endings changed, as Prisma does', async () => {
    const env = await emptyDatabase();
    const dir = copyOfMigrations();
    await migrate(env.databaseUrl, { dir });
    const file = path.join(dir, INIT, 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));

    await expect(migrate(env.databaseUrl, { dir })).resolves.toEqual({ applied: [], alreadyApplied: MIGRATIONS });
  });

  it('matches checksums by Prisma rules: line-ending agnostic, and the old unpadded hex', () => {
    const hello = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'; // sha256("hello")
    const unpadded = hello.replace(/(..)/g, (b) => parseInt(b, 16).toString(16));
    expect(unpadded.length).toBeLessThan(64);
    expect(checksumMatches('hello', hello)).toBe(true);
    expect(checksumMatches('hello', unpadded)).toBe(true);
    expect(checksumMatches('a\r\nb\r\n', createHash('sha256').update('a\nb\n').digest('hex'))).toBe(true);
    expect(checksumMatches('a\nb\n', createHash('sha256').update('a\r\nb\r\n').digest('hex'))).toBe(true);
    expect(checksumMatches('hello\n', hello)).toBe(false);
    expect(checksumMatches('hell', hello)).toBe(false);
  });

  it('rolls a failing migration back completely, names its file and line, and retries it once fixed', async () => {
    const env = await emptyDatabase();
    const dir = copyOfMigrations();
    await migrate(env.databaseUrl, { dir });
    const broken = [
      '-- Fails half-way: everything before the bad statement must be undone.',
      'CREATE TABLE "half_done" ("id" INTEGER NOT NULL);',
      'ALTER TABLE "assignments" ADD COLUMN "half_done_note" TEXT;',
      'CREATE INDEX "half_done_id_idx" ON "half_done"("id");',
      'INSERT INTO "half_done" VALUES (1);',
      'SELECT "no_such_column" FROM "half_done";',
      '',
    ];
    const file = addMigration(dir, '29990101000000_half_done', broken.join('\n'));

    const err = await migrate(env.databaseUrl, { dir }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain(`migration 29990101000000_half_done failed and was rolled back (${file}:6)`);
    expect((err as Error).message).toContain('no_such_column');
    expect(await exists(env, 'half_done')).toBe(false);
    expect(await exists(env, 'half_done_id_idx')).toBe(false);
    expect(await sql(env, `SELECT 1 FROM information_schema.columns WHERE table_name = 'assignments' AND column_name = 'half_done_note'`)).toEqual([]);
    const failed = (await history(env)).filter((r) => r.migration_name === '29990101000000_half_done');
    expect(failed).toEqual([
      expect.objectContaining({ finished_at: null, applied_steps_count: 0, rolled_back_at: expect.any(Date), logs: expect.stringContaining('no_such_column') }),
    ]);

    writeFileSync(file, broken.filter((line) => !line.includes('no_such_column')).join('\n'));
    await expect(migrate(env.databaseUrl, { dir })).resolves.toEqual({ applied: ['29990101000000_half_done'], alreadyApplied: MIGRATIONS });
    expect(await exists(env, 'half_done')).toBe(true);
  });

  it('refuses to run past a migration that started and never finished, as `prisma migrate deploy` does', async () => {
    const env = await emptyDatabase();
    await migrate(env.databaseUrl);
    await sql(env, `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, '29990101000000_interrupted')`, [randomUUID(), 'x'.repeat(64)]);

    await expect(migrate(env.databaseUrl)).rejects.toThrow(/migration 29990101000000_interrupted started but never finished/);
  });
});

describe('reminders migrate (CLI)', () => {
  it('migrates an unmigrated database, then reports it up to date', async () => {
    const env = await emptyDatabase();

    const first = await runCli(['migrate'], env.env());
    expect(first).toEqual({ code: 0, stdout: `applied ${MIGRATIONS.length} migration(s): ${MIGRATIONS.join(', ')}\n`, stderr: '' });
    const second = await runCli(['migrate'], env.env());
    expect(second).toEqual({ code: 0, stdout: `database is up to date (${MIGRATIONS.length} migration(s) applied before)\n`, stderr: '' });
    expect((await history(env)).map((r) => r.migration_name)).toEqual(MIGRATIONS);
  });

  it('refuses a tampered migration with one line naming the file and a non-zero exit', async () => {
    const env = await emptyDatabase();
    const dir = copyOfMigrations();
    await migrate(env.databaseUrl, { dir });
    const file = path.join(dir, INIT, 'migration.sql');
    appendFileSync(file, '\n-- edited after it was applied\n');

    const run = await runCli(['migrate', '--dir', dir], env.env());

    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(file)]);
    expect(run.stderr).toContain(`migration ${INIT} was modified after it was applied`);
  });
});
