/**
 * The migrated database is exactly what prisma/schema.prisma describes: what `prisma migrate diff`
 * would check if its engine ran here. The schema is read by tests/helpers/prisma-schema.ts, the
 * database from pg_catalog, and `diffShapes` names every difference.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import * as generatedEnums from '@reminders/core/generated/prisma/enums';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { expectedDatabase, parsePrismaSchema, type DbShape, type TableShape } from '../helpers/prisma-schema';

const ROOT = path.resolve(__dirname, '../..');
const SCHEMA = readFileSync(path.join(ROOT, 'prisma/schema.prisma'), 'utf8');
/** Tables that exist but are not models: the migrator's own bookkeeping. */
const NOT_MODELS = new Set(['_prisma_migrations']);

const ACTION: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** Reads tables, columns, enums, keys and indexes of the `public` schema from pg_catalog. */
async function introspect(client: Client): Promise<DbShape> {
  const shape: DbShape = { tables: {}, enums: {} };
  const table = (name: string): TableShape => (shape.tables[name] ??= { columns: {}, primaryKey: null, indexes: {}, foreignKeys: {} });
  const ns = `(SELECT oid FROM pg_namespace WHERE nspname = 'public')`;

  const tables = await client.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relnamespace = ${ns} AND relkind IN ('r', 'p')`);
  for (const r of tables.rows) table(r.name);

  const columns = await client.query<{ table: string; name: string; type: string; notnull: boolean; dflt: string | null }>(`
    SELECT c.relname AS table, a.attname AS name, a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS dflt,
           CASE WHEN t.typtype = 'e' THEN t.typname ELSE format_type(a.atttypid, a.atttypmod) END AS type
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid AND c.relnamespace = ${ns} AND c.relkind IN ('r', 'p')
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped`);
  for (const r of columns.rows) table(r.table).columns[r.name] = { type: r.type, nullable: !r.notnull, default: r.dflt };

  const enums = await client.query<{ name: string; labels: string[] }>(`
    SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
     WHERE t.typnamespace = ${ns} GROUP BY t.typname`);
  for (const r of enums.rows) shape.enums[r.name] = r.labels;

  const indexes = await client.query<{ table: string; name: string; primary: boolean; unique: boolean; method: string; partial: boolean; columns: (string | null)[]; desc: boolean[] }>(`
    SELECT c.relname AS table, i.relname AS name, x.indisprimary AS primary, x.indisunique AS unique, am.amname AS method,
           (x.indpred IS NOT NULL OR x.indexprs IS NOT NULL) AS partial,
           array_agg(a.attname::text ORDER BY k.ord) AS columns,
           array_agg((k.opt & 1) = 1 ORDER BY k.ord) AS desc
      FROM pg_index x
      JOIN pg_class c ON c.oid = x.indrelid AND c.relnamespace = ${ns}
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_am am ON am.oid = i.relam
      CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indoption::int2[]) WITH ORDINALITY AS k(attnum, opt, ord)
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
     GROUP BY c.relname, i.relname, x.indisprimary, x.indisunique, am.amname, x.indpred, x.indexprs`);
  for (const r of indexes.rows) {
    // Prisma cannot describe expression or partial indexes; show them as such so they never match.
    const columns = r.partial ? [...r.columns.map((c) => c ?? '(expression)'), '(partial or expression index)'] : (r.columns as string[]);
    if (r.primary) table(r.table).primaryKey = { name: r.name, columns };
    else table(r.table).indexes[r.name] = { columns, desc: r.desc, unique: r.unique, method: r.method };
  }

  const fks = await client.query<{ table: string; name: string; ref_table: string; columns: string[]; ref_columns: string[]; del: string; upd: string }>(`
    SELECT c.relname AS table, k.conname AS name, rc.relname AS ref_table, k.confdeltype AS del, k.confupdtype AS upd,
           array(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o) AS columns,
           array(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
                   JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o) AS ref_columns
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid AND c.relnamespace = ${ns}
      JOIN pg_class rc ON rc.oid = k.confrelid
     WHERE k.contype = 'f'`);
  for (const r of fks.rows) {
    table(r.table).foreignKeys[r.name] = {
      columns: r.columns,
      refTable: r.ref_table,
      refColumns: r.ref_columns,
      onDelete: ACTION[r.del] ?? r.del,
      onUpdate: ACTION[r.upd] ?? r.upd,
    };
  }
  return shape;
}

const show = (v: unknown) => JSON.stringify(v);

/** Every way `actual` (the database) differs from `expected` (schema.prisma), one line each. */
function diffShapes(expected: DbShape, actual: DbShape): string[] {
  const out: string[] = [];
  const keyed = <T>(
    what: string,
    exp: Record<string, T>,
    act: Record<string, T>,
    same: (e: T, a: T, name: string) => string[] = (e, a) => (show(e) === show(a) ? [] : [`is ${show(a)}, schema.prisma says ${show(e)}`]),
  ) => {
    for (const [name, e] of Object.entries(exp)) {
      const a = act[name];
      if (a === undefined) out.push(`${what} ${name} is missing from the database`);
      else for (const d of same(e, a, name)) out.push(`${what} ${name} ${d}`);
    }
    for (const name of Object.keys(act)) if (!(name in exp)) out.push(`${what} ${name} is in the database but not in schema.prisma`);
  };

  const tables = Object.fromEntries(Object.entries(actual.tables).filter(([name]) => !NOT_MODELS.has(name)));
  keyed('table', expected.tables, tables, (e, a, t) => {
    keyed(`column of ${t}:`, e.columns, a.columns, (ec, ac) => [
      ...(ec.type === ac.type ? [] : [`has type ${ac.type}, schema.prisma says ${ec.type}`]),
      ...(ec.nullable === ac.nullable ? [] : [ac.nullable ? 'is nullable, schema.prisma says required' : 'is NOT NULL, schema.prisma says optional']),
      ...(ec.default === ac.default ? [] : [`has default ${show(ac.default)}, schema.prisma says ${show(ec.default)}`]),
    ]);
    if (show(e.primaryKey) !== show(a.primaryKey)) out.push(`primary key of ${t} is ${show(a.primaryKey)}, schema.prisma says ${show(e.primaryKey)}`);
    keyed(`index of ${t}:`, e.indexes, a.indexes);
    keyed(`foreign key of ${t}:`, e.foreignKeys, a.foreignKeys);
    return []; // the checks above report their own lines
  });
  keyed('enum', expected.enums, actual.enums, (e, a) =>
    show([...e].sort()) === show([...a].sort()) ? [] : [`has values ${show(a)}, schema.prisma says ${show(e)}`],
  );
  return out;
}

describe('schema drift: the migrated database matches prisma/schema.prisma', () => {
  let env: TestEnv;
  let actual: DbShape;

  beforeAll(async () => {
    env = await createTestEnv();
    const client = new Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      actual = await introspect(client);
    } finally {
      await client.end();
    }
  });
  afterAll(async () => {
    await env?.destroy();
  });

  it('has every table, column, type, default, enum, key and index of schema.prisma, and nothing else', () => {
    const expected = expectedDatabase(parsePrismaSchema(SCHEMA));
    expect(diffShapes(expected, actual)).toEqual([]);
    // The comparison is not vacuous: the schema and the database both hold the whole model.
    expect(Object.keys(expected.tables).length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(actual.tables)).toEqual(expect.arrayContaining(['assignments', 'cron_execution_log', '_prisma_migrations']));
  });

  it('has an index leading with the columns of every foreign key (issue 2)', () => {
    const uncovered = Object.entries(expectedDatabase(parsePrismaSchema(SCHEMA)).tables).flatMap(([name, t]) =>
      Object.values(t.foreignKeys)
        .filter((fk) => ![...Object.values(t.indexes), t.primaryKey].some((i) => show(i?.columns.slice(0, fk.columns.length)) === show(fk.columns)))
        .map((fk) => `${name}(${fk.columns.join(', ')})`),
    );
    expect(uncovered).toEqual([]);
  });

  // The generated client embeds the schema text it was generated from and Prisma's own reading of
  // it; the parser must read that same text the same way (whether or not the client is stale).
  it('reads a schema the way `prisma generate` did (models, fields, names, enum values)', () => {
    const generated = readFileSync(path.join(ROOT, 'packages/core/src/generated/prisma/internal/class.ts'), 'utf8');
    const inline = /"inlineSchema": ("(?:[^"\\]|\\.)*")/.exec(generated);
    const dataModel = /config\.runtimeDataModel = JSON\.parse\(("(?:[^"\\]|\\.)*")\)/.exec(generated);
    expect(inline && dataModel).toBeTruthy();
    const models = JSON.parse(JSON.parse(dataModel![1]!)).models as Record<string, { dbName: string | null; fields: { name: string; kind: string; type: string; dbName?: string }[] }>;
    const schema = parsePrismaSchema(JSON.parse(inline![1]!) as string);
    const enumNames = new Set(schema.enums.map((e) => e.name));
    const ours = Object.fromEntries(
      schema.models.map((m) => {
        const map = m.attributes.find((a) => a.name === '@@map')?.args[0]?.value;
        const fields = m.fields.map((f) => {
          const fieldMap = f.attributes.find((a) => a.name === '@map')?.args[0]?.value;
          const kind = schema.models.some((x) => x.name === f.type) ? 'object' : enumNames.has(f.type) ? 'enum' : 'scalar';
          return { name: f.name, kind, type: f.type, dbName: fieldMap?.kind === 'string' ? fieldMap.value : undefined };
        });
        return [m.name, { dbName: map?.kind === 'string' ? map.value : null, fields }];
      }),
    );
    const theirs = Object.fromEntries(
      Object.entries(models).map(([name, m]) => [
        name,
        { dbName: m.dbName, fields: m.fields.map((f) => ({ name: f.name, kind: f.kind, type: f.type, dbName: f.dbName })) },
      ]),
    );
    expect(ours).toEqual(theirs);
    expect(Object.fromEntries(schema.enums.map((e) => [e.name, e.values.map((v) => v.name)]))).toEqual(
      Object.fromEntries(Object.entries(generatedEnums).map(([name, values]) => [name, Object.values(values)])),
    );
  });

  // The comparer must be able to fail: feed it edited copies of schema.prisma that no migration
  // follows, and it must name the difference.
  const edits: [string, string, string, RegExp][] = [
    ['a new field', '  dueDate        DateTime          @map("due_date") @db.Date\n', '  dueDate        DateTime          @map("due_date") @db.Date\n  snoozedUntil   DateTime?         @map("snoozed_until") @db.Timestamptz(3)\n', /column of reminders: snoozed_until is missing/],
    ['a new model', 'model Contact {', 'model Feedback {\n  id Int @id @default(autoincrement())\n  @@map("feedback")\n}\n\nmodel Contact {', /table feedback is missing/],
    ['a removed field', '  note             String?\n', '', /column of activities: note is in the database but not in schema.prisma/],
    ['an optional field made required', '  email       String?\n  locale', '  email       String\n  locale', /column of coordinators: email is nullable, schema.prisma says required/],
    ['a changed native type', '@map("anchor_date") @db.Date', '@map("anchor_date") @db.Timestamptz(3)', /anchor_date has type date, schema.prisma says timestamp\(3\) with time zone/],
    ['a changed default', '  active        Boolean      @default(true)', '  active        Boolean      @default(false)', /active has default "true", schema.prisma says "false"/],
    ['a new enum value', '  message\n  other\n', '  message\n  sms\n  other\n', /enum activity_type has values/],
    ['a new unique field', '  name        String\n  createdAt   DateTime     @default(now()) @map("created_at") @db.Timestamptz(3)\n  assignments Assignment[]\n\n  @@map("contacts")', '  name        String       @unique\n  createdAt   DateTime     @default(now()) @map("created_at") @db.Timestamptz(3)\n  assignments Assignment[]\n\n  @@map("contacts")', /index of contacts: contacts_name_key is missing/],
    ['a dropped index', '  @@index([status])\n', '', /index of cron_execution_log: cron_execution_log_status_idx is in the database but not/],
    ['a lost DESC', 'startedAt(sort: Desc)', 'startedAt', /cron_execution_log_job_name_started_at_idx is .*"desc":\[false,true\].*"desc":\[false,false\]/],
    ['a changed onDelete', 'references: [id], onDelete: Cascade)', 'references: [id], onDelete: SetNull)', /notifications_reminder_id_fkey is .*CASCADE.*SET NULL/],
    ['a changed composite unique', '@@unique([kind, incidentKey])', '@@unique([incidentKey, kind])', /alerts_incident_key_kind_key is missing/],
  ];
  it.each(edits)('reports %s in schema.prisma that no migration follows', (_what, from, to, report) => {
    expect(SCHEMA).toContain(from); // the edit applies to today's schema, so the check is not vacuous
    const diff = diffShapes(expectedDatabase(parsePrismaSchema(SCHEMA.replace(from, to))), actual);
    expect(diff.join('\n')).toMatch(report);
  });

  it('refuses schema syntax it does not understand instead of skipping it', () => {
    expect(() => expectedDatabase(parsePrismaSchema(SCHEMA.replace('  @@map("contacts")', '  @@fulltext([name])\n  @@map("contacts")')))).toThrow(/@@fulltext is not supported/);
    expect(() => expectedDatabase(parsePrismaSchema(SCHEMA.replace('  note             String?', '  tags             String[]')))).toThrow(/scalar lists are not supported/);
    expect(() => parsePrismaSchema(`${SCHEMA}\nview Due {\n  id Int\n}\n`)).toThrow(/'view' blocks are not supported/);
  });
});
