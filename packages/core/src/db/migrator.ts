/**
 * Applies the hand-written SQL migrations in prisma/migrations and records them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (checksum = sha256 of the file),
 * so the stock Prisma CLI agrees wherever its schema engine is available.
 * Runs inside a Postgres advisory lock, so replicas starting together apply each migration once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from '../logger';

/** The lock id Prisma's own migrate engine uses, so the two never run at once. */
const MIGRATION_ADVISORY_LOCK = 72707369;

/**
 * prisma/migrations of the checkout or image this code runs from: the nearest one above this
 * file, which is packages/core/src/db in development and dist/ in the compiled build.
 */
export const DEFAULT_MIGRATIONS_DIR = findUp(path.join('prisma', 'migrations'), __dirname);

function findUp(relative: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(from, '../../../..', relative);
  }
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export type MigrationFile = { name: string; path: string; sql: string; checksum: string };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Whether `sql` matches a checksum recorded in `_prisma_migrations`, by Prisma's own rule: the
 * file may have gained or lost CRLF line endings since (git on Windows), and checksums written by
 * early Prisma versions are hex without zero padding.
 */
export function checksumMatches(sql: string, recorded: string): boolean {
  return [sql, sql.replace(/\r\n/g, '\n'), sql.replace(/\n/g, '\r\n')].some((variant) => {
    const hex = sha256(variant);
    if (recorded.length === 64) return hex === recorded;
    return hex.replace(/(..)/g, (byte) => parseInt(byte, 16).toString(16)) === recorded;
  });
}

export function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      const bytes = readFileSync(file);
      return { name, path: displayPath(file), sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    });
}

/** `:line` of a Postgres error position (1-based character offset into the script), or ''. */
function lineOf(sql: string, position: string | undefined): string {
  const offset = Number(position);
  return offset > 0 ? `:${sql.slice(0, offset - 1).split('\n').length}` : '';
}

/** Relative to the working directory when inside it (prisma/migrations/…), absolute otherwise. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

type AppliedRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

export type MigrateResult = { applied: string[]; alreadyApplied: string[] };

/** Applies every pending migration; throws `MigrationError` naming the file on tampering or failure. */
export async function migrate(databaseUrl: string, opts: { dir?: string; logger?: Logger } = {}): Promise<MigrateResult> {
  const files = readMigrations(opts.dir);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_ADVISORY_LOCK]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const done = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
    for (const r of done.values()) {
      if (r.finished_at === null) {
        throw new MigrationError(
          `migration ${r.migration_name} started but never finished; inspect the database, then mark it rolled back in _prisma_migrations`,
        );
      }
    }
    // Check every applied migration before applying anything, so a tampered history stops the run
    // before it changes the database.
    const pending = files.filter((file) => {
      const row = done.get(file.name);
      if (row && !checksumMatches(file.sql, row.checksum)) {
        throw new MigrationError(
          `migration ${file.name} was modified after it was applied (${file.path}: checksum ${file.checksum.slice(0, 12)}… differs from the applied ${row.checksum.slice(0, 12)}…); restore the file and add a new migration instead`,
        );
      }
      return !row;
    });
    const result: MigrateResult = { applied: [], alreadyApplied: files.filter((f) => done.has(f.name)).map((f) => f.name) };
    for (const file of pending) {
      // Recorded the way `prisma migrate deploy` records it: started, then one step and finished.
      const id = randomUUID();
      await client.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
        [id, file.checksum, file.name],
      );
      try {
        await client.query('BEGIN');
        await client.query(file.sql);
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await client.query('COMMIT');
      } catch (err) {
        const message = (err as Error).message;
        const at = lineOf(file.sql, (err as { position?: string }).position);
        // The transaction undid the whole file, so the row is marked rolled back (what
        // `prisma migrate resolve --rolled-back` would do) and a fixed file is retried on the next
        // run. If even that fails (connection lost), the row stays unfinished and blocks the next
        // run until someone looks, as Prisma's would.
        await client
          .query('ROLLBACK')
          .then(() => client.query('UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1', [id, message]))
          .catch(() => undefined);
        throw new MigrationError(`migration ${file.name} failed and was rolled back (${file.path}${at}): ${message}`);
      }
      opts.logger?.info({ migration: file.name }, 'applied migration');
      result.applied.push(file.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
}
